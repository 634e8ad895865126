"""The macro picker in a real Chromium: pick a macro with the keyboard, edit the text, send;
the ticket history says "via macro". The "m" shortcut follows the agent's shortcuts switch."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets.macros.models import MacroUse
from tickets.models import Message

pytestmark = [pytest.mark.browser]


@pytest.fixture
def ticket(transactional_db, queue, junior):
    customer = factories.CustomerFactory(name="Ada <Lovelace>")
    return factories.TicketFactory(
        subject="Refund please", queue=queue, assignee=junior, customer=customer, status="open"
    )


@pytest.fixture
def macros(transactional_db, team):
    factories.MacroFactory(team=team, name="Outage", body="We know, sorry.")
    return factories.MacroFactory(
        team=team,
        name="Refund under 200",
        body="Hi {{ customer_name }}, a refund of {{ refund_amount }} is on its way.",
        set_status="pending",
        add_tags=["refund"],
    )


def test_pick_a_macro_with_the_keyboard_edit_send_and_the_history_says_via_macro(
    live_url, ticket, macros, junior
):
    ARTIFACTS.mkdir(exist_ok=True)
    cookie = session_cookie(junior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#macro-open")).to_be_visible()

        # Shortcuts turned off: "m" does nothing.
        page.click("#shortcuts-toggle")
        page.locator("h1").click()
        page.keyboard.press("m")
        expect(page.locator("#macro-dialog")).to_be_hidden()
        page.click("#shortcuts-toggle")

        # "m" opens the picker; the search narrows it; Enter inserts the filled-in text.
        page.locator("h1").click()
        page.keyboard.press("m")
        expect(page.locator("#macro-search")).to_be_focused()
        expect(page.locator("#macro-list [role=option]")).to_have_count(2)
        page.keyboard.type("refund")
        expect(page.locator("#macro-list [role=option]")).to_have_count(1)
        expect(page.locator("#macro-list [aria-selected=true]")).to_contain_text("Refund under 200")
        expect(page.locator("#macro-preview .macro-gaps")).to_have_text(
            "Fill in before sending: refund amount."
        )
        page.locator("#macro-picker").screenshot(path=str(ARTIFACTS / "macro-picker.png"))
        page.keyboard.press("Enter")
        reply = page.locator("#id_reply_body")
        expect(reply).to_be_focused()
        expect(reply).to_have_value("Hi Ada <Lovelace>, a refund of [refund amount] is on its way.")
        expect(page.locator("#macro-chosen")).to_contain_text(
            "From macro “Refund under 200”; sending will also set status to Pending, add tags refund."
        )
        # Nothing was sent yet: the agent edits first (typing replaces the selected gap).
        page.wait_for_timeout(300)
        expect(page.locator("#timeline-list .entry")).to_have_count(0)
        page.keyboard.type("80 EUR")
        page.keyboard.press("Control+End")
        page.keyboard.type(" Thanks for waiting!")
        page.locator("#reply-form").screenshot(path=str(ARTIFACTS / "macro-inserted.png"))
        page.click("#reply-form button[type=submit]")

        expect(page.locator(".flash")).to_contain_text("Reply sent via macro “Refund under 200”.")
        history = page.locator("#ticket-history")
        expect(history).to_contain_text("set status Open → Pending via macro Refund under 200")
        expect(history).to_contain_text("replied to the customer via macro Refund under 200")
        history.screenshot(path=str(ARTIFACTS / "macro-history.png"))
        browser.close()

    message = Message.objects.get()
    assert (
        message.body == "Hi Ada <Lovelace>, a refund of 80 EUR is on its way. Thanks for waiting!"
    )
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert list(ticket.tags.values_list("name", flat=True)) == ["refund"]
    use = MacroUse.objects.get()
    assert (use.macro_id, use.agent_id, use.message_id) == (macros.pk, junior.pk, message.pk)
