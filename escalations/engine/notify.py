"""The agent notifications of an escalation (built in the transaction, pushed after commit)."""

from __future__ import annotations

from typing import Any

from escalations.models import Escalation
from tickets.models import Agent


def escalation_notifications(
    *, escalation: Escalation, previous_id: int | None
) -> list[tuple[int, dict[str, Any]]]:
    """``(agent_id, event)`` pairs: the receiver is told it is theirs, the previous holder that
    it moved on (no silent reassignment)."""
    by = _escalated_by(escalation)
    ref = f"#{escalation.ticket_id}"
    pairs: list[tuple[int, dict[str, Any]]] = []
    base = {"ticket": escalation.ticket_id, "escalation": escalation.pk}
    to_id = escalation.to_agent_id
    if to_id is not None:
        pairs.append(
            (
                to_id,
                {
                    "type": "escalation.assigned",
                    **base,
                    "message": f"{ref} escalated to you by {by}.",
                },
            )
        )
    # The previous holder is told unless they escalated it themselves.
    if previous_id is not None and previous_id not in (to_id, escalation.initiated_by_id):
        where = str(escalation.to_agent) if escalation.to_agent else "Slack"
        if escalation.to_agent is None and escalation.to_queue is not None:
            where = escalation.to_queue.name
        pairs.append(
            (
                previous_id,
                {
                    "type": "escalation.handed_off",
                    **base,
                    "message": f"{ref} was escalated to {where} by {by}; you still follow it.",
                },
            )
        )
    return pairs


def _escalated_by(escalation: Escalation) -> str:
    """Who escalated, in a notification's words: the rule, else the agent."""
    if escalation.rule_id is not None or escalation.rule_name:
        return f"rule “{escalation.rule_name}”"
    return str(escalation.initiated_by or "the system")


def acknowledged_notification_message(
    *, escalation: Escalation, by: Agent, on_behalf_of: Agent | None
) -> str:
    """What the ticket's previous holder is told when another acknowledges the escalation: as
    theirs if they escalated it, else naming the rule or agent that did."""
    by_words = f"{by} on behalf of {on_behalf_of}" if on_behalf_of is not None else str(by)
    ref = f"#{escalation.ticket_id}"
    if (
        escalation.initiated_by_id is not None
        and escalation.initiated_by_id == escalation.from_agent_id
    ):
        return f"{ref}: your escalation was acknowledged by {by_words}."
    return f"{ref}: the escalation by {_escalated_by(escalation)} was acknowledged by {by_words}."
