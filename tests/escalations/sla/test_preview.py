"""SLA preview: which open tickets' deadlines an unsaved policy or calendar would move."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time

import pytest

from escalations.models import SLAClock, SLAClockEntry
from escalations.sla.businesstime import BusinessCalendar, business_seconds_between
from escalations.sla.clocks import TargetRule
from escalations.sla.preview import (
    NEW_POLICY_ID,
    DeadlineMove,
    sla_calendar_preview,
    sla_policy_preview,
    sla_setup_with_policy,
)
from escalations.sla.selectors import sla_calendar_cache_clear, sla_setup_load
from tests import factories

pytestmark = pytest.mark.django_db

BERLIN_HOURS = [(weekday, time(9), time(17)) for weekday in range(5)]
# Monday 12 January 2026, 16:30 and 15:30 in Berlin (UTC+1)
MONDAY_1630 = datetime(2026, 1, 12, 15, 30, tzinfo=UTC)
MONDAY_1530 = datetime(2026, 1, 12, 14, 30, tzinfo=UTC)


@pytest.fixture
def office(team):
    calendar = factories.CalendarFactory(name="Berlin office", team=team)
    for weekday, start, end in BERLIN_HOURS:
        factories.OpeningHoursFactory(calendar=calendar, weekday=weekday, start=start, end=end)
    return calendar


@pytest.fixture
def office_policy(team, office):
    policy = factories.SLAPolicyFactory(name="Office hours", team=team, calendar=office, order=10)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    return policy


def _berlin(*, holidays: tuple[date, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar.build(
        timezone="Europe/Berlin", hours=BERLIN_HOURS, closed_dates=holidays
    )


def _rules_with_first_response(policy, minutes: int):
    saved = sla_setup_load().policy(policy.pk)
    assert saved is not None
    return dataclasses.replace(saved, targets=(TargetRule("first_response", None, None, minutes),))


def _counts() -> tuple[int, int]:
    return SLAClock.objects.count(), SLAClockEntry.objects.count()


def test_a_longer_target_moves_first_response_due_by_60_business_minutes(
    office_policy, office, make_ticket, now
):
    # Given a ticket opened Monday 15:30 Berlin: 60 business minutes are due at 16:30
    now.at = MONDAY_1530
    ticket = make_ticket()
    before_counts = _counts()

    # When the target is previewed at 120 minutes
    preview = sla_policy_preview(
        policy=_rules_with_first_response(office_policy, 120), calendar=office, team_id=None
    )

    # Then the deadline moves past the night to Tuesday 09:30: 60 business minutes later
    due_after = datetime(2026, 1, 13, 8, 30, tzinfo=UTC)
    assert preview.moves == (
        DeadlineMove(
            ticket.pk,
            ticket.subject,
            "first_response",
            datetime(2026, 1, 12, 15, 30, tzinfo=UTC),
            due_after,
        ),
    )
    move = preview.moves[0]
    assert business_seconds_between(_berlin(), move.due_before, move.due_after) == 3600.0
    assert move.shift_text == "17 h later"
    assert (preview.total_moves, preview.tickets_moved, preview.tickets_checked) == (1, 1, 1)
    assert not preview.truncated
    # And nothing was written
    assert _counts() == before_counts


def test_a_shorter_target_moves_due_earlier(office_policy, office, make_ticket, now):
    now.at = MONDAY_1530
    ticket = make_ticket()

    preview = sla_policy_preview(
        policy=_rules_with_first_response(office_policy, 30), calendar=office, team_id=None
    )

    assert [(m.ticket_id, m.metric, m.shift_text) for m in preview.moves] == [
        (ticket.pk, "first_response", "30 min earlier")
    ]


def test_an_unchanged_policy_moves_nothing(office_policy, office, make_ticket, now):
    now.at = MONDAY_1530
    make_ticket()

    preview = sla_policy_preview(
        policy=_rules_with_first_response(office_policy, 60), calendar=office, team_id=None
    )

    assert (preview.moves, preview.total_moves, preview.tickets_checked) == ((), 0, 1)


def test_a_holiday_moves_the_deadline_past_it(office_policy, office, make_ticket, now):
    # Given a ticket opened Monday 16:30 Berlin, due Tuesday 09:30
    now.at = MONDAY_1630
    ticket = make_ticket()
    before_counts = _counts()

    # When Tuesday 13 January becomes a holiday
    preview = sla_calendar_preview(
        calendar_id=office.pk, calendar=_berlin(holidays=(date(2026, 1, 13),)), team_id=None
    )

    # Then the deadline moves to Wednesday 09:30, a day later
    assert preview.moves == (
        DeadlineMove(
            ticket.pk,
            ticket.subject,
            "first_response",
            datetime(2026, 1, 13, 8, 30, tzinfo=UTC),
            datetime(2026, 1, 14, 8, 30, tzinfo=UTC),
        ),
    )
    assert preview.moves[0].shift_text == "1 d later"
    assert _counts() == before_counts


def test_other_teams_tickets_are_left_out_for_a_team_scope(
    office_policy, office, make_ticket, now, team
):
    now.at = MONDAY_1630
    make_ticket()
    other = factories.TeamFactory(name="Elsewhere")

    preview = sla_calendar_preview(
        calendar_id=office.pk, calendar=_berlin(holidays=(date(2026, 1, 13),)), team_id=other.pk
    )
    own = sla_calendar_preview(
        calendar_id=office.pk, calendar=_berlin(holidays=(date(2026, 1, 13),)), team_id=team.pk
    )

    assert (preview.moves, preview.tickets_checked, preview.other_team_moves) == ((), 0, 1)
    assert (own.total_moves, own.tickets_checked, own.other_team_moves) == (1, 1, 0)


def test_a_shared_calendar_counts_other_teams_moves_without_listing_them(
    office, make_ticket, now, team
):
    # Given a policy for every team on the office calendar, and tickets of two teams
    policy = factories.SLAPolicyFactory(name="Everyone", calendar=office, order=10)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    now.at = MONDAY_1630
    own = make_ticket()
    other_queue = factories.QueueFactory(name="Elsewhere queue")
    make_ticket(queue=other_queue, subject="Someone else's")

    # When the team previews a holiday on the calendar
    preview = sla_calendar_preview(
        calendar_id=office.pk, calendar=_berlin(holidays=(date(2026, 1, 13),)), team_id=team.pk
    )

    # Then its own ticket is listed and the other team's move is only counted
    assert [m.ticket_id for m in preview.moves] == [own.pk]
    assert (preview.total_moves, preview.tickets_checked, preview.other_team_moves) == (1, 1, 1)


def test_a_new_policy_first_by_order_takes_over(office_policy, office, make_ticket, now, team):
    now.at = MONDAY_1530
    ticket = make_ticket()
    new = dataclasses.replace(
        _rules_with_first_response(office_policy, 15), id=NEW_POLICY_ID, order=1, calendar_id=None
    )

    preview = sla_policy_preview(policy=new, calendar=None, team_id=team.pk)

    # 24/7 and 15 minutes: due 15:45 Berlin instead of 16:30
    assert [(m.ticket_id, m.due_after, m.shift_text) for m in preview.moves] == [
        (ticket.pk, datetime(2026, 1, 12, 14, 45, tzinfo=UTC), "45 min earlier")
    ]


def test_the_listing_is_bounded_and_the_total_counts_all(office_policy, office, make_ticket, now):
    now.at = MONDAY_1630
    tickets = [make_ticket() for _ in range(3)]

    preview = sla_calendar_preview(
        calendar_id=office.pk,
        calendar=_berlin(holidays=(date(2026, 1, 13),)),
        team_id=None,
        limit=2,
    )

    assert [m.ticket_id for m in preview.moves] == [tickets[0].pk, tickets[1].pk]
    assert (preview.total_moves, preview.tickets_moved, preview.truncated) == (3, 3, True)


def test_setup_with_policy_places_it_by_order(office_policy):
    setup = sla_setup_load()
    saved = setup.policy(office_policy.pk)
    assert saved is not None
    first = dataclasses.replace(saved, id=NEW_POLICY_ID, name="Rush", order=1)
    last = dataclasses.replace(saved, id=NEW_POLICY_ID, name="Late", order=10)

    assert [p.name for p in sla_setup_with_policy(setup, policy=first, calendar=None).policies] == [
        "Rush",
        "Office hours",
    ]
    assert [p.name for p in sla_setup_with_policy(setup, policy=last, calendar=None).policies] == [
        "Office hours",
        "Late",
    ]


@pytest.mark.parametrize("tickets", [1, 4], ids=["one-ticket", "four-tickets"])
def test_the_query_count_does_not_grow_with_the_tickets(
    office_policy, office, make_ticket, now, tickets, django_assert_num_queries
):
    now.at = MONDAY_1630
    for _ in range(tickets):
        make_ticket()
    sla_calendar_cache_clear()

    # The setup version, policies, their targets, the calendar's hours and holidays (compiled
    # cold); one chunk of tickets (with their tags) and their clocks; the empty next chunk
    with django_assert_num_queries(8):
        preview = sla_calendar_preview(
            calendar_id=office.pk, calendar=_berlin(holidays=(date(2026, 1, 13),)), team_id=None
        )

    assert preview.total_moves == tickets
