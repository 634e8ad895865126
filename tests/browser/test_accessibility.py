"""axe-core (WCAG 2.1 A and AA rules) in a real Chromium on freshly seeded demo data: the console
pages a lead works in and the agent workspace have no critical or serious violation
(screenshots of each page as checked go to artifacts/).

Each page is checked as a user meets it: the rule form with its condition rows, the escalate form
after a failed submit (its errors shown), the ticket page with a pinned summary."""

from __future__ import annotations

from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from escalations.models import Calendar, OpeningHours, Rule, SLAPolicy, SLATarget
from escalations.services import escalation_create_manual
from tests.browser.axe import axe_report
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import services as ticket_services
from tickets.models import Agent, Customer, Queue

pytestmark = [pytest.mark.browser]

HANDOFF = {
    "tried": "Re-sent the invoice and checked the payment log.",
    "diagnosis": "The card was charged twice by the billing sync.",
    "authority_needed": "A refund above my limit.",
}


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", tickets=30, customers=10, stdout=StringIO(), stderr=StringIO())
    lead = Agent.objects.get(username="billing-lead")
    junior = Agent.objects.get(username="billing-junior1")
    senior = Agent.objects.get(username="billing-senior1")
    ticket = ticket_services.ticket_create(
        subject="Charged twice for March",
        customer=Customer.objects.order_by("pk")[0],
        body="Hello, I was charged twice for March. Please refund one of the charges.",
        queue=Queue.objects.filter(team=lead.team, specialist=False).order_by("pk")[0],
    )
    ticket_services.ticket_update(ticket=ticket, actor=lead, assignee=junior)
    escalation_create_manual(ticket=ticket, actor=lead, to_agent=senior, **HANDOFF)
    # The demo's calendar and policy are shared (admins only): the lead's team gets its own.
    calendar = Calendar.objects.create(
        name="Billing hours", team=lead.team, timezone="Europe/Berlin"
    )
    OpeningHours.objects.create(calendar=calendar, weekday=0, start=time(9), end=time(17))
    policy = SLAPolicy.objects.create(
        name="Billing premium",
        team=lead.team,
        calendar=calendar,
        conditions=[{"field": "tier", "op": "gte", "value": "premium"}],
    )
    SLATarget.objects.create(policy=policy, metric="first_response", priority="high", minutes=60)
    return {"lead": lead, "ticket": ticket, "calendar": calendar, "policy": policy}


def _pages_checked(live_url, agent, visits, axe):
    """Visit each page as ``agent`` (``visits``: name → a function of the page that opens it)
    and return the blocking violations found, by page name."""
    found = {}
    cookie = session_cookie(agent, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            for name, visit in visits.items():
                visit(page)
                found[name] = axe(page)
                shot = ARTIFACTS / f"a11y-{name.replace(' ', '-').replace(',', '')}.png"
                page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    return found


def _goto(live_url, path, ready):
    def visit(page):
        page.goto(f"{live_url}{path}")
        expect(page.locator(ready).first).to_be_visible()

    return visit


def _target_form_for_a_queue(live_url):
    def visit(page):
        # Only the chosen kind's params are shown (js/admin-kinds.js).
        page.goto(f"{live_url}/admin/escalations/target/add/")
        page.get_by_label("Kind:").select_option("queue")
        expect(page.get_by_label("Queue:")).to_be_visible()
        expect(page.get_by_label("Agent:")).to_be_hidden()
        expect(page.get_by_label("Slack webhook URL:")).to_be_hidden()

    return visit


def test_console_pages_have_no_serious_violations(live_url, demo, axe):
    lead = demo["lead"]
    rule = Rule.objects.get(name="Billing: angry customer to the lead")
    assert rule.conditions  # the form shows condition rows
    policy, calendar = demo["policy"], demo["calendar"]
    visits = {
        "rule list": _goto(live_url, "/admin/escalations/rule/", "#result_list"),
        "rule form": _goto(
            live_url, f"/admin/escalations/rule/{rule.pk}/change/", "select[name*=field]"
        ),
        "SLA policy form": _goto(
            live_url, f"/admin/escalations/slapolicy/{policy.pk}/change/", "#content-main form"
        ),
        "calendar form": _goto(
            live_url, f"/admin/escalations/calendar/{calendar.pk}/change/", "#content-main form"
        ),
        "target form, queue kind": _target_form_for_a_queue(live_url),
        "rule history": _goto(
            live_url, f"/admin/escalations/rule/{rule.pk}/history/", "#content-main"
        ),
        "rule health": _goto(live_url, "/reports/rules/", "main"),
    }

    found = _pages_checked(live_url, lead, visits, axe)

    failing = {name: v for name, v in found.items() if v}
    assert failing == {}, " | ".join(axe_report(n, v) for n, v in failing.items())
    assert sorted(found) == sorted(visits)


def test_workspace_pages_have_no_serious_violations(live_url, demo, axe):
    ticket = demo["ticket"]

    def escalate_with_an_error(page):
        page.goto(f"{live_url}/tickets/{ticket.pk}/escalate/")
        page.locator("#escalate-form button[type=submit]").click()
        expect(
            page.locator("#escalate-form .error, #escalate-form .errorlist").first
        ).to_be_visible()

    visits = {
        "team queue": _goto(live_url, "/queues/team/", "table.queue"),
        "ticket with pinned summary": _goto(
            live_url, f"/tickets/{ticket.pk}/", "#pinned .pinned-summary"
        ),
        "escalate form with an error": escalate_with_an_error,
        "search with excerpts": _goto(
            live_url, "/search/?q=charged+refund", "table.queue .search-excerpt mark"
        ),
        "reports": _goto(live_url, "/reports/", "main"),
    }

    found = _pages_checked(live_url, demo["lead"], visits, axe)

    failing = {name: v for name, v in found.items() if v}
    assert failing == {}, " | ".join(axe_report(n, v) for n, v in failing.items())
    assert sorted(found) == sorted(visits)
