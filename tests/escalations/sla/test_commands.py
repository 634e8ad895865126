"""Management commands: one sweep, schedules, recompute."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django_q.models import Schedule

from kimondesk.schedules import periodic_tasks

from .conftest import T0, clock_of


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sla_sweep_command_announces_due_crossings(policy, make_ticket, now):
    make_ticket()
    now.at = T0 + timedelta(minutes=50)
    assert run("sla_sweep") == "1 crossing(s) announced\n"
    assert run("sla_sweep") == "0 crossing(s) announced\n"


def test_ensure_schedules_command_registers_every_periodic_task(db):
    Schedule.objects.all().delete()
    assert run("ensure_schedules") == "".join(f"schedule ok: {t.name}\n" for t in periodic_tasks())
    assert Schedule.objects.filter(name="sla-sweeper-watchdog").count() == 1
    assert Schedule.objects.count() == len(periodic_tasks())


def test_sla_recompute_command_applies_edited_targets(policy, make_ticket, now):
    ticket = make_ticket()
    policy.targets.filter(metric="resolution").update(minutes=240)
    assert run("sla_recompute") == "1 clock(s) changed\n"
    assert clock_of(ticket, "resolution").due_at == T0 + timedelta(hours=4)
