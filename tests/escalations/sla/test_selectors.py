"""SLA summaries for the API and pages, the ledger, the sla_state filter."""

from __future__ import annotations

from datetime import timedelta

from escalations.sla.selectors import (
    sla_ledger,
    sla_summaries,
    sla_summary,
    tickets_filter_sla_state,
)
from escalations.sla.services import sla_sweep
from tickets.models import Ticket
from tickets.services import message_add, ticket_update

from .conftest import T0


def test_summary_of_a_new_ticket(policy, make_ticket, now):
    ticket = make_ticket()
    now.advance(minutes=15)
    assert sla_summary(ticket=ticket) == {
        "state": "green",
        "first_response_due_at": T0 + timedelta(minutes=60),
        "remaining_seconds": 45 * 60,
        "metric": "first_response",
        "due_at": T0 + timedelta(minutes=60),
    }


def test_summary_shows_the_most_urgent_clock(policy, make_ticket, now, junior):
    ticket = make_ticket()
    now.advance(minutes=70)
    sla_sweep()
    message_add(ticket=ticket, author_type="agent", body="Here", author=junior)
    # First response met late; resolution (8 h) is the one left running
    assert sla_summary(ticket=ticket) == {
        "state": "green",
        "first_response_due_at": None,
        "remaining_seconds": 480 * 60 - 70 * 60,
        "metric": "resolution",
        "due_at": T0 + timedelta(hours=8),
    }


def test_summary_without_policy_is_empty(db, make_ticket):
    ticket = make_ticket()
    assert sla_summary(ticket=ticket) == {
        "state": None,
        "first_response_due_at": None,
        "remaining_seconds": None,
        "metric": None,
        "due_at": None,
    }


def test_summaries_for_a_list_take_one_query(policy, make_ticket, now, django_assert_num_queries):
    tickets = [make_ticket() for _ in range(5)]
    ids = [t.pk for t in tickets]
    with django_assert_num_queries(1):
        summaries = sla_summaries(ticket_ids=ids)
    assert sorted(summaries) == sorted(ids)
    assert {s["state"] for s in summaries.values()} == {"green"}


def test_ledger_explains_each_clock(policy, make_ticket, now, junior):
    # Given 10 min running, 3 h 12 min pending, then the priority raised and amber crossed
    ticket = make_ticket()
    now.advance(minutes=10)
    ticket = ticket_update(ticket=ticket, actor=junior, status="pending")
    now.advance(hours=3, minutes=12)
    ticket = ticket_update(ticket=ticket, actor=junior, status="open")
    now.advance(minutes=4)
    ticket = ticket_update(ticket=ticket, actor=junior, priority="urgent")
    now.advance(minutes=10)
    sla_sweep()
    # Then
    ledger = [(line["metric"], line["text"]) for line in sla_ledger(ticket=ticket)]
    assert ledger == [
        (
            "first_response",
            "first response amber: 24 min of 30 min used, 3 h 12 min paused in pending, "
            "priority raised to urgent at 12:26: target 60 → 30 min",
        ),
        ("first_response", "started at 09:00: target 60 min (policy 'Standard')"),
        ("first_response", "paused (pending) at 09:10"),
        ("first_response", "resumed after 3 h 12 min paused"),
        ("first_response", "priority raised to urgent at 12:26: target 60 → 30 min"),
        ("first_response", "amber at 12:34 (75% of 30 min)"),
        (
            "resolution",
            "resolution green: 24 min of 480 min used, 3 h 12 min paused in pending",
        ),
        ("resolution", "started at 09:00: target 480 min (policy 'Standard')"),
        ("resolution", "paused (pending) at 09:10"),
        ("resolution", "resumed after 3 h 12 min paused"),
    ]


def test_ledger_counts_time_outside_business_hours(db, make_ticket, now):
    from datetime import time

    from tests import factories

    calendar = factories.CalendarFactory(name="UTC office", timezone="UTC")
    for weekday in range(5):
        factories.OpeningHoursFactory(
            calendar=calendar, weekday=weekday, start=time(9), end=time(17)
        )
    policy = factories.SLAPolicyFactory(name="Office", calendar=calendar)
    factories.SLATargetFactory(policy=policy, minutes=600)
    ticket = make_ticket()
    now.advance(hours=24)  # Tuesday 09:00: 8 h open, 16 h closed
    summary_line = sla_ledger(ticket=ticket)[0]["text"]
    assert summary_line == (
        "first response green: 8 h of 600 min used, 16 h outside business hours"
    )


def test_filter_by_sla_state(policy, make_ticket, now, junior):
    green = make_ticket()
    amber = make_ticket()
    paused = make_ticket()
    ticket_update(ticket=paused, actor=junior, status="pending")
    now.advance(minutes=50)
    sla_sweep()
    fresh = make_ticket()
    ticket_update(ticket=green, actor=junior, priority="low")

    def ids(state):
        return set(
            tickets_filter_sla_state(Ticket.objects.all(), state).values_list("pk", flat=True)
        )

    assert ids("amber") == {green.pk, amber.pk}
    assert ids("green") == {fresh.pk}
    assert ids("paused") == {paused.pk}
    assert ids("red") == set()
    assert ids("bogus") == set()
