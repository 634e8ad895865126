"""The structured pinned summary in a real Chromium: a rule-fired and a manual escalation, and a
lead acknowledging on the receiver's behalf. Screenshots go to artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from escalations.models import TargetKind
from escalations.services import escalation_create_manual
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import services as ticket_services

pytestmark = [pytest.mark.browser]

ANGRY = "This is the third time I write. I want to cancel my account and talk to a lawyer."
HANDOFF = {
    "tried": "Re-sent the invoice twice and checked the payment log.",
    "diagnosis": "The card was charged twice by the billing sync.",
    "authority_needed": "A refund above my 50 EUR limit.",
}


@pytest.fixture
def ticket(transactional_db, queue, customer, junior):
    ticket = factories.TicketFactory(
        subject="Charged twice", queue=queue, customer=customer, assignee=junior
    )
    ticket_services.message_add(ticket=ticket, author_type="customer", body="Hello, a question.")
    return ticket


def _pinned(live_url, agent, ticket_id, name, *, width=1280, acknowledge=False):
    ARTIFACTS.mkdir(exist_ok=True)
    cookie = session_cookie(agent, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket_id}/")
        pinned = page.locator("#pinned .pinned-summary")
        expect(pinned).to_have_count(1)
        if acknowledge:
            page.click("#pinned .ack-button")
            expect(page.locator("#pinned .acked")).to_contain_text("on behalf of")
        pinned.screenshot(path=str(ARTIFACTS / f"{name}.png"))
        text = pinned.inner_text()
        browser.close()
    return text


def test_a_rule_fired_summary_shows_the_evidence_and_who_held_the_ticket(
    live_url, ticket, team, junior, senior
):
    target = factories.TargetFactory(kind=TargetKind.AGENT, agent=senior, team=team)
    factories.RuleFactory(name="Angry customers", trigger_kind="sentiment_negative", target=target)
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)

    text = _pinned(live_url, senior, ticket.pk, "summary-rule-fired")

    assert f"“{ANGRY}”" in text
    assert f"None: rule “Angry customers” fired while {junior} held the ticket" in text
    assert "none written by" not in text


@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
def test_a_manual_summary_shows_the_three_handoff_fields(
    live_url, ticket, junior, senior, lead, width
):
    escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)

    text = _pinned(
        live_url, lead, ticket.pk, f"summary-manual-{width}", width=width, acknowledge=True
    )

    for label in ("Tried", "Diagnosis", "Authority needed"):
        assert label in text
    assert HANDOFF["authority_needed"] in text
    assert f"Acknowledged by {lead} on behalf of {senior}" in text
