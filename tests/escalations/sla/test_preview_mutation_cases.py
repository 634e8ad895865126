"""Cases the mutation run of escalations/sla/preview.py asked for (docs/mutation.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta

import pytest

from escalations.models import SLAClock
from escalations.sla.businesstime import BusinessCalendar
from escalations.sla.clocks import PolicyRules, SLASetup, TargetRule
from escalations.sla.preview import (
    NEW_POLICY_ID,
    DeadlineMove,
    SLAPreview,
    sla_calendar_preview,
    sla_policy_preview,
    sla_setup_with_policy,
)
from escalations.sla.selectors import sla_setup_load
from tests import factories
from tickets.services import message_add

from .conftest import T0


@pytest.mark.parametrize(
    ("before", "after", "text", "shift"),
    [
        pytest.param(0, 150, "2 h 30 min later", 9000.0, id="later"),
        pytest.param(60, 15, "45 min earlier", -2700.0, id="earlier"),
        pytest.param(60, None, "no longer due", None, id="no-longer-due"),
        pytest.param(None, 60, "newly due", None, id="newly-due"),
    ],
)
def test_a_moves_shift_reads_as_a_duration_later_or_earlier(before, after, text, shift):
    def at(minutes):
        return None if minutes is None else T0 + timedelta(minutes=minutes)

    move = DeadlineMove(7, "Printer", "next_response", at(before), at(after))
    assert (move.shift_text, move.shift_seconds, move.metric_label) == (
        text,
        shift,
        "Next response",
    )


# --- sla_setup_with_policy: pure ---------------------------------------------------------------
def _rules(pk: int, order: int, *, calendar_id: int | None = None) -> PolicyRules:
    return PolicyRules(
        id=pk,
        name=f"P{pk}",
        enabled=True,
        conditions=[],
        team_id=None,
        calendar_id=calendar_id,
        amber_percent=75,
        targets=(),
        order=order,
    )


def _utc(*hours: tuple[int, int, int]) -> BusinessCalendar:
    return BusinessCalendar.build(
        timezone="UTC", hours=[(w, time(s), time(e)) for w, s, e in hours]
    )


def test_an_edited_policy_keeps_its_place_by_id_among_equal_orders():
    setup = SLASetup(policies=(_rules(1, 10), _rules(2, 10), _rules(3, 5)))
    edited = replace(_rules(1, 10), name="Edited")
    new = _rules(NEW_POLICY_ID, 10)
    assert [
        p.name for p in sla_setup_with_policy(setup, policy=edited, calendar=None).policies
    ] == [
        "P3",
        "Edited",
        "P2",
    ]
    assert [p.name for p in sla_setup_with_policy(setup, policy=new, calendar=None).policies] == [
        "P3",
        "P1",
        "P2",
        "P0",
    ]


def test_the_edited_policys_calendar_replaces_only_its_own():
    saved, edited = _utc((0, 9, 17)), _utc((0, 9, 12))
    setup = SLASetup(policies=(_rules(1, 10, calendar_id=4),), calendars={4: saved, 5: saved})

    def calendars(policy: PolicyRules, calendar: BusinessCalendar | None):
        return sla_setup_with_policy(setup, policy=policy, calendar=calendar).calendars

    assert calendars(_rules(1, 10, calendar_id=4), edited) == {4: edited, 5: saved}
    assert calendars(_rules(1, 10, calendar_id=4), None) == {4: saved, 5: saved}
    assert calendars(_rules(1, 10), edited) == {4: saved, 5: saved}


# --- Previews through the saved setup ------------------------------------------------------------
def _edited(policy, **changes) -> PolicyRules:
    saved = sla_setup_load().policy(policy.pk)
    assert saved is not None
    return replace(saved, **changes)


def test_a_new_calendar_moves_nothing(policy, make_ticket, now):
    make_ticket()
    preview = sla_calendar_preview(
        calendar_id=None, calendar=_utc((0, 9, 10)), team_id=None, limit=7
    )
    assert preview == SLAPreview(
        moves=(), total_moves=0, tickets_moved=0, tickets_checked=0, limit=7, other_team_moves=0
    )


def test_a_policy_moved_to_a_calendar_no_policy_uses_yet_counts_its_hours(policy, make_ticket, now):
    # Given a 24/7 policy and a ticket opened Monday 09:00, its resolution (8 h) due 17:00
    ticket = make_ticket()
    office = factories.CalendarFactory(name="Mornings", timezone="UTC")
    for weekday in range(5):
        factories.OpeningHoursFactory(calendar=office, weekday=weekday, start=time(9), end=time(12))
    # When the policy is previewed on mornings only (3 h a day)
    preview = sla_policy_preview(
        policy=_edited(policy, calendar_id=office.pk), calendar=office, team_id=None, limit=5
    )
    # Then the resolution is due Wednesday 11:00; first response stays at 10:00
    assert preview.moves == (
        DeadlineMove(
            ticket.pk,
            "Printer on fire",
            "resolution",
            T0 + timedelta(hours=8),
            T0 + timedelta(days=2, hours=2),
        ),
    )
    assert preview.limit == 5


def test_a_policy_preview_lists_no_more_than_its_limit(policy, make_ticket, now):
    tickets = [make_ticket() for _ in range(2)]
    longer = (
        TargetRule("first_response", None, None, 90),
        TargetRule("resolution", None, None, 480),
    )
    preview = sla_policy_preview(
        policy=_edited(policy, targets=longer), calendar=None, team_id=None, limit=1
    )
    assert [(m.ticket_id, m.metric, m.shift_text) for m in preview.moves] == [
        (tickets[0].pk, "first_response", "30 min later")
    ]
    assert (preview.total_moves, preview.tickets_moved, preview.limit) == (2, 2, 1)


def test_a_ticket_already_answered_gets_no_first_response_clock_in_the_preview(
    policy, make_ticket, now, junior
):
    # Given two tickets without a first response clock (opened before the SLA policies), one
    # answered already
    answered, waiting = make_ticket(), make_ticket(subject="Waiting")
    message_add(ticket=answered, author_type="agent", body="On it", author=junior)
    SLAClock.objects.filter(metric="first_response").delete()
    # When a longer first response target is previewed
    longer = (
        TargetRule("first_response", None, None, 90),
        TargetRule("resolution", None, None, 480),
    )
    preview = sla_policy_preview(
        policy=_edited(policy, targets=longer), calendar=None, team_id=None
    )
    # Then only the waiting ticket's first response would move
    assert [(m.ticket_id, m.metric, m.due_before, m.due_after) for m in preview.moves] == [
        (waiting.pk, "first_response", T0 + timedelta(minutes=60), T0 + timedelta(minutes=90))
    ]


def test_other_teams_moves_are_added_up(policy, make_ticket, now, team):
    # Given a policy for every team and two tickets of another team, none of this team's
    elsewhere = factories.QueueFactory(name="Elsewhere", team=factories.TeamFactory(name="B"))
    make_ticket(queue=elsewhere)
    make_ticket(queue=elsewhere)
    longer = (
        TargetRule("first_response", None, None, 90),
        TargetRule("resolution", None, None, 600),
    )
    preview = sla_policy_preview(
        policy=_edited(policy, targets=longer), calendar=None, team_id=team.pk
    )
    assert (preview.moves, preview.tickets_checked, preview.other_team_moves) == ((), 0, 4)
