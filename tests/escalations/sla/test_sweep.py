"""Crossings: amber and red announced exactly once per clock run, found by indexed queries."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from escalations.models import SLAClock
from escalations.sla.selectors import sla_clocks_due_amber, sla_clocks_due_breach
from escalations.sla.services import sla_next_crossing_at, sla_sweep
from tests import factories
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_update

from .conftest import T0, clock_of


def crossing_events():
    return list(
        TicketEvent.objects.filter(kind=EventKind.SLA_STATE_CHANGED)
        .order_by("id")
        .values_list("ticket_id", "data")
    )


def test_amber_and_red_fire_once_each(policy, make_ticket, now):
    ticket = make_ticket()
    frt = clock_of(ticket)
    # Before the amber instant nothing happens
    now.at = T0 + timedelta(minutes=44, seconds=59)
    assert sla_sweep() == 0
    # At 45 minutes (75 % of 60) amber is announced, once
    now.at = T0 + timedelta(minutes=45)
    assert sla_sweep() == 1
    assert sla_sweep() == 0
    frt.refresh_from_db()
    assert (frt.state, frt.amber_crossed_at) == ("amber", now.at)
    # At 60 minutes red is announced, once
    now.at = T0 + timedelta(minutes=60)
    assert sla_sweep() == 1
    assert sla_sweep() == 0
    now.advance(hours=1)
    assert sla_sweep() == 0
    frt.refresh_from_db()
    assert (frt.state, frt.breach_crossed_at) == ("red", T0 + timedelta(minutes=60))
    assert crossing_events() == [
        (ticket.pk, {"metric": "first_response", "from": "green", "to": "amber", "clock": frt.pk}),
        (ticket.pk, {"metric": "first_response", "from": "amber", "to": "red", "clock": frt.pk}),
    ]


def test_a_late_sweep_announces_amber_before_red(policy, make_ticket, now):
    # Given a clock whose amber and breach instants have both passed unnoticed
    ticket = make_ticket()
    now.at = T0 + timedelta(hours=2)
    # When the sweep runs
    assert sla_sweep() == 2
    # Then amber comes first, then red
    frt = clock_of(ticket)
    assert [data["to"] for _, data in crossing_events()] == ["amber", "red"]
    assert (frt.state, frt.amber_crossed_at, frt.breach_crossed_at) == ("red", now.at, now.at)


def test_pause_after_amber_keeps_it_announced_on_resume(policy, make_ticket, now, junior):
    ticket = make_ticket()
    now.at = T0 + timedelta(minutes=50)
    assert sla_sweep() == 1
    ticket = ticket_update(ticket=ticket, actor=junior, status="pending")
    now.advance(hours=2)
    ticket_update(ticket=ticket, actor=junior, status="open")
    # When the clock resumes it is amber again, without a second amber event
    frt = clock_of(ticket)
    assert (frt.state, frt.breach_at) == ("amber", now.at + timedelta(minutes=10))
    assert sla_sweep() == 0
    now.advance(minutes=10)
    assert sla_sweep() == 1
    assert [data["to"] for _, data in crossing_events()] == ["amber", "red"]


def test_met_clock_is_not_announced(policy, make_ticket, now, junior):
    from tickets.services import message_add

    ticket = make_ticket()
    now.at = T0 + timedelta(minutes=30)
    message_add(ticket=ticket, author_type="agent", body="Hello", author=junior)
    now.advance(hours=5)
    # Only the resolution clock (8 h, amber at 6 h) is left; it is not due yet
    assert sla_sweep() == 0
    assert crossing_events() == []


@pytest.mark.parametrize("due", [10, 100], ids=["10-due", "100-due"])
def test_find_queries_do_not_grow_with_due_clocks(
    policy, make_ticket, now, django_assert_num_queries, due
):
    # Given ``due`` tickets whose first-response clock is past amber (resolution is not)
    for _ in range(due):
        make_ticket()
    now.at = T0 + timedelta(minutes=50)
    # Then: two find queries (amber, breach) for any number of clocks; per crossing, its own
    # atomic block (savepoint, release), the ticket's row lock, the conditional update, a
    # ledger entry, the event, and the webhook subscribers of the ticket's team (team, hooks)
    with django_assert_num_queries(2 + 8 * due):
        assert sla_sweep() == due


def test_next_crossing_is_the_earliest_pending_instant(policy, make_ticket, now):
    assert sla_next_crossing_at() is None
    make_ticket()
    assert sla_next_crossing_at() == T0 + timedelta(minutes=45)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_racing_announce_each_crossing_once(monkeypatch):
    # Given 30 clocks past their breach instant (committed, visible to other connections)
    from django.utils import timezone

    policy = factories.SLAPolicyFactory(name="Race")
    factories.SLATargetFactory(policy=policy, minutes=60)
    monkeypatch.setattr(timezone, "now", lambda: T0)
    queue = factories.QueueFactory()
    customer = factories.CustomerFactory()
    from tickets.services import ticket_create

    for n in range(30):
        ticket_create(subject=f"t{n}", customer=customer, queue=queue, body="help")
    later = T0 + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def sweeper():
        try:
            barrier.wait()
            results.append(sla_sweep(now=later))
        finally:
            connection.close()

    # When two sweepers run at the same time
    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then every clock crossed amber once and red once, between them
    assert sum(results) == 60
    events = TicketEvent.objects.filter(kind=EventKind.SLA_STATE_CHANGED)
    assert events.filter(data__to="amber").count() == 30
    assert events.filter(data__to="red").count() == 30
    assert SLAClock.objects.filter(metric="first_response", state="red").count() == 30


@pytest.mark.postgres
def test_crossing_queries_use_the_partial_indexes(policy, make_ticket, now):
    # Given a tiny table (where a sequential scan would otherwise win), sequential scans off,
    # and statistics of this table (not of rows earlier tests wrote and rolled back)
    make_ticket()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SLAClock._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
    # Then each crossing query reads its own partial index
    assert "sla_clock_amber_due_idx" in sla_clocks_due_amber(now=now.at).explain()
    assert "sla_clock_breach_due_idx" in sla_clocks_due_breach(now=now.at).explain()
