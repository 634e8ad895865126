"""Periodic schedules: every app declares its own; stale rows are fixed by the same step."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.models import Schedule

from kimondesk.schedules import RENAMED_TASKS, periodic_tasks, schedules_ensure

pytestmark = pytest.mark.django_db


def test_each_app_declares_its_periodic_tasks_in_its_own_tasks_module():
    # Given the declared periodic tasks
    declared = {task.name: task.path for task in periodic_tasks()}

    # Then each one names a task function of the module that declares it
    assert declared == {
        "escalations-unacknowledged-sweep": "escalations.tasks.escalations_unacknowledged_sweep",
        "deliveries-due-sweep": "escalations.tasks.deliveries_due_sweep",
        "evaluations-missed-sweep": "escalations.tasks.evaluations_missed_sweep",
        "sla-sweeper-watchdog": "escalations.tasks.sla_sweeper_watchdog",
        "reports-rollup-refresh": "reports.tasks.reports_rollup_refresh",
        "mail-mailboxes-poll": "tickets.mail.tasks.mailbox_polls_enqueue",
        "mail-replies-due-sweep": "tickets.mail.tasks.reply_mails_due_sweep",
        "idempotency-records-purge": "kimondesk.api.tasks.idempotency_records_purge",
    }
    assert all(callable(import_string(path)) for path in declared.values())


def test_every_renamed_task_points_at_a_function_that_exists():
    assert all(callable(import_string(new)) for new in RENAMED_TASKS.values())


def test_a_periodic_row_of_a_renamed_task_is_updated_after_migrate():
    # Given a deployment whose schedules were written before the tasks were renamed
    Schedule.objects.all().delete()
    for name, func, minutes in (
        ("reports-rollup-refresh", "reports.tasks.refresh_recent_months", 15),
        ("sla-sweeper-watchdog", "escalations.tasks_sla.sla_sweeper_watchdog_task", 1),
    ):
        Schedule.objects.create(
            name=name, func=func, schedule_type=Schedule.MINUTES, minutes=minutes, repeats=-1
        )

    # When it migrates
    call_command("migrate", verbosity=0)

    # Then one row per periodic task, each calling the new name
    rows = dict(Schedule.objects.values_list("name", "func"))
    assert rows["reports-rollup-refresh"] == "reports.tasks.reports_rollup_refresh"
    assert rows["sla-sweeper-watchdog"] == "escalations.tasks.sla_sweeper_watchdog"
    assert Schedule.objects.count() == len(periodic_tasks())


def test_a_deferred_task_under_an_old_name_is_renamed_not_lost():
    # Given a reply send deferred while the broker was down, under the task's old name
    Schedule.objects.all().delete()
    deferred = Schedule.objects.create(
        func="tickets.mail.tasks.reply_mail_send_task",
        args="(7,)",
        schedule_type=Schedule.ONCE,
        repeats=1,
    )

    # When the schedules are ensured
    schedules_ensure()

    # Then it still runs, under the new name, with its arguments
    deferred.refresh_from_db()
    assert (deferred.func, deferred.args, deferred.schedule_type) == (
        "tickets.mail.tasks.reply_mail_send",
        "(7,)",
        Schedule.ONCE,
    )


def test_a_row_calling_a_removed_function_of_the_project_is_deleted(caplog):
    # Given a schedule calling a function that no longer exists, and one of other code
    Schedule.objects.all().delete()
    Schedule.objects.create(name="gone", func="escalations.tasks_sla.sla_gone_task", repeats=-1)
    Schedule.objects.create(name="theirs", func="somewhere.else.task", repeats=-1)

    # When the schedules are ensured
    names = schedules_ensure()

    # Then the stale row is gone (and said so in the log); the other code's row is left alone
    assert set(Schedule.objects.values_list("name", flat=True)) == {*names, "theirs"}
    assert "deleting schedule 'gone': its task escalations.tasks_sla.sla_gone_task" in caplog.text
