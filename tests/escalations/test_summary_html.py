"""The pinned summary's HTML (pushed live, the same for every viewer): labelled fields from the
stored structure; old rows without one show their note."""

from __future__ import annotations

import pytest

from escalations.presentation import escalation_summary_event
from escalations.services import escalation_create_manual
from tests import factories
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

HANDOFF = {
    "tried": "Re-sent the invoice twice.",
    "diagnosis": "Billing sync is stuck.",
    "authority_needed": "Issue a credit note.",
}
ANGRY = "This is the third time I write. I want to cancel my account and talk to a lawyer."


def fields(html: str) -> list[str]:
    """The ``<dt>`` labels, in order."""
    return [part.split("</dt>")[0] for part in html.split("<dt>")[1:]]


def test_a_manual_summary_shows_route_and_the_three_handoff_fields(make_ticket, junior, lead):
    ticket = make_ticket(holder=junior)

    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)
    html = escalation_summary_event(escalation=escalation)["html"]

    assert fields(html) == ["Trigger", "Route", "Tried", "Diagnosis", "Authority needed"]
    assert (
        f'<span class="route-from">{junior}</span> → <span class="route-to">{lead}</span>' in html
    )
    assert f'<span class="route-by">by {junior}</span>' in html
    assert f"Handoff from {junior}" in html
    assert "<dd>Billing sync is stuck.</dd>" in html
    # The SLA line is the page's, from the clock as it is now (``{% sla_line %}``), not a copy
    # of the clock at escalation time.
    assert "summary-sla" not in html
    assert "Acknowledge" not in html


def test_a_rule_fired_summary_shows_the_evidence_and_why_there_is_no_handoff(
    make_ticket, junior, senior, senior_target, django_capture_on_commit_callbacks
):
    factories.RuleFactory(
        name="Angry customers", trigger_kind="sentiment_negative", target=senior_target
    )
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    escalation = ticket.escalations.get()
    html = escalation_summary_event(escalation=escalation)["html"]

    # The sentence quotes the message and gives its score: said once, not again as the
    # evidence lines "Customer wrote" and "Sentiment score".
    assert fields(html) == ["Trigger", "Route"]
    assert html.count(f"“{ANGRY}”") == 1
    assert f": “{ANGRY}”</dd>" in html
    # the message the trigger quotes is not repeated as the last customer message either
    assert "Last customer message" not in html
    assert (
        f'<p class="no-handoff">None: rule “Angry customers” fired while {junior} held the ticket, '
        "so no handoff was written.</p>"
    ) in html
    assert "none written by" not in html


def test_an_escalation_without_a_stored_structure_shows_its_note(make_ticket, junior, lead):
    ticket = make_ticket(holder=junior)
    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)
    escalation.summary = {}
    escalation.save(update_fields=["summary"])

    html = escalation_summary_event(escalation=escalation)["html"]

    assert fields(html) == []
    assert "Handoff from" in html
    assert '<div class="note-body">' in html
