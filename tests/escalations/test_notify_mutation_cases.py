"""The agent notifications of an escalation (``escalations/engine/notify.py``): who is told what.

Pure: built from unsaved rows, no database. The cases a mutation run of the module showed
unguarded; the pushes themselves are in ``test_escalation_manual.py`` and ``test_evaluation.py``.
"""

from __future__ import annotations

import pytest

from escalations.engine.notify import escalation_notifications
from escalations.models import Escalation
from tickets.models import Agent, Queue

ANN = Agent(pk=3, username="ann", name="Ann")
LEE = Agent(pk=4, username="lee", name="Lee")
BILLING = Queue(pk=8, name="Billing")


def escalation(**fields) -> Escalation:
    return Escalation(pk=21, ticket_id=5, **fields)


def assigned(message: str) -> dict:
    return {"type": "escalation.assigned", "ticket": 5, "escalation": 21, "message": message}


def handed_off(message: str) -> dict:
    return {"type": "escalation.handed_off", "ticket": 5, "escalation": 21, "message": message}


@pytest.mark.parametrize(
    ("fields", "by"),
    [
        pytest.param({"rule_id": 2, "rule_name": "VIP"}, "rule “VIP”", id="rule"),
        pytest.param({"rule_id": None, "rule_name": "Gone"}, "rule “Gone”", id="deleted-rule"),
        pytest.param({"rule_id": 2, "rule_name": ""}, "rule “”", id="rule-without-name"),
        pytest.param({"initiated_by": ANN}, "Ann", id="person"),
        pytest.param({}, "the system", id="nobody"),
    ],
)
def test_the_receiver_is_told_who_escalated(fields, by):
    pairs = escalation_notifications(
        escalation=escalation(to_agent=LEE, **fields), previous_id=None
    )

    assert pairs == [(4, assigned(f"#5 escalated to you by {by}."))]


def test_the_previous_holder_is_told_where_it_went():
    pairs = escalation_notifications(
        escalation=escalation(to_agent=LEE, rule_id=2, rule_name="VIP"), previous_id=9
    )

    assert pairs == [
        (4, assigned("#5 escalated to you by rule “VIP”.")),
        (9, handed_off("#5 was escalated to Lee by rule “VIP”; you still follow it.")),
    ]


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        pytest.param({"to_queue": BILLING}, "Billing", id="a-queue-without-receiver"),
        pytest.param({}, "Slack", id="slack"),
        pytest.param({"to_agent": LEE, "to_queue": BILLING}, "Lee", id="a-receiver-in-a-queue"),
    ],
)
def test_where_a_ticket_without_a_receiver_went(fields, where):
    pairs = escalation_notifications(
        escalation=escalation(initiated_by=ANN, **fields), previous_id=9
    )

    assert pairs[-1] == (9, handed_off(f"#5 was escalated to {where} by Ann; you still follow it."))
    assert len(pairs) == (2 if "to_agent" in fields else 1)


@pytest.mark.parametrize(
    ("previous_id", "told"),
    [
        pytest.param(None, [4], id="no-previous-holder"),
        pytest.param(4, [4], id="the-receiver-held-it"),
        pytest.param(3, [4], id="the-holder-escalated-it-themselves"),
        pytest.param(9, [4, 9], id="another-holder"),
    ],
)
def test_who_is_told(previous_id, told):
    pairs = escalation_notifications(
        escalation=escalation(to_agent=LEE, initiated_by=ANN), previous_id=previous_id
    )

    assert [agent_id for agent_id, _ in pairs] == told
