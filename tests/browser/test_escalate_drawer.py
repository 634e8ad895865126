"""Escalating from the ticket page's drawer in a real Chromium: keyboard use (focus kept in the
drawer, Esc closes, focus returns), a refused handoff focuses the first invalid field, a sent one
pins the summary without a reload; without JavaScript the link opens the escalate page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from escalations.models import Escalation
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = [pytest.mark.browser]

HANDOFF = {
    "tried": "Re-sent the invoice twice and checked the payment log.",
    "diagnosis": "The card was charged twice by the billing sync.",
    "authority_needed": "A refund above my 50 EUR limit.",
}


@pytest.fixture
def ticket(transactional_db, queue, junior, lead):
    return factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)


def _active_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
def test_escalating_from_the_drawer_by_keyboard(live_url, ticket, junior, lead, width):
    ARTIFACTS.mkdir(exist_ok=True)
    cookie = session_cookie(junior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#ticket-page[data-caught-up]")).to_have_count(1)
        page.evaluate("window.__sameDocument = true")
        drawer = page.locator("#escalate-drawer")

        # Opened with the "e" shortcut: focus goes to the first field.
        page.keyboard.press("e")
        expect(drawer).to_be_visible()
        expect(page.locator("#id_tried")).to_be_focused()
        assert page.url.endswith(f"/tickets/{ticket.pk}/")

        # Esc closes and focus returns to the escalate link.
        page.keyboard.press("Escape")
        expect(drawer).to_be_hidden()
        expect(page.locator("#escalate-link")).to_be_focused()

        # Tab cycles inside the open drawer: from the last control back to the first.
        page.locator("#escalate-link").click()
        expect(page.locator("#id_tried")).to_be_focused()
        page.locator(".escalate-cancel").focus()
        page.keyboard.press("Tab")
        expect(page.locator("#escalate-drawer-close")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        expect(page.locator(".escalate-cancel")).to_be_focused()

        # A refused handoff: focus on the first invalid field, its error in aria-describedby.
        page.fill("#id_tried", HANDOFF["tried"])
        page.locator("#escalate-form button[type=submit]").click()
        diagnosis = page.locator("#id_diagnosis")
        expect(diagnosis).to_be_focused()
        expect(diagnosis).to_have_attribute("aria-invalid", "true")
        described = diagnosis.get_attribute("aria-describedby") or ""
        assert "id_diagnosis_error" in described.split()
        expect(page.locator("#id_diagnosis_error")).to_contain_text("required")
        expect(page.locator("#id_tried")).to_have_value(HANDOFF["tried"])
        drawer.screenshot(path=str(ARTIFACTS / f"escalate-drawer-errors-{width}.png"))

        # A sent handoff: the drawer closes and the pinned summary arrives without a reload.
        page.fill("#id_diagnosis", HANDOFF["diagnosis"])
        page.fill("#id_authority_needed", HANDOFF["authority_needed"])
        page.locator("#escalate-form button[type=submit]").click()
        expect(drawer).to_be_hidden()
        expect(page.locator("#escalate-link")).to_be_focused()
        pinned = page.locator("#pinned .pinned-summary")
        expect(pinned).to_have_count(1)
        expect(pinned).to_contain_text(HANDOFF["authority_needed"])
        expect(page.locator("#escalate-status")).to_have_text(f"Escalated to {lead}.")
        assert page.evaluate("window.__sameDocument") is True
        page.screenshot(path=str(ARTIFACTS / f"escalate-drawer-sent-{width}.png"))
        browser.close()

    escalation = Escalation.objects.get()
    assert escalation.from_agent == junior
    assert escalation.to_agent == lead


def test_without_javascript_the_link_opens_the_escalate_page(live_url, ticket, junior, lead):
    cookie = session_cookie(junior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(java_script_enabled=False)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#escalate-drawer")).to_be_hidden()
        page.click("#escalate-link")
        expect(page).to_have_url(f"{live_url}/tickets/{ticket.pk}/escalate/")
        page.fill("#id_tried", HANDOFF["tried"])
        page.click("#escalate-form button[type=submit]")
        # The first invalid field has autofocus: focus lands there without JavaScript.
        expect(page.locator("#id_diagnosis")).to_be_focused()
        page.fill("#id_diagnosis", HANDOFF["diagnosis"])
        page.fill("#id_authority_needed", HANDOFF["authority_needed"])
        page.click("#escalate-form button[type=submit]")
        expect(page).to_have_url(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#pinned .pinned-summary")).to_contain_text(HANDOFF["diagnosis"])
        browser.close()
    assert Escalation.objects.count() == 1
