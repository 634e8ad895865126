"""The SLA sweeper's registration: part of the one list in ``escalations.schedules``."""

from __future__ import annotations

from escalations.schedules import SCHEDULES, schedules_ensure

WATCHDOG_NAME = "sla-sweeper-watchdog"
WATCHDOG_FUNC = next(task.func for task in SCHEDULES if task.name == WATCHDOG_NAME)


def sla_schedules_ensure() -> None:
    """The once-a-minute watchdog schedule (with every other), and a sweeper chain started."""
    schedules_ensure()
