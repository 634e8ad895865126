"""Cases the mutation run of escalations/sla/selectors.py asked for (docs/mutation.md)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from escalations.models import (
    Calendar,
    Holiday,
    SLAClock,
    SLAClockEntry,
    SLAPolicy,
    SLASetupVersion,
)
from escalations.sla import selectors
from escalations.sla.businesstime import BusinessCalendar
from escalations.sla.clocks import PolicyRules, TargetRule
from escalations.sla.selectors import (
    SETUP_VERSION_PK,
    sla_calendars_build,
    sla_clock_explain,
    sla_clock_shown,
    sla_clocks_due_amber,
    sla_clocks_due_breach,
    sla_ledger,
    sla_setup_load,
    sla_setup_token_subquery,
    sla_summary,
    tickets_filter_sla_state,
)
from tests import factories
from tickets.models import Ticket
from tickets.services import message_add, ticket_update

from .conftest import T0, clock_of


def _clock(metric: str, state: str, due_minutes: int | None) -> SLAClock:
    due = None if due_minutes is None else T0 + timedelta(minutes=due_minutes)
    return SLAClock(metric=metric, state=state, due_at=due, target_minutes=60, started_at=T0)


@pytest.mark.parametrize(
    ("clocks", "shown"),
    [
        pytest.param(
            [("resolution", "green", 30), ("first_response", "amber", 40)],
            ("resolution", "green"),
            id="running-due-first",
        ),
        pytest.param(
            [("resolution", "red", 10), ("first_response", "red", 10)],
            ("first_response", "red"),
            id="same-due-by-metric",
        ),
        pytest.param(
            [("first_response", "met", 10), ("resolution", "paused", None)],
            ("resolution", "paused"),
            id="paused-before-met",
        ),
        pytest.param(
            [("resolution", "green", None), ("first_response", "met", 10)],
            ("resolution", "green"),
            id="running-without-due-ranks-by-state",
        ),
    ],
)
def test_the_shown_clock_is_the_running_one_due_first_else_the_most_telling(clocks, shown):
    chosen = sla_clock_shown([_clock(*c) for c in clocks])
    assert (chosen.metric, chosen.state) == shown


# --- sla_clock_explain: in-memory clocks of a 24/7 policy (no calendar) ---------------------
def _explained(*, entries=(), now_minutes: int, policy: bool = True, **fields) -> str:
    fields.setdefault("metric", "first_response")
    fields.setdefault("state", "green")
    fields.setdefault("target_minutes", 60)
    fields.setdefault("started_at", T0)
    fields.setdefault("checkpoint_at", fields["started_at"])
    clock = SLAClock(**fields)
    if policy:
        clock.policy = SLAPolicy(pk=1, name="Standard", calendar=None)
    rows = [
        SLAClockEntry(kind=kind, at=T0 + timedelta(minutes=m), detail=detail, text=text)
        for m, kind, detail, text in entries
    ]
    return sla_clock_explain(clock=clock, entries=rows, now=T0 + timedelta(minutes=now_minutes))


def test_explain_sums_the_pauses_of_the_current_run_by_reason_and_the_one_under_way():
    # Given a run started at 09:00: 30 min pending (twice 15), now paused "waiting" since 10:00
    entries = [
        (-60, "resumed", {"reason": "pending", "paused_seconds": 3600}, "earlier run"),
        (0, "retargeted", {}, "priority raised to urgent at 09:00: target 60 → 30 min"),
        (10, "paused", {"reason": "pending"}, "paused (pending) at 09:10"),
        (25, "resumed", {"reason": "pending", "paused_seconds": 900}, "resumed"),
        (30, "paused", {"reason": "pending"}, "paused (pending) at 09:30"),
        (45, "resumed", {"reason": "pending", "paused_seconds": 900}, "resumed"),
        (60, "paused", {"reason": "waiting"}, "paused (waiting) at 10:00"),
    ]
    text = _explained(
        entries=entries,
        now_minutes=130,
        state="paused",
        elapsed_seconds=30 * 60,
        paused_at=T0 + timedelta(minutes=60),
    )
    assert text == (
        "first response paused: 30 min of 60 min used, 30 min paused in pending, "
        "1 h 10 min paused in waiting, priority raised to urgent at 09:00: target 60 → 30 min"
    )


def test_explain_names_a_pause_without_reason_pause():
    # Given a resumed pause with no reason nor duration, then one of exactly 60 s, then a pause
    # whose entry gives no reason
    entries = [
        (5, "resumed", {}, "resumed"),
        (6, "resumed", {"reason": "", "paused_seconds": 60}, "resumed after 1 min"),
        (10, "paused", {}, "paused at 09:10"),
    ]
    text = _explained(
        entries=entries,
        now_minutes=40,
        state="paused",
        elapsed_seconds=9 * 60,
        paused_at=T0 + timedelta(minutes=10),
    )
    assert text == "first response paused: 9 min of 60 min used, 31 min paused in pause"


def test_explain_names_the_pause_under_way_pause_when_its_run_has_no_paused_entry():
    # Given a clock paused since 09:10 whose only "paused" entry is of an earlier run
    entries = [(-30, "paused", {"reason": "pending"}, "paused (pending) at 08:30")]
    text = _explained(
        entries=entries,
        now_minutes=20,
        state="paused",
        elapsed_seconds=10 * 60,
        paused_at=T0 + timedelta(minutes=10),
    )
    assert text == "first response paused: 10 min of 60 min used, 10 min paused in pause"


def test_explain_shows_a_pause_of_exactly_one_minute():
    entries = [(6, "resumed", {"reason": "pending", "paused_seconds": 60}, "resumed after 1 min")]
    text = _explained(
        entries=entries,
        now_minutes=20,
        elapsed_seconds=5 * 60,
        checkpoint_at=T0 + timedelta(minutes=6),
    )
    assert text == "first response green: 19 min of 60 min used, 1 min paused in pending"


def test_explain_leaves_out_pauses_under_a_minute():
    entries = [
        (5, "resumed", {}, "resumed"),
        (6, "resumed", {"reason": None, "paused_seconds": 59}, "resumed after 59 s"),
    ]
    text = _explained(entries=entries, now_minutes=20)
    assert text == "first response green: 20 min of 60 min used"


def test_explain_counts_no_pause_under_way_for_a_running_clock_with_a_stale_paused_at():
    text = _explained(now_minutes=20, paused_at=T0 + timedelta(minutes=5))
    assert text == "first response green: 20 min of 60 min used"


def test_explain_of_a_paused_clock_without_its_instant_adds_no_pause():
    text = _explained(
        entries=[(5, "paused", {"reason": "pending"}, "paused (pending) at 09:05")],
        now_minutes=20,
        state="paused",
        elapsed_seconds=5 * 60,
    )
    assert text == "first response paused: 5 min of 60 min used, 15 min outside business hours"


def test_explain_of_a_clock_met_late_ends_at_its_met_instant():
    # Given met at 09:30 with 29 business minutes: exactly 1 min not counted
    text = _explained(
        now_minutes=300,
        state="met",
        met_late=True,
        met_at=T0 + timedelta(minutes=30),
        elapsed_seconds=29 * 60,
        target_minutes=20,
    )
    assert text == "first response met late: 29 min of 20 min used, 1 min outside business hours"


def test_explain_shows_the_state_of_a_clock_met_in_time():
    text = _explained(
        now_minutes=300,
        state="met",
        met_at=T0 + timedelta(minutes=30),
        elapsed_seconds=30 * 60 - 59,
        metric="resolution",
    )
    assert text == "resolution met: 29 min of 60 min used"


def test_explain_of_a_clock_without_policy_says_no_target_applies():
    text = _explained(now_minutes=20, policy=False, metric="next_response")
    assert text == "next response green: no SLA target applies"


# --- sla_ledger, sla_summary -------------------------------------------------------------------
def test_ledger_lists_each_clocks_summary_then_its_entries_by_instant(policy, make_ticket, now):
    # Given an entry written after the starting ones but dated before them
    ticket = make_ticket()
    clock = clock_of(ticket)
    SLAClockEntry.objects.create(
        clock=clock, kind="note", at=T0 - timedelta(minutes=5), detail={}, text="imported"
    )
    later = T0 + timedelta(minutes=20)
    # Then
    assert sla_ledger(ticket=ticket, now=later) == [
        {
            "metric": "first_response",
            "kind": "summary",
            "at": later,
            "text": "first response green: 20 min of 60 min used",
        },
        {
            "metric": "first_response",
            "kind": "note",
            "at": T0 - timedelta(minutes=5),
            "text": "imported",
        },
        {
            "metric": "first_response",
            "kind": "started",
            "at": T0,
            "text": "started at 09:00: target 60 min (policy 'Standard')",
        },
        {
            "metric": "resolution",
            "kind": "summary",
            "at": later,
            "text": "resolution green: 20 min of 480 min used",
        },
        {
            "metric": "resolution",
            "kind": "started",
            "at": T0,
            "text": "started at 09:00: target 480 min (policy 'Standard')",
        },
    ]


def test_summary_is_taken_at_the_instant_given(policy, make_ticket, now):
    ticket = make_ticket()
    summary = sla_summary(ticket=ticket, now=T0 + timedelta(minutes=25))
    assert summary["remaining_seconds"] == 35 * 60


def test_summary_of_a_ticket_whose_clocks_are_all_met_has_no_time_left(
    policy, make_ticket, now, junior
):
    ticket = make_ticket()
    now.advance(minutes=10)
    message_add(ticket=ticket, author_type="agent", body="On it", author=junior)
    ticket = ticket_update(ticket=ticket, actor=junior, status="solved")
    assert sla_summary(ticket=ticket) == {
        "state": "met",
        "first_response_due_at": None,
        "remaining_seconds": None,
        "metric": "first_response",
        "due_at": None,
    }


def test_summary_counts_time_left_in_the_policys_business_hours(db, make_ticket, now):
    # Given office hours 09:00-17:00 on weekdays and a 600 min target
    calendar = factories.CalendarFactory(name="UTC office", timezone="UTC")
    for weekday in range(5):
        factories.OpeningHoursFactory(
            calendar=calendar, weekday=weekday, start=time(9), end=time(17)
        )
    policy = factories.SLAPolicyFactory(name="Office", calendar=calendar)
    factories.SLATargetFactory(policy=policy, minutes=600)
    ticket = make_ticket()
    # When a whole day has passed: 8 business hours
    now.advance(hours=24)
    assert sla_summary(ticket=ticket)["remaining_seconds"] == 2 * 3600


# --- Calendars and the compiled setup ----------------------------------------------------------
def _fields(calendar: BusinessCalendar) -> tuple[object, ...]:
    return (
        calendar.timezone,
        calendar.spans,
        calendar.holiday_country,
        calendar.holiday_subdivision,
        calendar.closed_dates,
    )


@pytest.fixture
def bavarian_office(db):
    calendar = factories.CalendarFactory(
        name="Munich", timezone="Europe/Berlin", holiday_country="DE", holiday_subdivision="BY"
    )
    factories.OpeningHoursFactory(calendar=calendar, weekday=0, start=time(9), end=time(17))
    factories.OpeningHoursFactory(calendar=calendar, weekday=4, start=time(8), end=time(12))
    Holiday.objects.create(calendar=calendar, date=date(2026, 1, 16))
    other = factories.CalendarFactory(name="Elsewhere")
    factories.OpeningHoursFactory(calendar=other, weekday=2, start=time(10), end=time(11))
    Holiday.objects.create(calendar=other, date=date(2026, 1, 14))
    return calendar


def test_a_calendar_is_built_from_its_own_hours_holidays_and_region(bavarian_office):
    built = sla_calendars_build(calendars=[bavarian_office])[bavarian_office.pk]
    assert _fields(built) == _fields(
        BusinessCalendar.build(
            timezone="Europe/Berlin",
            hours=[(0, time(9), time(17)), (4, time(8), time(12))],
            holiday_country="DE",
            holiday_subdivision="BY",
            closed_dates=[date(2026, 1, 16)],
        )
    )


def test_a_built_calendar_is_reused_without_queries(bavarian_office, django_assert_num_queries):
    first = sla_calendars_build(calendars=[bavarian_office])[bavarian_office.pk]
    with django_assert_num_queries(0):
        again = sla_calendars_build(calendars=[bavarian_office])
    assert again == {bavarian_office.pk: first}


def test_the_calendar_cache_is_emptied_only_once_over_its_size(
    bavarian_office, django_assert_num_queries
):
    # Given the cache full up to its size, this calendar's entry among them
    first = sla_calendars_build(calendars=[bavarian_office])[bavarian_office.pk]
    for n in range(selectors._CALENDAR_CACHE_SIZE - 1):
        selectors._CALENDAR_CACHE[("filler", n)] = first
    other = Calendar.objects.get(name="Elsewhere")
    # When one more calendar is built: the cache is not over its size yet, so it is kept
    sla_calendars_build(calendars=[other])
    with django_assert_num_queries(0):
        sla_calendars_build(calendars=[bavarian_office])
    # When yet another is built: the cache is over its size, so it is emptied first
    third = factories.CalendarFactory(name="Third")
    sla_calendars_build(calendars=[third])
    with django_assert_num_queries(2):
        sla_calendars_build(calendars=[bavarian_office])


def test_the_setup_holds_every_policy_by_order_with_its_values_and_calendars(
    bavarian_office, team, django_assert_num_queries
):
    # Given two policies, the later one by order created first
    late = factories.SLAPolicyFactory(
        name="Late", order=20, calendar=bavarian_office, amber_percent=80
    )
    factories.SLATargetFactory(policy=late, metric="resolution", minutes=600)
    early = factories.SLAPolicyFactory(
        name="Early",
        order=5,
        team=team,
        enabled=False,
        calendar=bavarian_office,
        conditions=[{"field": "tier", "op": "gte", "value": "premium"}],
    )
    factories.SLATargetFactory(
        policy=early, metric="first_response", priority="urgent", tier="premium", minutes=15
    )
    # When the setup is compiled (no version row: the token, policies with their calendars,
    # targets, hours, holidays)
    SLASetupVersion.objects.all().delete()
    with django_assert_num_queries(5):
        setup = sla_setup_load()
    # Then
    assert setup.policies == (
        PolicyRules(
            id=early.pk,
            name="Early",
            enabled=False,
            conditions=[{"field": "tier", "op": "gte", "value": "premium"}],
            team_id=team.pk,
            calendar_id=bavarian_office.pk,
            amber_percent=75,
            order=5,
            targets=(TargetRule("first_response", "urgent", "premium", 15),),
        ),
        PolicyRules(
            id=late.pk,
            name="Late",
            enabled=True,
            conditions=[],
            team_id=None,
            calendar_id=bavarian_office.pk,
            amber_percent=80,
            order=20,
            targets=(TargetRule("resolution", None, None, 600),),
        ),
    )
    assert list(setup.calendars) == [bavarian_office.pk]
    assert _fields(setup.calendars[bavarian_office.pk])[4] == frozenset({date(2026, 1, 16)})


def test_the_setup_is_compiled_once_per_token(policy, django_assert_num_queries):
    # Given the setup version "v1"
    SLASetupVersion.objects.update_or_create(pk=SETUP_VERSION_PK, defaults={"token": "v1"})
    # When it is loaded: the token, then policies and targets
    with django_assert_num_queries(3):
        first = sla_setup_load()
    # Then it is kept for "v1", whether the token is read here or given
    with django_assert_num_queries(1):
        assert sla_setup_load() is first
    with django_assert_num_queries(0):
        assert sla_setup_load(token="v1") is first
    # And another token compiles it again, once
    with django_assert_num_queries(2):
        second = sla_setup_load(token="v2")
    assert second is not first
    assert second.policy(policy.pk) == first.policy(policy.pk)
    assert sla_setup_load(token="v2") is second


def test_without_a_version_row_the_setup_is_compiled_every_time(policy, django_assert_num_queries):
    SLASetupVersion.objects.all().delete()
    with django_assert_num_queries(3):
        first = sla_setup_load()
    with django_assert_num_queries(3):
        second = sla_setup_load()
    assert second is not first
    assert selectors._SETUP_CACHE == {}


def test_the_token_subquery_reads_the_version_rows_token(policy, make_ticket):
    ticket = make_ticket()
    SLASetupVersion.objects.update_or_create(pk=SETUP_VERSION_PK, defaults={"token": "v7"})
    tokens = Ticket.objects.annotate(token=sla_setup_token_subquery()).values_list("pk", "token")
    assert list(tokens) == [(ticket.pk, "v7")]


# --- Due crossings, the state filter -------------------------------------------------------------
def test_due_crossings_are_the_running_clocks_past_their_instant(
    policy, make_ticket, django_assert_num_queries
):
    def clock(state: str, amber: int, breach: int) -> SLAClock:
        row = clock_of(make_ticket(subject=f"{state} {amber}"))
        SLAClock.objects.filter(pk=row.pk).update(
            state=state,
            amber_at=T0 + timedelta(minutes=amber),
            breach_at=T0 + timedelta(minutes=breach),
        )
        return row

    green_late = clock("green", 40, 60)
    green_early = clock("green", 35, 65)
    amber = clock("amber", 30, 50)
    clock("red", 10, 20)
    clock("paused", 5, 6)
    clock("met", 5, 6)
    green_later = clock("green", 80, 100)
    now = T0 + timedelta(minutes=70)

    assert [c.pk for c in sla_clocks_due_amber(now=now)] == [green_early.pk, green_late.pk]
    with django_assert_num_queries(1):
        due = [(c.pk, c.ticket.subject, c.policy.calendar) for c in sla_clocks_due_breach(now=now)]
    assert due == [
        (amber.pk, "amber 30", None),
        (green_late.pk, "green 40", None),
        (green_early.pk, "green 35", None),
    ]
    assert green_later.pk not in {
        c.pk for c in sla_clocks_due_breach(now=T0 + timedelta(minutes=99))
    }


def test_the_state_filter_ignores_clocks_without_a_policy(db, make_ticket, now):
    # Given a ticket no policy covers: its clocks stand paused without a policy
    ticket = make_ticket()
    assert list(ticket.sla_clocks.values_list("state", "policy")) == [
        ("paused", None),
        ("paused", None),
    ]
    assert list(tickets_filter_sla_state(Ticket.objects.all(), "paused")) == []
