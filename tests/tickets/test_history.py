"""The History card in words: an escalation reads as one, naming the rule that fired it (by the
name it had then) or the agent who escalated by hand; a Slack post that moves nothing still shows."""

from __future__ import annotations

import pytest

from escalations.engine.escalate import EscalationRequest, escalation_execute
from escalations.models import TargetKind
from escalations.services import escalation_create_manual
from tests import factories
from tickets import services
from tickets.history import ticket_history

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"


@pytest.fixture
def ticket(queue, lead, junior):
    ticket = services.ticket_create(
        subject="Charged twice", customer=factories.CustomerFactory(), body="Hi", queue=queue
    )
    services.ticket_update(ticket=ticket, actor=lead, assignee=junior)
    return ticket


def _fire(ticket, rule, occurrence):
    outcome = escalation_execute(
        request=EscalationRequest(
            ticket_id=ticket.pk,
            trigger="sentiment_negative",
            occurrence=occurrence,
            sentence="The customer's message reads as angry.",
            rule=rule,
            target=rule.target,
        )
    )
    assert outcome.created
    return outcome.escalation


def _lines(ticket):
    return [(line.actor, line.text, line.via) for line in ticket_history(ticket=ticket)]


def test_a_rule_fired_escalation_reads_as_one_with_the_rules_name_at_the_time(
    ticket, team, lead, junior
):
    rule = factories.RuleFactory(name="Angry customer to the lead", team=team, kind="escalation")
    _fire(ticket, rule, "message:1")
    rule.name = "Renamed later"
    rule.save(update_fields=["name"])

    assert _lines(ticket)[:2] == [
        ("KimonDesk", f"escalated the ticket to {lead}", "rule “Angry customer to the lead”"),
        (str(lead), f"assigned the ticket to {junior}", ""),
    ]


def test_a_manual_escalation_names_the_agent_and_no_rule(ticket, lead, junior):
    escalation_create_manual(
        ticket=ticket,
        actor=junior,
        tried="Re-sent the invoice",
        diagnosis="Charged twice by the provider",
        authority_needed="A refund above my limit",
    )

    assert _lines(ticket)[0] == (str(junior), f"escalated the ticket to {lead}", "")


def test_an_escalation_that_moves_nothing_still_shows(ticket, team, junior):
    slack = factories.TargetFactory(
        name="Billing channel", kind=TargetKind.SLACK, team=team, slack_webhook_url=SLACK_URL
    )
    rule = factories.RuleFactory(name="Angry to Slack", team=team, kind="escalation", target=slack)
    _fire(ticket, rule, "message:2")

    lines = _lines(ticket)
    assert lines[0] == (
        "KimonDesk",
        "escalated the ticket; it stays with its holder",
        "rule “Angry to Slack”",
    )
    assert ticket.__class__.objects.get(pk=ticket.pk).assignee == junior
