"""Escalations not acknowledged in time go one level up (the team lead)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from escalations.models import TriggerKey
from escalations.selectors import escalations_unacknowledged_due
from escalations.sweeps import sweep_row_isolated

from .escalate import EscalationRequest, escalation_execute


def escalations_unacknowledged_bump(*, now: datetime | None = None) -> int:
    """Take every overdue, unacknowledged escalation one level up; returns how many moved.

    Exactly once per escalation: the bump's occurrence is ``unacknowledged:<id>``. One that
    fails is logged and skipped; the others still move.
    """
    now = now or timezone.now()
    moved = 0
    for parent in escalations_unacknowledged_due(now=now):
        limit = parent.rule.ack_limit_minutes if parent.rule else None
        request = EscalationRequest(
            ticket_id=parent.ticket_id,
            trigger=TriggerKey.UNACKNOWLEDGED,
            occurrence=f"unacknowledged:{parent.pk}",
            sentence=(
                f"{parent.to_agent} did not acknowledge escalation {parent.pk} within {limit} min."
            ),
            evidence={
                "escalation": parent.pk,
                "receiver": parent.to_agent_id,
                "limit_minutes": limit,
            },
            rule=parent.rule,
            parent=parent,
        )
        with sweep_row_isolated(sweep="Unacknowledged sweep", row=f"escalation {parent.pk}"):
            moved += int(escalation_execute(request=request).created)
    return moved
