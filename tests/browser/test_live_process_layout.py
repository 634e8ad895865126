"""Live pages under the process layout of ``make run``: a uvicorn web server and a separate
``manage.py qcluster``, no REDIS_URL (the database outbox carries pushes between them). On CI's
PostgreSQL + Redis pass the same tests run with channels-redis and the Redis broker.

Rule-fired escalations are made by the cluster process, never by the web server: these tests
prove that its pushes reach an open page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright
from rest_framework.authtoken.models import Token

from escalations.models import Escalation, SLAClock, TargetKind
from tests import factories
from tests.browser.conftest import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    _test_database_url,
    make_run_env,
    session_cookie,
)
from tickets import services
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.qcluster]

ANGRY = "This is terrible, awful service. I am furious and I will cancel my account."
SOCKET_OPEN = (
    "() => !!(window.KimonDesk && KimonDesk.ticket && KimonDesk.ticket.ws && "
    "KimonDesk.ticket.ws.readyState === 1)"
)
# Every event the page's ticket socket receives, kept for the test to read.
RECORD_EVENTS = """() => {
  window.__events = [];
  KimonDesk.ticket.ws.addEventListener("message", (m) => window.__events.push(JSON.parse(m.data)));
}"""
PUSH_BUDGET_SECONDS = 2.0


@pytest.fixture
def receiver_target(transactional_db, team, senior):
    return factories.TargetFactory(name="Senior", kind=TargetKind.AGENT, agent=senior, team=team)


@pytest.fixture
def ticket(transactional_db, queue, junior):
    return factories.TicketFactory(
        subject="Charged twice for March", queue=queue, assignee=junior, status="open"
    )


def _token(agent: Any) -> str:
    """An API token for ``agent`` (made before the browser starts: no queries inside it)."""
    return str(Token.objects.get_or_create(user=agent)[0].key)


def _in_thread(fn: Any, *args: Any) -> Any:
    """Database work while Playwright's loop runs in this thread."""

    def run() -> Any:
        try:
            return fn(*args)
        finally:
            # The worker thread's own connection: left open, it stays out of the pool until
            # garbage collection and can keep the test database from being dropped.
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _api(url: str, token: str, body: dict[str, Any], *, method: str = "POST") -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
        return json.loads(reply.read())


def _open_ticket_page(browser: Any, url: str, cookie: dict[str, Any], ticket: Ticket) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{url}/tickets/{ticket.pk}/")
    page.wait_for_function(SOCKET_OPEN, timeout=5000)
    page.evaluate(RECORD_EVENTS)
    page.evaluate("() => { window.__loadedOnce = true; }")
    return page


def _summary_on_page(page: Page, *, escalation_id: int | None = None) -> Any:
    selector = "#pinned .pinned-summary"
    if escalation_id is not None:
        selector = f'#pinned [data-escalation-id="{escalation_id}"]'
    return page.locator(selector)


def test_a_rule_fired_by_a_customer_message_reaches_the_receivers_open_page(
    make_run_url, ticket, junior, senior, receiver_target
):
    # given a sentiment rule and the receiver's page open on the ticket
    factories.RuleFactory(name="Angry", trigger_kind="sentiment_negative", target=receiver_target)
    cookie, token = session_cookie(senior, make_run_url), _token(junior)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _open_ticket_page(browser, make_run_url, cookie, ticket)
        expect(_summary_on_page(page)).to_have_count(0)

        # when an angry customer message arrives through the API
        started = time.monotonic()
        _api(
            f"{make_run_url}/api/v1/tickets/{ticket.pk}/messages/",
            token,
            {"author_type": "customer", "body": ANGRY},
        )

        # then the summary made by the cluster process is pinned within 2 s, without a reload
        expect(_summary_on_page(page)).to_have_count(1, timeout=PUSH_BUDGET_SECONDS * 1000)
        took = time.monotonic() - started
        expect(_summary_on_page(page)).to_contain_text("negative", ignore_case=True)
        same_page = page.evaluate("() => window.__loadedOnce === true")
        page.screenshot(path=str(ARTIFACTS / "live-make-run-sentiment.png"), full_page=True)
        events = page.evaluate("() => window.__events")
        browser.close()

    escalation = Escalation.objects.get()
    assert (escalation.trigger, escalation.to_agent) == ("sentiment_negative", senior)
    assert same_page is True
    assert took <= PUSH_BUDGET_SECONDS, took
    assert [e["escalation"] for e in events if e["type"] == "escalation.summary"] == [escalation.pk]
    assert [e["message"]["body"] for e in events if e["type"] == "message.created"] == [ANGRY]


def test_a_refund_over_the_threshold_reaches_the_receivers_open_page(
    make_run_url, ticket, junior, senior, receiver_target
):
    factories.RuleFactory(
        name="Big refund",
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
        target=receiver_target,
    )
    cookie, token = session_cookie(senior, make_run_url), _token(junior)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _open_ticket_page(browser, make_run_url, cookie, ticket)

        started = time.monotonic()
        _api(
            f"{make_run_url}/api/v1/tickets/{ticket.pk}/refunds/",
            token,
            {"amount": "750.00", "currency": "USD", "reason": "Charged twice"},
        )

        expect(_summary_on_page(page)).to_have_count(1, timeout=PUSH_BUDGET_SECONDS * 1000)
        took = time.monotonic() - started
        events = page.evaluate("() => window.__events")
        browser.close()

    escalation = Escalation.objects.get()
    assert (escalation.trigger, escalation.to_agent) == ("refund_threshold", senior)
    assert took <= PUSH_BUDGET_SECONDS, took
    assert [e["refund"]["amount"] for e in events if e["type"] == "refund.created"] == ["750.00"]


def _sweeper_start(database_url: str) -> None:
    """Queue the SLA sweeper chain for the cluster, as ``make run`` does at start."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kimondesk.settings.test",
        "DATABASE_URL": database_url,
        **make_run_env(),
    }
    subprocess.run(
        [sys.executable, "manage.py", "ensure_schedules"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_an_sla_amber_crossing_recolours_the_page_and_pins_the_rule_fired_summary(
    make_run_url, queue, customer, senior, junior, receiver_target
):
    # given a first-response SLA whose amber instant is a few seconds away, and an frt_amber rule
    factories.RuleFactory(name="FRT amber", trigger_kind="frt_amber", target=receiver_target)
    policy = factories.SLAPolicyFactory(name="Fast", order=1)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    ticket = services.ticket_create(
        subject="Still waiting", customer=customer, body="Hello?", queue=queue
    )
    services.ticket_update(ticket=ticket, actor=None, assignee=junior)
    clock = SLAClock.objects.get(ticket=ticket, metric="first_response")
    _sweeper_start(_test_database_url())
    cookie = session_cookie(senior, make_run_url)

    def amber_in(seconds: float) -> Any:
        amber_at = timezone.now() + timedelta(seconds=seconds)
        SLAClock.objects.filter(pk=clock.pk).update(
            amber_at=amber_at, breach_at=amber_at + timedelta(minutes=30)
        )
        return amber_at

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _open_ticket_page(browser, make_run_url, cookie, ticket)
        expect(page.locator("#ticket-sla .sla")).to_have_class("sla sla-green")
        # the amber instant is set once the page is open, a few seconds ahead
        amber_at = _in_thread(amber_in, 3)

        # when the amber instant passes, the cluster's sweeper and the rule act
        wait = (amber_at - timezone.now()).total_seconds() + PUSH_BUDGET_SECONDS
        expect(page.locator("#ticket-sla .sla")).to_have_class("sla sla-amber", timeout=wait * 1000)
        expect(_summary_on_page(page)).to_have_count(1, timeout=wait * 1000)
        seen_at = timezone.now()
        page.screenshot(path=str(ARTIFACTS / "live-make-run-sla-amber.png"), full_page=True)
        events = page.evaluate("() => window.__events")
        browser.close()

    assert (seen_at - amber_at).total_seconds() <= PUSH_BUDGET_SECONDS
    assert Escalation.objects.get().trigger == "frt_amber"
    updates = [e for e in events if e["type"] == "ticket.updated"]
    assert [(e["event"], e["changes"], e["sla"]["state"]) for e in updates][:1] == [
        ("sla_state_changed", {}, "amber")
    ]


def test_a_message_posted_through_the_api_reaches_an_open_page(
    make_run_url, ticket, junior, senior
):
    cookie, token = session_cookie(senior, make_run_url), _token(junior)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _open_ticket_page(browser, make_run_url, cookie, ticket)

        started = time.monotonic()
        created = _api(
            f"{make_run_url}/api/v1/tickets/{ticket.pk}/messages/",
            token,
            {"author_type": "customer", "body": "Thanks, it works now."},
        )
        page.wait_for_function(
            "() => window.__events.some((e) => e.type === 'message.created')", timeout=1000
        )
        took = time.monotonic() - started
        events = page.evaluate("() => window.__events")
        browser.close()

    assert took <= 1.0, took
    message = next(e for e in events if e["type"] == "message.created")
    assert message["ticket"] == ticket.pk
    assert message["message"]["id"] == created["id"]
    assert message["message"]["body"] == "Thanks, it works now."
    assert message["message"]["author_type"] == "customer"


def test_the_history_card_follows_a_teammates_changes_without_a_reload(
    make_run_url, ticket, senior, lead
):
    cookie, token = session_cookie(senior, make_run_url), _token(lead)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _open_ticket_page(browser, make_run_url, cookie, ticket)
        page.evaluate("() => { window.__loadedOnce = true; }")
        history = page.locator("#ticket-history li")
        expect(history).to_have_count(0)

        # When the lead raises the priority and replies to the customer
        base = f"{make_run_url}/api/v1/tickets/{ticket.pk}/"
        _api(base, token, {"priority": "urgent"}, method="PATCH")
        _api(f"{base}messages/", token, {"author_type": "agent", "body": "Refund on its way."})

        # Then the History card says so, newest first, each line with its time
        expect(history).to_have_count(2, timeout=5000)
        lines = history.all_inner_texts()
        times = page.locator("#ticket-history li time.when").count()
        loaded_once = page.evaluate("() => window.__loadedOnce === true")
        browser.close()

    assert f"{lead} replied to the customer" in lines[0], lines
    assert f"{lead} set priority Normal → Urgent" in lines[1], lines
    assert (times, loaded_once) == (2, True)


def test_a_stale_save_ends_in_a_visible_conflict_not_an_overwrite(
    make_run_url, ticket, junior, lead
):
    cookie, token = session_cookie(junior, make_run_url), _token(lead)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # given agent A's page shows priority Normal, and A starts editing the status
        page = _open_ticket_page(browser, make_run_url, cookie, ticket)
        expect(page.locator("#id_priority")).to_have_value("normal")
        page.select_option("#id_status", "pending")

        # when the lead sets Urgent through the API, then A saves
        _api(
            f"{make_run_url}/api/v1/tickets/{ticket.pk}/",
            token,
            {"priority": "urgent"},
            method="PATCH",
        )
        page.wait_for_function(
            "() => window.__events.some((e) => e.type === 'ticket.updated')", timeout=2000
        )
        page.get_by_role("button", name="Save", exact=True).click()

        # then the page names the change and its author, and keeps A's edit to re-apply
        notice = page.locator("#controls-conflict")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Not saved: this ticket changed after you opened it.")
        expect(notice).to_contain_text(f"Priority: Normal → Urgent, by {lead}")
        expect(page.locator("#id_status")).to_have_value("pending")
        expect(page.locator("#id_priority")).to_have_value("urgent")
        page.screenshot(path=str(ARTIFACTS / "ticket-stale-save-conflict.png"), full_page=True)
        after_conflict = _in_thread(
            lambda: tuple(Ticket.objects.values_list("status", "priority").get(pk=ticket.pk))
        )

        # and saving again applies A's status, with Urgent kept
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator("#controls-conflict")).to_have_count(0)
        browser.close()

    assert after_conflict == ("open", "urgent")
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.priority) == ("pending", "urgent")
