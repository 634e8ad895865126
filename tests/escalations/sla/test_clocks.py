"""SLA clocks moving with ticket events: start, pause/resume, met, retarget, reopen."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from escalations.models import SLAClock, SLAClockEntry
from escalations.sla.services import sla_policy_changed, sla_sweep
from tests import factories
from tickets.models import EventKind, TicketEvent
from tickets.services import customer_update, message_add, ticket_update

from .conftest import T0, clock_of


def ledger_texts(clock: SLAClock) -> list[str]:
    return list(SLAClockEntry.objects.filter(clock=clock).values_list("text", flat=True))


def test_ticket_creation_starts_first_response_and_resolution_clocks(policy, make_ticket):
    # When a ticket is created under a 24/7 policy
    ticket = make_ticket()
    # Then both clocks run with precomputed crossings; next response has not started
    frt = clock_of(ticket)
    assert (frt.state, frt.target_minutes, frt.policy_id) == ("green", 60, policy.pk)
    assert frt.due_at == frt.breach_at == T0 + timedelta(minutes=60)
    assert frt.amber_at == T0 + timedelta(minutes=45)
    resolution = clock_of(ticket, "resolution")
    assert resolution.due_at == T0 + timedelta(hours=8)
    assert not SLAClock.objects.filter(ticket=ticket, metric="next_response").exists()
    assert ledger_texts(frt) == ["started at 09:00: target 60 min (policy 'Standard')"]


def test_first_agent_message_meets_the_first_response_clock(policy, make_ticket, now, junior):
    ticket = make_ticket()
    # When the first agent reply comes 20 minutes later
    now.advance(minutes=20)
    message_add(ticket=ticket, author_type="agent", body="On it.", author=junior)
    # Then the clock is met, on time, and no longer due
    frt = clock_of(ticket)
    assert (frt.state, frt.met_late, frt.met_at, frt.elapsed_seconds) == (
        "met",
        False,
        now.at,
        1200.0,
    )
    assert (frt.due_at, frt.amber_at, frt.breach_at) == (None, None, None)
    assert ledger_texts(frt)[-1] == "met at 09:20 after 20 min (target 60 min)"


def test_pending_pauses_and_customer_reply_resumes_where_it_stopped(
    policy, make_ticket, now, junior
):
    # Given 10 minutes consumed, then the ticket set to pending
    ticket = make_ticket()
    now.advance(minutes=10)
    ticket = ticket_update(ticket=ticket, actor=junior, status="pending")
    frt = clock_of(ticket)
    assert (frt.state, frt.elapsed_seconds, frt.paused_at, frt.due_at) == (
        "paused",
        600.0,
        now.at,
        None,
    )
    # When the customer replies 3 h 12 min later (the ticket service reopens it)
    now.advance(hours=3, minutes=12)
    message_add(ticket=ticket, author_type="customer", body="Any news?")
    # Then the clock runs again from 10 minutes used
    frt = clock_of(ticket)
    assert (frt.state, frt.elapsed_seconds, frt.checkpoint_at, frt.paused_at) == (
        "green",
        600.0,
        now.at,
        None,
    )
    assert frt.due_at == now.at + timedelta(minutes=50)
    assert frt.amber_at == now.at + timedelta(minutes=35)
    assert ledger_texts(frt) == [
        "started at 09:00: target 60 min (policy 'Standard')",
        "paused (pending) at 09:10",
        "resumed after 3 h 12 min paused",
    ]


def test_on_hold_pauses_resolution_and_reopen_after_solved_resumes_it(
    policy, make_ticket, now, junior
):
    ticket = make_ticket()
    now.advance(hours=1)
    ticket_update(ticket=ticket, actor=junior, status="on_hold")
    now.advance(hours=5)
    ticket_update(ticket=ticket, actor=junior, status="open")
    now.advance(hours=1)
    # When the ticket is solved, then reopened two hours later
    ticket_update(ticket=ticket, actor=junior, status="solved")
    resolution = clock_of(ticket, "resolution")
    assert (resolution.state, resolution.elapsed_seconds, resolution.met_late) == (
        "met",
        7200.0,
        False,
    )
    now.advance(hours=2)
    ticket_update(ticket=ticket, actor=junior, status="open")
    # Then the resolution clock resumes with 2 h used, 6 h left
    resolution = clock_of(ticket, "resolution")
    assert (resolution.state, resolution.elapsed_seconds, resolution.met_at) == (
        "green",
        7200.0,
        None,
    )
    assert resolution.due_at == now.at + timedelta(hours=6)
    assert ledger_texts(resolution) == [
        "started at 09:00: target 480 min (policy 'Standard')",
        "paused (on_hold) at 10:00",
        "resumed after 5 h paused",
        "met at 16:00 after 2 h (target 480 min)",
        "reopened at 18:00",
        "resumed after 2 h paused",
    ]


def test_priority_raised_mid_clock_keeps_elapsed_and_shortens_the_target(
    policy, make_ticket, now, junior
):
    ticket = make_ticket()
    now.advance(minutes=10)
    # When the priority is raised to urgent
    ticket_update(ticket=ticket, actor=junior, priority="urgent")
    # Then the 30-minute target applies with 10 minutes already used
    frt = clock_of(ticket)
    assert (frt.target_minutes, frt.elapsed_seconds) == (30, 600.0)
    assert frt.due_at == T0 + timedelta(minutes=30)
    assert frt.amber_at == T0 + timedelta(minutes=22, seconds=30)
    assert ledger_texts(frt)[-1] == "priority raised to urgent at 09:10: target 60 → 30 min"
    # And the resolution clock, whose target did not change, wrote nothing
    assert ledger_texts(clock_of(ticket, "resolution")) == [
        "started at 09:00: target 480 min (policy 'Standard')"
    ]


def test_most_specific_target_wins(db, make_ticket, customer):
    # Given targets for any, for the tier, for the priority and for priority+tier
    policy = factories.SLAPolicyFactory(name="Tiers")
    for priority, tier, minutes in [
        (None, None, 240),
        (None, "premium", 120),
        ("high", None, 90),
        ("high", "premium", 45),
    ]:
        factories.SLATargetFactory(policy=policy, priority=priority, tier=tier, minutes=minutes)
    # When tickets of different priority and tier are created
    standard_normal = make_ticket()
    assert clock_of(standard_normal).target_minutes == 240
    customer_update(customer=customer, actor=None, tier="premium")
    premium_normal = make_ticket()
    premium_high = make_ticket(priority="high")
    # Then
    assert clock_of(premium_normal).target_minutes == 120
    assert clock_of(premium_high).target_minutes == 45


def test_tier_change_retargets_open_tickets(db, make_ticket, customer, now):
    policy = factories.SLAPolicyFactory(name="Tiers")
    factories.SLATargetFactory(policy=policy, minutes=240)
    factories.SLATargetFactory(policy=policy, tier="enterprise", minutes=60)
    ticket = make_ticket()
    now.advance(minutes=30)
    # When the customer is upgraded
    customer_update(customer=customer, actor=None, tier="enterprise")
    # Then
    frt = clock_of(ticket)
    assert (frt.target_minutes, frt.due_at) == (60, T0 + timedelta(minutes=60))
    assert (
        ledger_texts(frt)[-1] == "customer tier raised to enterprise at 09:30: target 240 → 60 min"
    )


def test_first_policy_by_order_whose_conditions_match_is_chosen(db, make_ticket, queue):
    other = factories.SLAPolicyFactory(
        name="Other queue", order=1, conditions=[{"field": "queue", "op": "eq", "value": 999}]
    )
    factories.SLATargetFactory(policy=other, minutes=5)
    disabled = factories.SLAPolicyFactory(name="Disabled", order=2, enabled=False)
    factories.SLATargetFactory(policy=disabled, minutes=6)
    matching = factories.SLAPolicyFactory(
        name="Queue", order=3, conditions=[{"field": "queue", "op": "eq", "value": queue.pk}]
    )
    factories.SLATargetFactory(policy=matching, minutes=7)
    later = factories.SLAPolicyFactory(name="Catch-all", order=4)
    factories.SLATargetFactory(policy=later, minutes=8)
    # When
    ticket = make_ticket()
    # Then
    assert (clock_of(ticket).policy_id, clock_of(ticket).target_minutes) == (matching.pk, 7)


def test_no_policy_leaves_a_detached_clock_without_deadlines(db, make_ticket):
    ticket = make_ticket()
    frt = clock_of(ticket)
    assert (frt.policy_id, frt.state, frt.due_at, frt.amber_at) == (None, "paused", None, None)
    assert ledger_texts(frt) == []


def test_next_response_starts_on_customer_reply_after_agent_reply_and_is_met_by_the_next(
    policy, make_ticket, now, junior
):
    ticket = make_ticket()
    now.advance(minutes=5)
    message_add(ticket=ticket, author_type="agent", body="Looking.", author=junior)
    assert not SLAClock.objects.filter(ticket=ticket, metric="next_response").exists()
    # When the customer answers
    now.advance(minutes=5)
    message_add(ticket=ticket, author_type="customer", body="Thanks, still broken.")
    nrt = clock_of(ticket, "next_response")
    assert (nrt.state, nrt.started_at, nrt.due_at) == (
        "green",
        now.at,
        now.at + timedelta(minutes=30),
    )
    # And the agent answers 40 minutes later (late), then the customer again
    now.advance(minutes=40)
    message_add(ticket=ticket, author_type="agent", body="Fixed?", author=junior)
    nrt = clock_of(ticket, "next_response")
    assert (nrt.state, nrt.met_late) == ("met", True)
    now.advance(minutes=1)
    message_add(ticket=ticket, author_type="customer", body="No.")
    # Then a new run starts from zero
    nrt = clock_of(ticket, "next_response")
    assert (nrt.state, nrt.elapsed_seconds, nrt.met_late, nrt.started_at) == (
        "green",
        0.0,
        False,
        now.at,
    )
    assert ledger_texts(nrt) == [
        "started at 09:10 (customer replied): target 30 min (policy 'Standard')",
        "met late at 09:50 after 40 min (target 30 min)",
        "started at 09:51 (customer replied): target 30 min (policy 'Standard')",
    ]


def test_business_calendar_moves_deadlines_over_the_weekend(db, make_ticket, now):
    # Given a Berlin calendar open 9-17 on weekdays
    calendar = factories.CalendarFactory(name="Berlin office", timezone="Europe/Berlin")
    for weekday in range(5):
        factories.OpeningHoursFactory(
            calendar=calendar, weekday=weekday, start=time(9), end=time(17)
        )
    policy = factories.SLAPolicyFactory(name="Office", calendar=calendar)
    factories.SLATargetFactory(policy=policy, minutes=60)
    # When a ticket arrives on Friday at 16:30 local (15:30 UTC)
    now.at = datetime(2026, 1, 16, 15, 30, tzinfo=UTC)
    ticket = make_ticket()
    # Then it is due Monday 09:30 local, amber at 09:15
    frt = clock_of(ticket)
    assert frt.due_at == datetime(2026, 1, 19, 8, 30, tzinfo=UTC)
    assert frt.amber_at == datetime(2026, 1, 19, 8, 15, tzinfo=UTC)
    assert ledger_texts(frt) == ["started at 16:30: target 60 min (policy 'Office')"]


def test_policy_change_recomputes_every_open_ticket(policy, make_ticket, now, junior):
    # Given three open tickets and a solved one
    tickets = [make_ticket() for _ in range(3)]
    solved = make_ticket()
    ticket_update(ticket=solved, actor=junior, status="solved")
    now.advance(minutes=20)
    # When the lead shortens the first-response target
    policy.targets.filter(metric="first_response", priority=None).update(minutes=40)
    changed = sla_policy_changed(policy=policy)
    # Then every open ticket's first-response clock has the new deadline at once
    assert changed == 3
    for ticket in tickets:
        frt = clock_of(ticket)
        assert (frt.target_minutes, frt.elapsed_seconds, frt.due_at) == (
            40,
            1200.0,
            T0 + timedelta(minutes=40),
        )
        assert ledger_texts(frt)[-1] == "policy 'Standard' changed at 09:20: target 60 → 40 min"
    # And the solved ticket's paused clock was left alone
    assert clock_of(solved).target_minutes == 60


def test_policy_change_queries_per_chunk_not_per_ticket(
    policy, make_ticket, now, django_assert_num_queries
):
    for _ in range(6):
        make_ticket()
    policy.targets.filter(metric="first_response", priority=None).update(minutes=40)
    # The new setup version, policies, targets, tickets (with their tags), clocks, one bulk
    # update, one ledger insert, the end-of-chunks probe, inside one atomic block (savepoint +
    # release)
    with django_assert_num_queries(10):
        assert sla_policy_changed(policy=policy) == 6


def test_policy_created_later_attaches_detached_clocks(db, make_ticket, now):
    ticket = make_ticket()
    now.advance(minutes=15)
    policy = factories.SLAPolicyFactory(name="New")
    factories.SLATargetFactory(policy=policy, minutes=60)
    sla_policy_changed(policy=policy)
    frt = clock_of(ticket)
    assert (frt.state, frt.policy_id, frt.due_at) == (
        "green",
        policy.pk,
        now.at + timedelta(minutes=60),
    )
    assert ledger_texts(frt) == [
        "policy 'New' changed at 09:15: target 60 min (policy 'New')",
        "resumed after 15 min paused",
    ]


def test_met_late_after_a_breach_records_both(policy, make_ticket, now, junior):
    ticket = make_ticket()
    now.advance(minutes=61)
    assert sla_sweep() == 2
    now.advance(minutes=29)
    # When the agent finally answers
    message_add(ticket=ticket, author_type="agent", body="Sorry!", author=junior)
    # Then the clock is met late and its ledger shows the crossings and the late reply
    frt = clock_of(ticket)
    assert (frt.state, frt.met_late, frt.breach_crossed_at) == (
        "met",
        True,
        T0 + timedelta(minutes=61),
    )
    assert ledger_texts(frt) == [
        "started at 09:00: target 60 min (policy 'Standard')",
        "amber at 09:45 (75% of 60 min)",
        "breached at 10:00 (target 60 min)",
        "met late at 10:30 after 1 h 30 min (target 60 min)",
    ]
    assert TicketEvent.objects.filter(kind=EventKind.SLA_STATE_CHANGED).count() == 2


@pytest.mark.parametrize("status", ["pending", "on_hold"])
def test_paused_clock_is_never_swept(policy, make_ticket, now, junior, status):
    ticket = make_ticket()
    ticket_update(ticket=ticket, actor=junior, status=status)
    now.advance(hours=10)
    assert sla_sweep() == 0
    assert TicketEvent.objects.filter(kind=EventKind.SLA_STATE_CHANGED).count() == 0


def test_calendar_change_moves_open_deadlines(db, make_ticket, now):
    from escalations.models import OpeningHours
    from escalations.sla.services import sla_calendar_changed

    # Given a UTC calendar open 9-17 on Mondays only
    calendar = factories.CalendarFactory(name="Mondays", timezone="UTC")
    factories.OpeningHoursFactory(calendar=calendar, weekday=0, start=time(9), end=time(17))
    policy = factories.SLAPolicyFactory(name="Office", calendar=calendar)
    factories.SLATargetFactory(policy=policy, minutes=600)
    ticket = make_ticket()
    assert clock_of(ticket).due_at == datetime(2026, 1, 19, 11, tzinfo=UTC)
    # When Tuesday opens too
    now.advance(hours=1)
    OpeningHours.objects.create(calendar=calendar, weekday=1, start=time(9), end=time(17))
    assert sla_calendar_changed(calendar=calendar) == 1
    # Then the deadline moves to Tuesday (1 h used on Monday, 9 h left)
    frt = clock_of(ticket)
    assert (frt.elapsed_seconds, frt.due_at) == (3600.0, datetime(2026, 1, 13, 11, tzinfo=UTC))


def test_an_overdue_clock_synced_again_keeps_the_deadline_it_missed(policy, make_ticket, now):
    """A breached clock moved by a later event (here a priority change two hours after the
    breach) keeps its deadline where it fell, so the ticket reads "breached 2 h over", not
    "just now"; the sweeper does not announce it again."""
    ticket = make_ticket()
    now.at = T0 + timedelta(minutes=60)
    assert sla_sweep() == 2  # amber and red
    now.at = T0 + timedelta(hours=3)
    ticket_update(ticket=ticket, actor=None, priority="high")
    frt = clock_of(ticket)
    assert (frt.state, frt.due_at, frt.amber_at) == (
        "red",
        T0 + timedelta(minutes=60),
        T0 + timedelta(minutes=45),
    )
    assert sla_sweep() == 0
    # A shorter target that is already overdue when set puts its deadline in the past too
    ticket.refresh_from_db()
    ticket_update(ticket=ticket, actor=None, priority="urgent")
    frt.refresh_from_db()
    assert frt.due_at == T0 + timedelta(minutes=30)
