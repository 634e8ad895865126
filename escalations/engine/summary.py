"""The pinned summary note of an escalation, as plain text (pure: no queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class Handoff:
    """What the handing-off agent tried, what they think the issue is, what authority they need."""

    tried: str
    diagnosis: str
    authority_needed: str


def duration_words(seconds: float) -> str:
    """``3 h 5 min``, ``12 min``, ``2 d 4 h``, ``under 1 min``."""
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "under 1 min"


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


def sla_words(sla: dict[str, Any]) -> str:
    """The SLA clock in words: state, due time and time left (or overdue)."""
    state = sla.get("state")
    if not state:
        return "SLA: no clock is running."
    metric = str(sla.get("metric") or "first_response").replace("_", " ")
    due = _when(sla.get("due_at") or sla.get("first_response_due_at"))
    parts = [f"SLA: {metric} {state}"]
    if due is not None:
        parts.append(f"due {due.astimezone(due.tzinfo).strftime('%Y-%m-%d %H:%M %Z')}")
    remaining = sla.get("remaining_seconds")
    if isinstance(remaining, int | float):
        if remaining >= 0:
            parts.append(f"{duration_words(remaining)} left")
        else:
            parts.append(f"overdue by {duration_words(remaining)}")
    return ", ".join(parts) + "."


def escalation_summary_text(
    *,
    trigger_label: str,
    sentence: str,
    reassigned_by: str,
    route: str,
    handoff: Handoff | None,
    handoff_author: str,
    last_customer_excerpt: str,
    sla: dict[str, Any],
    route_notes: list[str] | tuple[str, ...] = (),
) -> str:
    """The summary note: what changed, who reassigned it, the handoff, and the SLA clock."""
    lines = [
        f"Escalated: {trigger_label}",
        f"What changed: {sentence}",
        f"Reassigned by: {reassigned_by}",
        f"Route: {route}",
    ]
    lines.extend(f"Route note: {note}" for note in route_notes)
    if handoff is not None:
        lines += [
            f"Handoff from {handoff_author}:",
            f"- Tried: {handoff.tried}",
            f"- Diagnosis: {handoff.diagnosis}",
            f"- Authority needed: {handoff.authority_needed}",
        ]
    else:
        lines.append(f"Handoff: none written by {handoff_author}.")
        if last_customer_excerpt:
            lines.append(f"Last customer message: “{last_customer_excerpt}”")
        else:
            lines.append("Last customer message: none.")
    lines.append(sla_words(sla))
    return "\n".join(lines)
