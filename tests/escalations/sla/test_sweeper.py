"""The sweeper chain: its lease, its loop, its schedule and its task adapters."""

from __future__ import annotations

from datetime import timedelta

from django_q.models import Schedule

from escalations.models import TaskLease
from escalations.schedules import schedules_ensure
from escalations.sla.sweeper import (
    SweeperSettings,
    sla_sweeper_enqueue,
    sla_sweeper_is_alive,
    sla_sweeper_lease_release,
    sla_sweeper_lease_take,
    sla_sweeper_run,
)
from escalations.tasks import sla_policy_recompute, sla_sweeper_watchdog
from kimondesk.schedules import periodic_tasks
from tickets.models import EventKind, TicketEvent

from .conftest import T0, clock_of


def test_lease_has_one_holder_until_it_expires(db, now):
    assert sla_sweeper_lease_take(holder="a", seconds=10) is True
    assert sla_sweeper_lease_take(holder="b", seconds=10) is False
    assert sla_sweeper_lease_take(holder="a", seconds=10) is True  # renewal
    assert sla_sweeper_is_alive() is True
    now.advance(seconds=11)
    assert sla_sweeper_is_alive() is False
    assert sla_sweeper_lease_take(holder="b", seconds=10) is True
    assert TaskLease.objects.get().holder == "b"


def test_released_lease_is_free_at_once(db, now):
    sla_sweeper_lease_take(holder="a", seconds=10)
    sla_sweeper_lease_release(holder="a")
    assert sla_sweeper_is_alive() is False
    assert sla_sweeper_lease_take(holder="b", seconds=10) is True


class FakeTime:
    """Monotonic time and sleep for the loop; sleeping also moves ``timezone.now``."""

    def __init__(self, now) -> None:
        self.now = now
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.t += seconds
        self.now.advance(seconds=seconds)


def test_loop_sleeps_until_the_next_crossing_and_announces_it(policy, make_ticket, now):
    # Given a clock whose amber instant is 2.5 s away
    ticket = make_ticket()
    now.at = T0 + timedelta(minutes=45) - timedelta(seconds=2.5)
    fake = FakeTime(now)
    conf = SweeperSettings(interval=1.0, lifetime=5.0, lease=10.0)
    # When one link of the chain runs for its lifetime
    run = sla_sweeper_run(holder="h", conf=conf, sleep=fake.sleep, monotonic=fake.monotonic)
    # Then it swept every second, woke exactly at the amber instant and announced it once
    assert run.crossings == 1
    assert run.keep_going is True
    assert fake.sleeps[:3] == [1.0, 1.0, 0.5]
    assert clock_of(ticket).amber_crossed_at == T0 + timedelta(minutes=45)
    assert TicketEvent.objects.filter(kind=EventKind.SLA_STATE_CHANGED).count() == 1


def test_loop_stops_when_another_chain_holds_the_lease(policy, make_ticket, now):
    make_ticket()
    sla_sweeper_lease_take(holder="other", seconds=10)
    fake = FakeTime(now)
    run = sla_sweeper_run(
        holder="h",
        conf=SweeperSettings(interval=1.0, lifetime=5.0, lease=10.0),
        sleep=fake.sleep,
        monotonic=fake.monotonic,
    )
    assert (run.sweeps, run.crossings, run.keep_going) == (0, 0, False)
    assert fake.sleeps == []


def test_sync_mode_never_chains(db):
    # The test settings run django-q2 in sync mode: an inline chain would never return
    assert sla_sweeper_enqueue() is None


def test_schedules_ensure_registers_one_watchdog(db):
    Schedule.objects.all().delete()
    schedules_ensure()
    schedules_ensure()
    schedule = Schedule.objects.get(name="sla-sweeper-watchdog")
    assert Schedule.objects.count() == len(periodic_tasks())
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        "escalations.tasks.sla_sweeper_watchdog",
        Schedule.MINUTES,
        1,
        -1,
    )


def test_watchdog_task_sweeps(policy, make_ticket, now):
    make_ticket()
    now.at = T0 + timedelta(minutes=46)
    assert sla_sweeper_watchdog() == 1


def test_policy_changed_task_recomputes_or_ignores_a_missing_policy(policy, make_ticket, now):
    ticket = make_ticket()
    policy.targets.filter(metric="first_response", priority=None).update(minutes=90)
    assert sla_policy_recompute(policy.pk) == 1
    assert clock_of(ticket).target_minutes == 90
    assert sla_policy_recompute(policy.pk + 1000) == 0
