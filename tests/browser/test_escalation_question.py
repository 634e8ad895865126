"""Asking the agent who escalated, in a real Chromium: the receiver asks from the pinned summary;
the escalating agent, on the ticket page, gets the notification toast and sees the question arrive
in the conversation without a reload."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from escalations.services import escalation_create_manual
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets.models import Note
from tickets.templatetags.workspace_ui import exact_time

pytestmark = [pytest.mark.browser]

QUESTION = "Did the customer confirm the last four digits of the card?"
HANDOFF = {
    "tried": "Re-sent the invoice twice and checked the payment log.",
    "diagnosis": "The card was charged twice by the billing sync.",
    "authority_needed": "A refund above my 50 EUR limit.",
}


@pytest.fixture
def escalation(transactional_db, team, queue, junior, senior):
    team.timezone = "Europe/Berlin"
    team.save(update_fields=["timezone"])
    ticket = factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)
    return escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)


def test_the_receiver_asks_and_the_escalating_agent_sees_it_live(
    live_url, escalation, junior, senior
):
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_url}/tickets/{escalation.ticket_id}/"
    asked_cookie, asker_cookie = session_cookie(junior, live_url), session_cookie(senior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        asked_context = browser.new_context(viewport={"width": 1280, "height": 900})
        asked_context.add_cookies([asked_cookie])
        asked = asked_context.new_page()
        asked.goto(url)
        expect(asked.locator("#ticket-page[data-caught-up]")).to_have_count(1)
        expect(asked.locator("#pinned .ask-question")).to_have_count(0)

        asker_context = browser.new_context(viewport={"width": 1280, "height": 900})
        asker_context.add_cookies([asker_cookie])
        asker = asker_context.new_page()
        asker.goto(url)
        # The page's first catch-up redraws the pinned summaries: open the form after it.
        expect(asker.locator("#ticket-page[data-caught-up]")).to_have_count(1)
        asker.locator("#pinned .ask-question summary").click()
        asker.fill(f"#question-{escalation.pk}", QUESTION)
        asker.locator("#pinned .ask-form button[type=submit]").click()
        expect(asker.locator(".timeline .note-question")).to_contain_text(QUESTION)

        entry = asked.locator(".timeline .note-question")
        expect(entry).to_contain_text(QUESTION)
        expect(entry).to_contain_text(f"to {junior}")
        # The time of a note that arrived live reads as the server writes one ({% when %}).
        live_time = entry.locator("time.when")
        expect(live_time).to_have_text("just now")
        live_title = live_time.get_attribute("title")
        expect(asked.locator("#notifications .toast")).to_contain_text(
            f"{senior} asked about your escalation"
        )
        expect(asked.locator("#unread-count")).to_contain_text("1")
        asked.screenshot(path=str(ARTIFACTS / "escalation-question-asked.png"))
        browser.close()

    note = Note.objects.get(kind="question")
    assert (note.author, note.addressed_to, note.body) == (senior, junior, QUESTION)
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert live_title == exact_time(note.created_at)
