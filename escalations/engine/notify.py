"""The agent notifications of an escalation (built in the transaction, pushed after commit)."""

from __future__ import annotations

from typing import Any

from escalations.models import Escalation


def escalation_notifications(
    *, escalation: Escalation, previous_id: int | None
) -> list[tuple[int, dict[str, Any]]]:
    """``(agent_id, event)`` pairs: the receiver is told it is theirs, the previous holder that
    it moved on (no silent reassignment)."""
    by = (
        f"rule “{escalation.rule_name}”"
        if escalation.rule_id is not None or escalation.rule_name
        else str(escalation.initiated_by or "the system")
    )
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
