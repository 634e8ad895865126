"""The periodic django-q2 tasks of every app, registered as ``Schedule`` rows.

Each app declares its own periodic work in its tasks module: ``PERIODIC_TASKS``, a tuple of
``PeriodicTask`` (the schedule's name, the task function, every how many minutes). The project
package's own tasks module (``kimondesk.api.tasks``, not an installed app) is listed in
``PROJECT_TASK_MODULES``. ``schedules_ensure`` collects them all and creates or updates one
``Schedule`` per task; it runs after every ``migrate`` (``escalations.schedules``), so a
deployment that migrates and starts ``qcluster`` has its periodic work without another command.

The same step keeps older rows from calling functions that no longer exist: a row whose task
was renamed (``RENAMED_TASKS``, periodic or deferred by ``task_enqueue_or_defer``) is pointed at
the new name, and any other row naming a function of this project that cannot be imported is
deleted (with a warning in the log).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec
from typing import Any, NamedTuple

from django.apps import apps
from django.utils.module_loading import import_string
from django_q.models import Schedule

logger = logging.getLogger(__name__)

# Task modules outside the installed apps' ``<app>.tasks``.
PROJECT_TASK_MODULES = ("kimondesk.api.tasks",)
# The task paths this step owns (rows naming other code are left alone).
PROJECT_TASK_PATHS = r"^(escalations|kimondesk|reports|tickets)\."

# Old dotted task name -> new one, for rows written before a rename. Tasks already in the broker
# under an old name fail once and are picked up again by their sweep (see docs/architecture.md).
RENAMED_TASKS: dict[str, str] = {
    "escalations.tasks.evaluate_ticket_event": "escalations.tasks.ticket_event_evaluate",
    "escalations.tasks_sla.sla_sweeper_task": "escalations.tasks.sla_sweeper_step",
    "escalations.tasks_sla.sla_sweeper_watchdog_task": "escalations.tasks.sla_sweeper_watchdog",
    "escalations.tasks_sla.sla_policy_changed_task": "escalations.tasks.sla_policy_recompute",
    "reports.tasks.refresh_recent_months": "reports.tasks.reports_rollup_refresh",
    "tickets.mail.tasks.reply_mail_send_task": "tickets.mail.tasks.reply_mail_send",
    "tickets.mail.tasks.mailboxes_poll_task": "tickets.mail.tasks.mailbox_polls_enqueue",
    "tickets.mail.tasks.mailbox_poll_task": "tickets.mail.tasks.mailbox_poll",
    "kimondesk.api.tasks.idempotency_records_purge_task": (
        "kimondesk.api.tasks.idempotency_records_purge"
    ),
}


class PeriodicTask(NamedTuple):
    name: str
    func: Callable[[], Any]
    minutes: int

    @property
    def path(self) -> str:
        """The dotted name django-q2 stores and imports."""
        return task_path(self.func)


def task_path(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _task_modules() -> list[str]:
    names = [f"{config.name}.tasks" for config in apps.get_app_configs()]
    return [name for name in names if find_spec(name) is not None] + list(PROJECT_TASK_MODULES)


def periodic_tasks() -> list[PeriodicTask]:
    """Every declared periodic task, app by app in ``INSTALLED_APPS`` order."""
    tasks: list[PeriodicTask] = []
    for name in _task_modules():
        tasks.extend(getattr(import_module(name), "PERIODIC_TASKS", ()))
    return tasks


def _importable(path: str) -> bool:
    try:
        import_string(path)
    except ImportError:
        return False
    return True


def schedules_stale_fix() -> int:
    """Point rows of renamed tasks at their new name; delete rows naming a function of this
    project that no longer exists. Returns how many rows were deleted."""
    for old, new in RENAMED_TASKS.items():
        Schedule.objects.filter(func=old).update(func=new)
    deleted = 0
    rows = Schedule.objects.filter(func__regex=PROJECT_TASK_PATHS)
    for pk, name, func in rows.values_list("pk", "name", "func"):
        if not _importable(func):
            logger.warning("deleting schedule %r: its task %s no longer exists", name, func)
            Schedule.objects.filter(pk=pk).delete()
            deleted += 1
    return deleted


def schedules_ensure() -> list[str]:
    """Fix stale rows, then create or update one ``Schedule`` per periodic task; returns the
    names."""
    schedules_stale_fix()
    tasks = periodic_tasks()
    for task in tasks:
        Schedule.objects.update_or_create(
            name=task.name,
            defaults={
                "func": task.path,
                "schedule_type": Schedule.MINUTES,
                "minutes": task.minutes,
                "repeats": -1,
            },
        )
    return [task.name for task in tasks]


def schedules_missing() -> list[str]:
    """The names of declared periodic tasks that have no ``Schedule`` row, sorted."""
    wanted = {task.name for task in periodic_tasks()}
    present = set(Schedule.objects.filter(name__in=wanted).values_list("name", flat=True))
    return sorted(wanted - present)
