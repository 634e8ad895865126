"""Cases for ``escalations/engine/escalate.py`` that its other tests leave open (see
docs/mutation.md): the guards' messages and codes, the resolution's refusals, the rows and
texts an escalation writes, and what goes out after commit."""

from __future__ import annotations

import pytest

from escalations.engine.escalate import EscalationRequest, escalation_execute
from escalations.models import AuditEvent, Escalation, TriggerKey
from tests import factories

pytestmark = pytest.mark.django_db


def rule_request(ticket, rule, *, occurrence="o:1", **kwargs) -> EscalationRequest:
    return EscalationRequest(
        ticket_id=ticket.pk,
        trigger=kwargs.pop("trigger", TriggerKey.REFUND_THRESHOLD),
        occurrence=occurrence,
        sentence="A refund of 800.00 USD was requested.",
        rule=rule,
        target=kwargs.pop("target", rule.target if rule is not None else None),
        **kwargs,
    )


def test_a_closed_ticket_is_not_escalated_and_the_refusal_is_recorded(
    make_ticket, junior, senior, senior_target
):
    rule = factories.RuleFactory(name="Big refunds", target=senior_target)
    ticket = make_ticket(holder=junior)
    ticket.status = "closed"
    ticket.save(update_fields=["status"])

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert (outcome.escalation, outcome.created) == (None, False)
    assert outcome.refused == "The ticket is closed."
    assert Escalation.objects.count() == 0
    assert [(a.kind, a.actor_label, a.data) for a in AuditEvent.objects.all()] == [
        (
            "escalation_suppressed",
            "rule: Big refunds",
            {
                "rule": rule.pk,
                "trigger": "refund_threshold",
                "occurrence": "o:1",
                "reason": "The ticket is closed.",
                "code": "ticket_closed",
            },
        )
    ]
