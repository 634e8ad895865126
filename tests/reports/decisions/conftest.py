"""March 2026 escalations of team Support with known receiver feedback (hand-counted figures in
the tests)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests import factories
from tests.reports.conftest import at


def escalate(*, queue, rule=None, trigger, day, feedback=None, reason="", comment=""):
    escalation = factories.BackdatedEscalationFactory(
        ticket=factories.TicketFactory(queue=queue, subject=f"{trigger} on the {day}th"),
        rule=rule,
        rule_name=rule.name if rule else "",
        trigger=trigger,
        from_queue=queue,
        created_at=at(day),
    )
    if feedback is not None:
        factories.EscalationFeedbackFactory(
            escalation=escalation, needed=feedback, reason=reason, comment=comment
        )
    return escalation


@pytest.fixture
def judged_month(small_team):
    """Rules "Angry" (4 fired: needed, first level, customer not upset, unjudged), "Big refund"
    (2 fired, both needed), "Quiet" (never fired); 2 manual escalations (first level, unjudged).
    Not counted: an April "Angry" escalation and another team's rule firing on its own queue."""
    team, queue = small_team["team"], small_team["queue"]
    angry = factories.RuleFactory(name="Angry", team=team, trigger_kind="sentiment_negative")
    refund = factories.RuleFactory(name="Big refund", team=team, trigger_kind="refund_threshold")
    quiet = factories.RuleFactory(name="Quiet", team=team, trigger_kind="tier_upgrade")
    sentiment = "sentiment_negative"
    made = {
        "angry_needed": escalate(
            queue=queue,
            rule=angry,
            trigger=sentiment,
            day=5,
            feedback=True,
            reason="needed_authority",
        ),
        "angry_first_level": escalate(
            queue=queue,
            rule=angry,
            trigger=sentiment,
            day=6,
            feedback=False,
            reason="first_level",
            comment="A password reset",
        ),
        "angry_not_upset": escalate(
            queue=queue,
            rule=angry,
            trigger=sentiment,
            day=7,
            feedback=False,
            reason="customer_not_upset",
            comment="Just asking about delays",
        ),
        "angry_unjudged": escalate(queue=queue, rule=angry, trigger=sentiment, day=8),
        "refund_1": escalate(
            queue=queue,
            rule=refund,
            trigger="refund_threshold",
            day=9,
            feedback=True,
            reason="needed_authority",
        ),
        "refund_2": escalate(
            queue=queue, rule=refund, trigger="refund_threshold", day=10, feedback=True
        ),
        "manual_first_level": escalate(
            queue=queue, trigger="manual", day=11, feedback=False, reason="first_level"
        ),
        "manual_unjudged": escalate(queue=queue, trigger="manual", day=12),
    }
    april = factories.BackdatedEscalationFactory(
        ticket=factories.TicketFactory(queue=queue),
        rule=angry,
        trigger=sentiment,
        from_queue=queue,
        created_at=at(2, month=4),
    )
    factories.EscalationFeedbackFactory(escalation=april, needed=False, reason="duplicate")
    other_team = factories.TeamFactory(name="Billing")
    other_queue = factories.QueueFactory(name="Invoices", team=other_team)
    theirs = factories.RuleFactory(name="Theirs", team=other_team, trigger_kind=sentiment)
    escalate(queue=other_queue, rule=theirs, trigger=sentiment, day=5, feedback=False)
    return {**small_team, "rules": {"angry": angry, "refund": refund, "quiet": quiet}, **made}


@pytest.fixture
def client_for(db):
    """``client_for(agent)``: an API client signed in as the agent (``None``: anonymous)."""

    def make(agent) -> APIClient:
        client = APIClient()
        if agent is not None:
            client.force_authenticate(agent)
        return client

    return make
