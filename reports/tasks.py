"""django-q2 tasks of the coaching report (thin: they call one service). ``PERIODIC_TASKS``
are this app's schedules (registered after ``migrate`` by ``kimondesk.schedules``)."""

from __future__ import annotations

from kimondesk.schedules import PeriodicTask

from .services import agent_month_cells_refresh_recent


def reports_rollup_refresh() -> int:
    """Scheduled every 15 minutes: recompute the current and previous month of every team."""
    return agent_month_cells_refresh_recent()


PERIODIC_TASKS = (PeriodicTask("reports-rollup-refresh", reports_rollup_refresh, 15),)
