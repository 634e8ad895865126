"""Template helpers of the agent pages: the SLA badge and short durations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tickets.models import Note

register = template.Library()

SLA_LABELS = {
    "green": "On track",
    "amber": "At risk",
    "red": "Breached",
    "paused": "Paused",
    "met": "Met",
}
TICKING_STATES = ("green", "amber", "red")


def duration_short(seconds: float) -> str:
    """``3d 4h``, ``2h 5m``, ``12m``, ``40s``: what fits in a badge."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


def sla_badge_context(sla: dict[str, Any] | None) -> dict[str, Any]:
    """The badge's words, colour and ``data-due`` from an SLA summary (``sla_summary`` shape)."""
    state = (sla or {}).get("state")
    if not state:
        return {
            "state": "none",
            "label": "No SLA",
            "left": "",
            "due_iso": "",
            "due": None,
            "metric": "",
        }
    due = _as_datetime(sla.get("due_at")) if sla else None
    left = ""
    if due is not None and state in TICKING_STATES:
        remaining = (due - timezone.now()).total_seconds()
        left = (
            f"{duration_short(remaining)} left"
            if remaining >= 0
            else f"{duration_short(remaining)} over"
        )
    metric = (sla or {}).get("metric") or ""
    return {
        "state": state,
        "label": SLA_LABELS.get(state, state),
        "left": left,
        "due_iso": due.isoformat() if due is not None and state in TICKING_STATES else "",
        "due": due if state in TICKING_STATES else None,
        "metric": metric.replace("_", " "),
    }


@register.inclusion_tag("tickets/_sla_badge.html")
def sla_badge(sla: dict[str, Any] | None) -> dict[str, Any]:
    return sla_badge_context(sla)


@register.inclusion_tag("tickets/_sla_line.html")
def sla_line(sla: dict[str, Any] | None) -> dict[str, Any]:
    """The pinned summary's SLA line: the same clock and time left as the header badge (both
    from ``sla_summary``: the running clock due first), named, with its due time."""
    return sla_badge_context(sla)


@register.filter
def is_note(item: object) -> bool:
    return isinstance(item, Note)


@register.filter
def metric_label(metric: str | None) -> str:
    return (metric or "").replace("_", " ").capitalize()
