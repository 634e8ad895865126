"""django-q2 tasks of the coaching report (thin: they call one service)."""

from __future__ import annotations

from .services import agent_month_cells_refresh_recent


def refresh_recent_months() -> int:
    """Scheduled every 15 minutes: recompute the current and previous month of every team."""
    return agent_month_cells_refresh_recent()
