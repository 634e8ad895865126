"""A real Chromium: the header's unread count, the notification centre, and queue pages that
offer a refresh instead of moving rows under the reader."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import realtime

pytestmark = [pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 900}
NOTIFICATIONS_OPEN = (
    "() => !!(window.KimonDesk && KimonDesk.notifications && KimonDesk.notifications.ws"
    " && KimonDesk.notifications.ws.readyState === 1)"
)
QUEUE_OPEN = (
    "() => !!(window.KimonDesk && KimonDesk.queue && KimonDesk.queue.ws"
    " && KimonDesk.queue.ws.readyState === 1)"
)


@pytest.fixture
def ticket(transactional_db, queue, junior):
    return factories.TicketFactory(subject="Charged twice for March", queue=queue, assignee=junior)


def _page(browser, cookie, viewport=LAPTOP):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([cookie])
    return context.new_page()


def test_an_escalation_counts_up_in_the_header_and_is_kept_until_marked_read(
    live_url, ticket, junior, lead
):
    cookies = {a.pk: session_cookie(a, live_url) for a in (junior, lead)}
    connection.close()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Given the lead is on their queue page with nothing unread
        lead_page = _page(browser, cookies[lead.pk])
        lead_page.goto(f"{live_url}/queues/mine/")
        lead_page.wait_for_function(NOTIFICATIONS_OPEN, timeout=5000)
        expect(lead_page.locator("#unread-count")).to_be_hidden()

        # When the junior escalates the ticket to them through the form
        junior_page = _page(browser, cookies[junior.pk])
        junior_page.goto(f"{live_url}/tickets/{ticket.pk}/escalate/")
        junior_page.get_by_label("What did you try?").fill("Resent the invoice.")
        junior_page.get_by_label("What do you think is going on?").fill("A duplicate charge.")
        junior_page.get_by_label("What authority or expertise is needed?").fill("Refund.")
        junior_page.get_by_role("button", name="Escalate").click()

        # Then the count goes up without a reload, and the list keeps it after the toast
        expect(lead_page.locator("#unread-count")).to_have_text("1 unread", timeout=2000)
        lead_page.locator("#notifications-link").click()
        item = lead_page.locator("#notification-list .notif.unread")
        expect(item).to_have_count(1)
        expect(item.locator(".notif-open")).to_have_text(
            f"#{ticket.pk} escalated to you by {junior}."
        )
        lead_page.screenshot(path=str(ARTIFACTS / "notifications.png"), full_page=True)
        lead_page.locator("#read-all").click()
        expect(lead_page.locator("#notification-list .notif.unread")).to_have_count(0)
        expect(lead_page.locator("#unread-count")).to_be_hidden()
        expect(lead_page.locator("#read-all")).to_have_count(0)
        browser.close()


def _push_changed(ticket_id, team_id):
    event = {
        "type": "queue.ticket_changed",
        "ticket": ticket_id,
        "team": team_id,
        "event": "assigned",
    }
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(
            realtime.push_many,
            [(realtime.team_group(team_id), event), (realtime.TEAM_ALL_GROUP, event)],
        ).result()


@pytest.mark.postgres
def test_the_team_queue_offers_a_refresh_for_its_own_teams_changes_only(
    live_url, ticket, junior, team
):
    other_team = factories.TeamFactory(name="Elsewhere")
    cookie = session_cookie(junior, live_url)
    connection.close()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _page(browser, cookie)
        page.goto(f"{live_url}/queues/team/")
        page.wait_for_function(QUEUE_OPEN, timeout=5000)
        page.evaluate("() => { window.__loadedOnce = true; }")
        rows_before = page.locator("table.queue tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.ticketId)"
        )

        _push_changed(ticket.pk, other_team.pk)
        _push_changed(ticket.pk, team.pk)
        _push_changed(ticket.pk, team.pk)
        _push_changed(ticket.pk + 1000, team.pk)

        expect(page.locator("#queue-updates-text")).to_have_text(
            "2 tickets changed since you opened this page.", timeout=2000
        )
        expect(page.locator(f'tr[data-ticket-id="{ticket.pk}"]')).to_have_class("row-changed")
        rows_after = page.locator("table.queue tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.ticketId)"
        )
        same_page = page.evaluate("() => window.__loadedOnce === true")
        page.screenshot(path=str(ARTIFACTS / "queue-updates.png"), full_page=True)
        page.locator("#queue-refresh").click()
        page.wait_for_function("() => window.__loadedOnce !== true", timeout=5000)
        expect(page.locator("#queue-updates")).to_be_hidden()
        browser.close()

    assert (rows_before, rows_after, same_page) == ([str(ticket.pk)], [str(ticket.pk)], True)
