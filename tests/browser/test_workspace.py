"""A real Chromium: search from the header, a saved view, a bulk action, the customer panel;
screenshots at laptop and phone width under artifacts/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import services
from tickets.models import SavedView, Status, Ticket

pytestmark = [pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(transactional_db, queue, junior, senior):
    """A small team queue: a few customers and tickets written through the services."""
    vera = factories.CustomerFactory(
        name="Vera Lindqvist", email="vera@example.com", tier="premium"
    )
    omar = factories.CustomerFactory(name="Omar Haddad", email="omar@example.com")
    tickets = [
        services.ticket_create(
            subject="Refund for the double charge", customer=vera, body="I was charged twice.",
            queue=queue,
        ),
        services.ticket_create(
            subject="Cannot export invoices", customer=omar, body="The export button spins.",
            queue=queue,
        ),
        services.ticket_create(
            subject="Plan upgrade question", customer=vera, body="Would a refund be possible?",
            queue=queue, priority="high",
        ),
    ]  # fmt: skip
    services.ticket_update(ticket=tickets[1], actor=junior, status=Status.SOLVED)
    return {"tickets": tickets, "vera": vera, "asked_refund": tickets[2].messages.get()}


@contextmanager
def _signed_in_page(cookie) -> Iterator[Page]:
    """A laptop-sized Chromium page carrying the agent's session cookie."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=LAPTOP)
        context.add_cookies([cookie])
        try:
            yield context.new_page()
        finally:
            browser.close()


def _shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"workspace-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(LAPTOP)


def test_slash_focuses_the_header_search_and_finds_the_ticket(live_url, desk, junior):
    cookie = session_cookie(junior, live_url)
    with _signed_in_page(cookie) as page:
        page.goto(f"{live_url}/queues/team/")
        page.keyboard.press("/")
        expect(page.locator("#header-search")).to_be_focused()
        page.keyboard.type("refund")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=refund")
        rows = page.locator("table.queue tbody tr")
        expect(rows).to_have_count(2)
        first = rows.first.locator("td[data-label=Ticket] a")
        expect(first).to_have_text(f"#{desk['tickets'][0].pk} Refund for the double charge")
        # The ticket found by its conversation shows where, the word marked, linked to it.
        excerpt = rows.nth(1).locator(".search-excerpt")
        expect(excerpt).to_contain_text("Would a refund be possible?")
        expect(excerpt.locator("mark")).to_have_text("refund")
        _shoot(page, "search")
        plan, message_id = desk["tickets"][2], desk["asked_refund"].pk
        excerpt.get_by_role("link").click()
        page.wait_for_url(f"**/tickets/{plan.pk}/#message-{message_id}")
        expect(page.locator(f"#message-{message_id}")).to_contain_text(
            "Would a refund be possible?"
        )


def test_saving_a_view_and_opening_it_again(live_url, desk, junior):
    cookie = session_cookie(junior, live_url)
    with _signed_in_page(cookie) as page:
        page.goto(f"{live_url}/queues/team/")
        page.select_option("#id_priority", "high")
        page.get_by_role("button", name="Apply", exact=True).click()
        page.wait_for_url("**priority=high**")
        page.get_by_text("Save these filters as a view").click()
        page.fill("#saved-view-name", "High priority")
        page.get_by_role("button", name="Save view").click()
        chip = page.get_by_role("link", name="High priority")
        expect(chip).to_have_attribute("aria-current", "true")
        page.goto(f"{live_url}/queues/team/")
        expect(page.locator("table.queue tbody tr")).to_have_count(2)
        page.get_by_role("link", name="High priority").click()
        expect(page.locator("table.queue tbody tr")).to_have_count(1)
        _shoot(page, "saved-view")

    view = SavedView.objects.get()
    assert (view.owner_id, view.page, view.name) == (junior.pk, "team", "High priority")
    assert "priority=high" in view.query


def test_bulk_assign_from_the_queue_page(live_url, desk, junior, senior):
    cookie = session_cookie(junior, live_url)
    with _signed_in_page(cookie) as page:
        page.goto(f"{live_url}/queues/team/")
        page.locator("#bulk-all").check()
        expect(page.locator("#bulk-count")).to_have_text("(2 selected)")
        page.select_option("#id_bulk_assignee", str(senior.pk))
        _shoot(page, "bulk-bar")
        page.get_by_role("button", name="Apply to selected").click()
        expect(page.locator(".flash")).to_contain_text("2 tickets updated.")

    open_ids = {desk["tickets"][0].pk, desk["tickets"][2].pk}
    assert set(Ticket.objects.filter(assignee=senior).values_list("pk", flat=True)) == open_ids


def test_customer_panel_on_the_ticket_page(live_url, desk, junior):
    ticket = desk["tickets"][0]
    cookie = session_cookie(junior, live_url)
    with _signed_in_page(cookie) as page:
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        panel = page.locator("#customer-panel")
        expect(panel).to_contain_text("Vera Lindqvist")
        expect(panel).to_contain_text("Premium")
        expect(panel.locator(".customer-list a").first).to_have_text(
            f"#{desk['tickets'][2].pk} Plan upgrade question"
        )
        _shoot(page, "customer-panel")


def test_single_key_shortcuts_can_be_turned_off_and_stay_off(live_url, desk, junior):
    cookie = session_cookie(junior, live_url)
    with _signed_in_page(cookie) as page:
        page.goto(f"{live_url}/queues/team/")
        toggle = page.locator("#shortcuts-toggle")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        toggle.click()
        expect(toggle).to_have_text("Shortcuts off")
        page.goto(f"{live_url}/tickets/{desk['tickets'][0].pk}/")
        page.locator("h1").first.click()
        page.keyboard.press("/")
        page.keyboard.press("r")
        expect(page.locator("#header-search")).not_to_be_focused()
        expect(page.locator("#id_reply_body")).not_to_be_focused()
        page.locator("#shortcuts-toggle").click()
        page.locator("h1").first.click()
        page.keyboard.press("r")
        expect(page.locator("#id_reply_body")).to_be_focused()


def test_the_team_queue_fits_a_laptop_screen_and_its_filters_fill_a_phone(
    live_url, desk, junior, senior
):
    # Given a ticket with a long subject, tags, and an escalation awaiting acknowledgement
    ticket = desk["tickets"][0]
    ticket.subject = "Refund for the double charge on the March invoice of the Berlin office"
    ticket.save(update_fields=["subject"])
    services.ticket_update(ticket=ticket, actor=junior, tags=["refund", "vip", "billing"])
    factories.EscalationFactory(ticket=ticket, from_agent=junior, to_agent=senior)
    cookie = session_cookie(junior, live_url)
    with _signed_in_page(cookie) as page:
        page.goto(f"{live_url}/queues/team/")
        expect(page.locator(f'tr[data-ticket-id="{ticket.pk}"] .esc-pending')).to_be_visible()
        scroll = page.evaluate(
            "() => { const t = document.querySelector('.table-scroll');"
            " return [t.scrollWidth, t.clientWidth]; }"
        )
        subject_lines = page.evaluate(
            "() => { const a = document.querySelector('td[data-label=\"Ticket\"] a');"
            " return Math.round(a.getBoundingClientRect().height"
            " / parseFloat(getComputedStyle(a).lineHeight)); }"
        )
        page.set_viewport_size(PHONE)
        field, card = page.evaluate(
            "() => [document.querySelector('.filters .filter-field').getBoundingClientRect().width,"
            " document.querySelector('.filters').clientWidth]"
        )

    # Then the laptop shows every column without scrolling sideways, the subject on a few lines
    assert scroll[0] <= scroll[1], scroll
    assert subject_lines <= 4, subject_lines
    # and on a phone each filter takes the card's width
    assert field >= card - 2 * 12 - 1, (field, card)
