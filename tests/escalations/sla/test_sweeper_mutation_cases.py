"""Cases that kill mutants of escalations/sla/sweeper.py the older tests let live (docs/mutation.md).

The settings a chain reads and how the cluster's timeout caps its lifetime; the lease's expiry,
renewal stamps, boundaries and release; the loop's waits at its edges; the task it queues.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django_q.conf import Conf

from escalations.models import TaskLease
from escalations.sla import sweeper
from escalations.sla.sweeper import (
    LEASE_NAME,
    MIN_WAIT_SECONDS,
    SWEEPER_TASK,
    SweeperSettings,
    sla_sweeper_enqueue,
    sla_sweeper_ensure,
    sla_sweeper_is_alive,
    sla_sweeper_lease_release,
    sla_sweeper_lease_take,
    sla_sweeper_run,
)

from .conftest import T0
from .test_sweeper import FakeTime


@pytest.fixture
def sweeper_settings(settings):
    settings.KIMONDESK = {
        **settings.KIMONDESK,
        "SLA_SWEEP_INTERVAL_SECONDS": 2.5,
        "SLA_SWEEPER_LIFETIME_SECONDS": 40.0,
        "SLA_SWEEPER_LEASE_SECONDS": 15.0,
    }
    return settings


def test_constants():
    assert (LEASE_NAME, SWEEPER_TASK, MIN_WAIT_SECONDS) == (
        "sla-sweeper",
        "escalations.tasks.sla_sweeper_step",
        0.2,
    )


@pytest.mark.parametrize(
    ("timeout", "lifetime"),
    [(None, 40.0), (0, 40.0), (100, 40.0), (30, 20.0), (11, 1.0), (10.5, 1.0), (5, 1.0)],
)
def test_settings_come_from_the_configuration_capped_by_the_cluster_timeout(
    sweeper_settings, monkeypatch, timeout, lifetime
):
    monkeypatch.setattr(Conf, "TIMEOUT", timeout)
    assert SweeperSettings.current() == SweeperSettings(interval=2.5, lifetime=lifetime, lease=15.0)


def test_lease_take_stamps_expiry_and_renewal(db, now):
    assert sla_sweeper_lease_take(holder="a", seconds=12.5) is True
    lease = TaskLease.objects.get(name=LEASE_NAME)
    assert (lease.holder, lease.expires_at, lease.renewed_at) == (
        "a",
        T0 + timedelta(seconds=12.5),
        T0,
    )
    now.advance(seconds=3)
    assert sla_sweeper_lease_take(holder="a", seconds=12.5) is True
    lease.refresh_from_db()
    assert (lease.expires_at, lease.renewed_at) == (T0 + timedelta(seconds=15.5), now.at)
    assert TaskLease.objects.count() == 1


def test_lease_take_at_an_explicit_instant(db, now):
    at = T0 + timedelta(hours=1)
    assert sla_sweeper_lease_take(holder="a", seconds=10, now=at) is True
    lease = TaskLease.objects.get(name=LEASE_NAME)
    assert (lease.expires_at, lease.renewed_at) == (at + timedelta(seconds=10), at)
    # Still held at T0 + 1 h + 9 s by the default clock (now.at is T0: alive), free after it
    assert sla_sweeper_lease_take(holder="b", seconds=10, now=at + timedelta(seconds=9)) is False
    assert sla_sweeper_lease_take(holder="b", seconds=10, now=at + timedelta(seconds=10)) is True


def test_lease_is_free_exactly_at_its_expiry(db, now):
    sla_sweeper_lease_take(holder="a", seconds=10)
    now.advance(seconds=10)
    assert sla_sweeper_is_alive() is False
    assert sla_sweeper_lease_take(holder="b", seconds=10) is True
    assert TaskLease.objects.get().holder == "b"


def test_lease_is_alive_just_before_its_expiry(db, now):
    sla_sweeper_lease_take(holder="a", seconds=10)
    now.advance(seconds=9.999)
    assert sla_sweeper_is_alive() is True
    assert sla_sweeper_is_alive(now=T0 + timedelta(seconds=10)) is False
    assert sla_sweeper_is_alive(now=T0 + timedelta(seconds=5)) is True


def test_a_never_taken_lease_row_is_free(db, now):
    TaskLease.objects.create(name=LEASE_NAME)
    assert sla_sweeper_lease_take(holder="b", seconds=10) is True
    assert TaskLease.objects.get().holder == "b"


def test_another_holders_lease_row_is_not_taken_nor_duplicated(db, now):
    sla_sweeper_lease_take(holder="a", seconds=10)
    assert sla_sweeper_lease_take(holder="b", seconds=10) is False
    assert list(TaskLease.objects.values_list("name", "holder")) == [(LEASE_NAME, "a")]


def test_release_by_another_holder_keeps_the_lease(db, now):
    sla_sweeper_lease_take(holder="a", seconds=10)
    sla_sweeper_lease_release(holder="b")
    lease = TaskLease.objects.get()
    assert (lease.holder, lease.expires_at) == ("a", T0 + timedelta(seconds=10))
    sla_sweeper_lease_release(holder="a")
    lease.refresh_from_db()
    assert (lease.holder, lease.expires_at) == ("", None)


def test_other_leases_are_not_the_sweepers(db, now):
    TaskLease.objects.create(name="other", holder="x", expires_at=T0 + timedelta(hours=1))
    TaskLease.objects.create(name="free", holder="", expires_at=None)
    assert sla_sweeper_is_alive() is False
    assert sla_sweeper_lease_take(holder="a", seconds=10) is True
    assert sla_sweeper_lease_take(holder="a", seconds=10) is True
    sla_sweeper_lease_release(holder="x")
    assert sorted(TaskLease.objects.values_list("name", "holder", "expires_at")) == [
        ("free", "", None),
        ("other", "x", T0 + timedelta(hours=1)),
        (LEASE_NAME, "a", T0 + timedelta(seconds=10)),
    ]


def test_a_refused_take_costs_two_queries(db, now, django_assert_num_queries):
    sla_sweeper_lease_take(holder="a", seconds=10)
    with django_assert_num_queries(2):
        assert sla_sweeper_lease_take(holder="b", seconds=10) is False


def test_a_lease_row_created_by_a_rival_after_the_check_is_not_taken(db, now, monkeypatch):
    # Another sweeper inserts and takes the row between this one's check and its insert
    sla_sweeper_lease_take(holder="rival", seconds=10)
    TaskLease.objects.create(name="free", holder="", expires_at=None)
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)
    assert sla_sweeper_lease_take(holder="b", seconds=10) is False
    assert sorted(TaskLease.objects.values_list("name", "holder")) == [
        ("free", ""),
        (LEASE_NAME, "rival"),
    ]


class Clock(FakeTime):
    """The loop's fake time, refusing a sleep of 0 s (a loop that never ends)."""

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "a sleep of 0 s would spin"
        super().sleep(seconds)


def test_loop_without_pending_crossings_sleeps_the_interval_and_ends_at_its_lifetime(db, now):
    clock = Clock(now)
    conf = SweeperSettings(interval=2.0, lifetime=5.0, lease=10.0)
    run = sla_sweeper_run(holder="h", conf=conf, sleep=clock.sleep, monotonic=clock.monotonic)
    # Sweeps at 0, 2, 4, 5: the last sleep is cut to the lifetime left
    assert clock.sleeps == [2.0, 2.0, 1.0]
    assert (run.sweeps, run.crossings, run.keep_going) == (4, 0, True)
    lease = TaskLease.objects.get()
    assert (lease.holder, lease.expires_at) == ("h", T0 + timedelta(seconds=15))


def test_loop_with_a_past_crossing_waits_the_minimum(db, now, monkeypatch):
    monkeypatch.setattr(sweeper, "sla_next_crossing_at", lambda: now.at - timedelta(seconds=5))
    monkeypatch.setattr(sweeper, "sla_sweep", lambda: 1)
    clock = Clock(now)
    conf = SweeperSettings(interval=2.0, lifetime=0.5, lease=10.0)
    run = sla_sweeper_run(holder="h", conf=conf, sleep=clock.sleep, monotonic=clock.monotonic)
    assert clock.sleeps == [0.2, 0.2, 0.1]
    assert (run.sweeps, run.crossings, run.keep_going) == (4, 4, True)


def test_loop_with_a_far_crossing_waits_the_interval(db, now, monkeypatch):
    monkeypatch.setattr(sweeper, "sla_next_crossing_at", lambda: now.at + timedelta(hours=1))
    clock = Clock(now)
    conf = SweeperSettings(interval=3.0, lifetime=7.0, lease=10.0)
    run = sla_sweeper_run(holder="h", conf=conf, sleep=clock.sleep, monotonic=clock.monotonic)
    assert clock.sleeps == [3.0, 3.0, 1.0]
    assert run.sweeps == 4


def test_loop_ends_when_the_lifetime_is_used_exactly(db, now):
    clock = Clock(now)
    conf = SweeperSettings(interval=1.0, lifetime=1.0, lease=10.0)
    run = sla_sweeper_run(holder="h", conf=conf, sleep=clock.sleep, monotonic=clock.monotonic)
    assert clock.sleeps == [1.0]
    assert (run.sweeps, run.keep_going) == (2, True)


def test_loop_sleeps_no_longer_than_the_lifetime_left(db, now):
    times = iter([0.0, 0.5, 0.5])
    sleeps: list[float] = []

    def monotonic() -> float:
        return next(times, 10.0)

    conf = SweeperSettings(interval=1.0, lifetime=0.5 + 1e-9, lease=10.0)
    sla_sweeper_run(holder="h", conf=conf, sleep=sleeps.append, monotonic=monotonic)
    assert sleeps[0] == pytest.approx(1e-9)
    assert all(s >= 0.0 for s in sleeps)


def test_loop_reads_the_current_settings_by_default(sweeper_settings, db, now, monkeypatch):
    monkeypatch.setattr(Conf, "TIMEOUT", None)
    clock = Clock(now)
    run = sla_sweeper_run(holder="h", sleep=clock.sleep, monotonic=clock.monotonic)
    assert clock.sleeps[:2] == [2.5, 2.5]
    assert sum(clock.sleeps) == pytest.approx(40.0)
    assert TaskLease.objects.get().expires_at == now.at + timedelta(seconds=15.0)
    assert run.keep_going is True


def test_loop_that_loses_its_lease_midway_stops(db, now, monkeypatch):
    clock = Clock(now)

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        TaskLease.objects.update(holder="other")

    conf = SweeperSettings(interval=1.0, lifetime=5.0, lease=10.0)
    run = sla_sweeper_run(holder="h", conf=conf, sleep=sleep, monotonic=clock.monotonic)
    assert (run.sweeps, run.crossings, run.keep_going) == (1, 0, False)


@pytest.fixture
def queued(monkeypatch):
    calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(
        sweeper.django_q_tasks, "async_task", lambda *a, **kw: calls.append((a, kw))
    )
    return calls


def test_enqueue_queues_the_step_task_for_its_holder(queued):
    assert sla_sweeper_enqueue(holder="h1") == "h1"
    assert queued == [((SWEEPER_TASK, "h1"), {"save": False, "group": LEASE_NAME})]


def test_enqueue_without_holder_starts_a_new_chain(queued):
    first = sla_sweeper_enqueue()
    second = sla_sweeper_enqueue()
    assert first is not None
    assert len(first) == 32
    assert first != second
    assert [a for a, _ in queued] == [(SWEEPER_TASK, first), (SWEEPER_TASK, second)]


def test_ensure_starts_a_chain_only_without_a_live_lease(db, now, queued):
    assert sla_sweeper_ensure() is True
    assert len(queued) == 1
    sla_sweeper_lease_take(holder=str(queued[0][0][1]), seconds=10)
    assert sla_sweeper_ensure() is False
    assert len(queued) == 1


def test_ensure_in_sync_mode_starts_nothing(db, now):
    assert sla_sweeper_ensure() is False


def test_loop_measures_its_lifetime_from_its_own_start(db, now):
    clock = Clock(now)
    clock.t = 1000.0
    conf = SweeperSettings(interval=2.0, lifetime=5.0, lease=10.0)
    run = sla_sweeper_run(holder="h", conf=conf, sleep=clock.sleep, monotonic=clock.monotonic)
    assert clock.sleeps == [2.0, 2.0, 1.0]
    assert run.sweeps == 4


def test_loop_that_loses_its_lease_says_so(db, now, caplog):
    sla_sweeper_lease_take(holder="other", seconds=10)
    with caplog.at_level(logging.INFO, logger="escalations.sla.sweeper"):
        sla_sweeper_run(
            holder="h1",
            conf=SweeperSettings(interval=1.0, lifetime=5.0, lease=10.0),
            sleep=lambda _: None,
            monotonic=lambda: 0.0,
        )
    assert [r.getMessage() for r in caplog.records] == ["SLA sweeper h1 lost its lease; stopping"]
