"""SLA clock transitions as pure functions (no database): target choice, durations in words,
start, pause, resume, meet, reopen and retarget, each with its ledger line."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from escalations.engine.context import TicketContext
from escalations.models import SLAClock
from escalations.sla.businesstime import BusinessCalendar
from escalations.sla.clocks import (
    Cause,
    Choice,
    PolicyRules,
    SLASetup,
    TargetRule,
    clock_elapsed_at,
    clock_meet,
    clock_schedule,
    clock_start,
    clock_sync,
    clock_time_text,
    crossing_line,
    duration_text,
)

from ..test_conditions import make_context

T0 = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)  # a Monday
BERLIN = BusinessCalendar.build(
    timezone="Europe/Berlin", hours=[(w, time(9), time(17)) for w in range(5)]
)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def context(**overrides) -> TicketContext:
    return make_context(**{"priority": "normal", "tier": "free", **overrides})


def policy(
    id: int = 1,
    name: str = "Standard",
    *targets: TargetRule,
    enabled: bool = True,
    conditions: tuple = (),
    team_id: int | None = None,
    calendar_id: int | None = None,
    amber_percent: int = 75,
) -> PolicyRules:
    return PolicyRules(
        id=id,
        name=name,
        enabled=enabled,
        conditions=conditions,
        team_id=team_id,
        calendar_id=calendar_id,
        amber_percent=amber_percent,
        targets=targets
        or (
            TargetRule("first_response", None, None, 60),
            TargetRule("first_response", "urgent", None, 30),
            TargetRule("resolution", None, None, 480),
        ),
    )


STANDARD = policy()
GOLD = policy(2, "Gold", TargetRule("first_response", None, None, 20))
SETUP = SLASetup(policies=(STANDARD, GOLD))


def clock(metric: str = "first_response", **fields) -> SLAClock:
    values = {
        "metric": metric,
        "target_minutes": 0,
        "started_at": T0,
        "checkpoint_at": T0,
        "state": "paused",
    }
    values.update(fields)
    return SLAClock(**values)


def started(metric: str = "first_response", choice: Choice | None = None) -> SLAClock:
    c = clock(metric)
    clock_start(c, now=T0, status="open", choice=choice or Choice(STANDARD, 60), setup=SETUP)
    return c


def texts(lines) -> list[str]:
    return [line.text for line in lines]


# --- Targets and policies --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("priority", "tier", "specificity"),
    [("urgent", "premium", 3), ("urgent", None, 2), (None, "premium", 1), (None, None, 0)],
)
def test_a_target_naming_the_priority_outranks_one_naming_the_tier(priority, tier, specificity):
    assert TargetRule("first_response", priority, tier, 10).specificity == specificity


MIXED = policy(
    9,
    "Mixed",
    TargetRule("first_response", None, None, 240),
    TargetRule("first_response", None, None, 200),
    TargetRule("first_response", "urgent", "premium", 30),
    TargetRule("first_response", None, "premium", 120),
    TargetRule("first_response", "urgent", None, 60),
    TargetRule("resolution", None, None, 480),
)


@pytest.mark.parametrize(
    ("metric", "priority", "tier", "minutes"),
    [
        pytest.param("first_response", "normal", "free", 240, id="neither-first-listed-wins"),
        pytest.param("first_response", "urgent", "free", 60, id="priority"),
        pytest.param("first_response", "normal", "premium", 120, id="tier"),
        pytest.param("first_response", "urgent", "premium", 30, id="priority-and-tier"),
        pytest.param("resolution", "urgent", "premium", 480, id="other-metric"),
        pytest.param("next_response", "normal", "free", None, id="no-target"),
    ],
)
def test_the_most_specific_target_wins(metric, priority, tier, minutes):
    assert MIXED.minutes_for(metric, priority, tier) == minutes


@pytest.mark.parametrize(
    ("rules", "ctx", "applies"),
    [
        pytest.param(policy(), context(), True, id="any-team"),
        pytest.param(policy(enabled=False), context(), False, id="disabled"),
        pytest.param(policy(team_id=7), context(team_id=7), True, id="own-team"),
        pytest.param(policy(team_id=8), context(team_id=7), False, id="other-team"),
        pytest.param(
            policy(conditions=({"field": "priority", "op": "eq", "value": "urgent"},)),
            context(priority="urgent"),
            True,
            id="conditions-hold",
        ),
        pytest.param(
            policy(conditions=({"field": "priority", "op": "eq", "value": "urgent"},)),
            context(priority="low"),
            False,
            id="conditions-fail",
        ),
    ],
)
def test_a_policy_applies_to_its_teams_tickets_that_match(rules, ctx, applies):
    assert rules.applies_to(ctx) is applies


def test_the_first_applying_policy_decides_even_without_a_target_for_the_metric():
    urgent_only = policy(
        3,
        "Urgent",
        TargetRule("first_response", None, None, 15),
        conditions=({"field": "priority", "op": "eq", "value": "urgent"},),
    )
    setup = SLASetup(policies=(urgent_only, STANDARD))

    assert setup.choose(context(priority="urgent"), "first_response") == Choice(urgent_only, 15)
    assert setup.choose(context(priority="urgent"), "resolution") is None
    assert setup.choose(context(priority="normal"), "resolution") == Choice(STANDARD, 480)
    assert SLASetup(policies=(policy(enabled=False),)).choose(context(), "resolution") is None


def test_setup_finds_policies_and_their_calendars_by_id():
    office = policy(4, "Office", calendar_id=40)
    setup = SLASetup(policies=(STANDARD, office), calendars={40: BERLIN})

    assert setup.policy(4) is office
    assert setup.policy(None) is None
    assert setup.policy(99) is None
    assert setup.calendar(4) is BERLIN
    assert setup.calendar(1) is None
    assert setup.calendar(None) is None
    assert setup.calendar(99) is None


# --- Words -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-5, "0 s"),
        (0, "0 s"),
        (59.9, "59 s"),
        (60, "1 min"),
        (3600, "1 h"),
        (3720, "1 h 2 min"),
        (86400, "1 d"),
        (86460, "1 d 1 min"),
        (90000, "1 d 1 h"),
        (2 * 86400 + 3600 + 720, "2 d 1 h 12 min"),
    ],
)
def test_duration_text(seconds, text):
    assert duration_text(seconds) == text


def test_clock_times_are_told_in_the_calendars_time_zone():
    assert clock_time_text(T0, None) == "09:00"
    assert clock_time_text(T0, BERLIN) == "10:00"


# --- Arithmetic ------------------------------------------------------------------------------
def test_elapsed_time_runs_only_while_the_clock_runs():
    running = clock(state="amber", elapsed_seconds=100.0)
    paused = clock(state="paused", elapsed_seconds=100.0)

    assert clock_elapsed_at(running, None, at(10)) == 700.0
    assert clock_elapsed_at(paused, None, at(10)) == 100.0
    # Monday 09:00 UTC is 10:00 in Berlin: ten minutes later is ten open minutes
    assert clock_elapsed_at(running, BERLIN, at(10)) == 700.0
    assert clock_elapsed_at(running, BERLIN, T0 + timedelta(hours=8)) == 100.0 + 7 * 3600


def test_schedule_puts_amber_and_breach_after_the_time_already_used():
    c = clock(state="green", target_minutes=60, elapsed_seconds=600.0, checkpoint_at=at(30))

    clock_schedule(c, None, 50)

    assert (c.due_at, c.breach_at, c.amber_at) == (at(80), at(80), at(50))


@pytest.mark.parametrize(
    ("state", "target"), [("paused", 60), ("met", 60), ("green", 0)], ids=["paused", "met", "none"]
)
def test_schedule_clears_deadlines_of_a_stopped_clock_or_one_without_target(state, target):
    c = clock(state=state, target_minutes=target, due_at=T0, amber_at=T0, breach_at=T0)

    clock_schedule(c, None, 75)

    assert (c.due_at, c.amber_at, c.breach_at) == (None, None, None)


# --- Start -----------------------------------------------------------------------------------
def test_start_runs_the_clock_with_the_chosen_target():
    c = clock(met_at=T0, met_late=True, amber_crossed_at=T0, breach_crossed_at=T0, paused_at=T0)

    lines = clock_start(c, now=at(5), status="new", choice=Choice(STANDARD, 60), setup=SETUP)

    assert [(line.kind, line.at, line.text, line.detail) for line in lines] == [
        (
            "started",
            at(5),
            "started at 09:05: target 60 min (policy 'Standard')",
            {
                "policy": 1,
                "target_minutes": 60,
            },
        )
    ]
    assert (c.state, c.policy_id, c.target_minutes, c.elapsed_seconds) == ("green", 1, 60, 0.0)
    assert (c.started_at, c.checkpoint_at) == (at(5), at(5))
    assert (c.paused_at, c.met_at, c.amber_crossed_at, c.breach_crossed_at) == (None,) * 4
    assert c.met_late is False
    assert (c.amber_at, c.breach_at, c.due_at) == (at(50), at(65), at(65))


def test_start_uses_the_policys_amber_percent_and_calendar():
    office = policy(5, "Office", TargetRule("first_response", None, None, 120), amber_percent=50)
    office_hours = SLASetup(policies=(office,), calendars={})
    c = clock()

    clock_start(c, now=T0, status="open", choice=Choice(office, 120), setup=office_hours)

    assert (c.amber_at, c.breach_at) == (at(60), at(120))


def test_start_with_a_reason_says_so():
    c = clock("next_response")

    lines = clock_start(
        c,
        now=T0,
        status="open",
        choice=Choice(STANDARD, 30),
        setup=SETUP,
        reason="customer replied",
    )

    assert texts(lines) == [
        "started at 09:00 (customer replied): target 30 min (policy 'Standard')"
    ]


def test_start_while_pending_starts_paused():
    c = clock()

    lines = clock_start(c, now=T0, status="pending", choice=Choice(STANDARD, 60), setup=SETUP)

    assert texts(lines) == [
        "started at 09:00: target 60 min (policy 'Standard')",
        "paused (pending) at 09:00",
    ]
    assert lines[1].kind == "paused"
    assert lines[1].detail == {"reason": "pending", "elapsed_seconds": 0.0}
    assert (c.state, c.paused_at, c.due_at) == ("paused", T0, None)


def test_start_without_a_target_leaves_a_detached_paused_clock():
    c = clock(state="green", policy_id=1, target_minutes=60)

    assert clock_start(c, now=T0, status="open", choice=None, setup=SETUP) == []
    assert (c.state, c.paused_at, c.policy_id, c.target_minutes) == ("paused", T0, None, 0)
    assert (c.due_at, c.amber_at, c.breach_at) == (None, None, None)


# --- Meet ------------------------------------------------------------------------------------
def test_meeting_in_time():
    c = started()

    lines = clock_meet(c, now=at(40), setup=SETUP)

    assert [(line.kind, line.text, line.detail) for line in lines] == [
        (
            "met",
            "met at 09:40 after 40 min (target 60 min)",
            {"elapsed_seconds": 2400.0, "met_late": False},
        )
    ]
    assert (c.state, c.met_at, c.met_late, c.paused_at) == ("met", at(40), False, None)
    assert (c.due_at, c.amber_at, c.breach_at) == (None, None, None)


def test_meeting_exactly_at_the_target_is_late():
    c = started()

    lines = clock_meet(c, now=at(60), setup=SETUP)

    assert (lines[0].kind, lines[0].text) == (
        "met_late",
        "met late at 10:00 after 1 h (target 60 min)",
    )
    assert c.met_late is True


def test_meeting_after_an_announced_breach_is_late_even_when_paused_time_kept_it_short():
    c = started()
    c.breach_crossed_at = at(1)

    assert clock_meet(c, now=at(10), setup=SETUP)[0].kind == "met_late"


def test_a_clock_without_target_is_met_in_time():
    c = clock(state="green")

    assert clock_meet(c, now=at(600), setup=SETUP)[0].detail == {
        "elapsed_seconds": 36000.0,
        "met_late": False,
    }


def test_a_met_clock_is_met_once():
    c = started()
    clock_meet(c, now=at(10), setup=SETUP)

    assert clock_meet(c, now=at(20), setup=SETUP) == []
    assert c.met_at == at(10)


# --- Sync: pause, resume, reopen, retarget ---------------------------------------------------
def sync(c: SLAClock, minutes: float, status: str, choice, kind="status_changed", **data):
    return clock_sync(
        c, status=status, choice=choice, setup=SETUP, now=at(minutes), cause=Cause(kind, data)
    )


def test_pending_pauses_a_running_clock_with_the_time_used():
    c = started()

    lines = sync(c, 30, "pending", Choice(STANDARD, 60), to="pending")

    assert [(line.kind, line.text, line.detail) for line in lines] == [
        ("paused", "paused (pending) at 09:30", {"reason": "pending", "elapsed_seconds": 1800.0})
    ]
    assert (c.state, c.paused_at, c.elapsed_seconds, c.checkpoint_at) == (
        "paused",
        at(30),
        1800.0,
        at(30),
    )
    assert c.due_at is None


@pytest.mark.parametrize(
    ("amber", "breach", "state"),
    [(None, None, "green"), (1, None, "amber"), (1, 2, "red"), (None, 2, "red")],
    ids=["none", "amber", "both", "breach"],
)
def test_resuming_returns_to_the_last_announced_state(amber, breach, state):
    c = started()
    c.amber_crossed_at = at(amber) if amber else None
    c.breach_crossed_at = at(breach) if breach else None
    sync(c, 30, "pending", Choice(STANDARD, 60), to="pending")

    lines = sync(c, 90, "open", Choice(STANDARD, 60), **{"from": "pending", "to": "open"})

    assert [(line.kind, line.text, line.detail) for line in lines] == [
        (
            "resumed",
            "resumed after 1 h paused",
            {"paused_seconds": 3600.0, "reason": "pending"},
        )
    ]
    assert (c.state, c.paused_at, c.checkpoint_at, c.elapsed_seconds) == (
        state,
        None,
        at(90),
        1800.0,
    )
    assert c.breach_at == at(120)


def test_resuming_for_another_cause_names_no_reason():
    c = started()
    sync(c, 30, "pending", Choice(STANDARD, 60))
    c.paused_at = None

    lines = sync(c, 45, "open", Choice(STANDARD, 60), kind="message_added", **{"from": "x"})

    assert [(line.text, line.detail) for line in lines] == [
        ("resumed after 0 s paused", {"paused_seconds": 0.0, "reason": ""})
    ]


def test_a_met_response_clock_stays_met():
    c = started()
    clock_meet(c, now=at(10), setup=SETUP)

    assert sync(c, 20, "open", Choice(STANDARD, 60)) == []
    assert c.state == "met"


def test_a_met_resolution_clock_stays_met_while_solved():
    c = started("resolution", Choice(STANDARD, 480))
    clock_meet(c, now=at(10), setup=SETUP)

    assert sync(c, 20, "closed", Choice(STANDARD, 480)) == []


def test_reopening_resumes_the_resolution_clock_where_it_was_met():
    c = started("resolution", Choice(STANDARD, 480))
    sync(c, 100, "solved", Choice(STANDARD, 480), to="solved")
    assert (c.state, c.elapsed_seconds) == ("met", 6000.0)

    lines = sync(c, 160, "open", Choice(STANDARD, 480), **{"from": "solved", "to": "open"})

    assert [(line.kind, line.text) for line in lines] == [
        ("reopened", "reopened at 11:40"),
        ("resumed", "resumed after 1 h paused"),
    ]
    assert (c.state, c.met_at, c.met_late, c.elapsed_seconds) == ("green", None, False, 6000.0)
    assert c.breach_at == at(160 + 380)


def test_solving_meets_the_resolution_clock():
    c = started("resolution", Choice(STANDARD, 480))

    lines = sync(c, 100, "solved", Choice(STANDARD, 480), to="solved")

    assert texts(lines) == ["met at 10:40 after 1 h 40 min (target 480 min)"]


def test_losing_the_target_pauses_the_clock_and_says_why():
    c = started()

    lines = sync(c, 20, "open", None, kind="queue_changed")

    assert [(line.kind, line.text) for line in lines] == [
        ("retargeted", "queue changed at 09:20: no SLA target applies"),
        ("paused", "paused (no SLA target) at 09:20"),
    ]
    assert lines[0].detail == {
        "cause": "queue_changed",
        "from_minutes": 60,
        "to_minutes": 0,
        "policy": None,
    }
    assert (c.state, c.policy_id, c.target_minutes) == ("paused", None, 0)


def test_a_detached_clock_gets_a_target_and_runs():
    c = clock()
    clock_start(c, now=T0, status="open", choice=None, setup=SETUP)

    lines = sync(c, 20, "open", Choice(STANDARD, 60), kind="policy_changed", policy="Standard")

    assert texts(lines) == [
        "policy 'Standard' changed at 09:20: target 60 min (policy 'Standard')",
        "resumed after 20 min paused",
    ]
    assert (c.state, c.policy_id, c.target_minutes) == ("green", 1, 60)


@pytest.mark.parametrize(
    ("cause", "choice", "text"),
    [
        pytest.param(
            Cause("priority_changed", {"from": "normal", "to": "urgent"}),
            Choice(STANDARD, 30),
            "priority raised to urgent at 09:10: target 60 → 30 min",
            id="priority-raised",
        ),
        pytest.param(
            Cause("priority_changed", {"from": "urgent", "to": "low"}),
            Choice(STANDARD, 90),
            "priority lowered to low at 09:10: target 60 → 90 min",
            id="priority-lowered",
        ),
        pytest.param(
            Cause("priority_changed", {"from": "normal", "to": "extreme"}),
            Choice(STANDARD, 30),
            "priority changed at 09:10: target 60 → 30 min",
            id="priority-unknown",
        ),
        pytest.param(
            Cause("tier_changed", {"from": "free", "to": "premium"}),
            Choice(GOLD, 20),
            "customer tier raised to premium at 09:10: target 60 → 20 min (policy 'Gold')",
            id="tier-raised-other-policy",
        ),
        pytest.param(
            Cause("tier_changed", {"from": "enterprise", "to": "standard"}),
            Choice(STANDARD, 90),
            "customer tier lowered to standard at 09:10: target 60 → 90 min",
            id="tier-lowered",
        ),
        pytest.param(
            Cause("tier_changed", {"from": "gold", "to": "free"}),
            Choice(STANDARD, 90),
            "tier changed at 09:10: target 60 → 90 min",
            id="tier-unknown",
        ),
        pytest.param(
            Cause("status_changed", {"from": "new", "to": "open"}),
            Choice(STANDARD, 45),
            "status changed to open at 09:10: target 60 → 45 min",
            id="status",
        ),
        pytest.param(
            Cause("policy_changed", {}),
            Choice(STANDARD, 45),
            "policy '' changed at 09:10: target 60 → 45 min",
            id="policy-without-name",
        ),
    ],
)
def test_retargeting_says_what_changed_the_target(cause, choice, text):
    c = started()

    lines = clock_sync(c, status="open", choice=choice, setup=SETUP, now=at(10), cause=cause)

    assert texts(lines) == [text]
    assert lines[0].detail == {
        "cause": cause.kind,
        "from_minutes": 60,
        "to_minutes": choice.minutes,
        "policy": choice.policy.id,
    }
    assert (c.policy_id, c.target_minutes, c.elapsed_seconds) == (
        choice.policy.id,
        choice.minutes,
        600.0,
    )
    assert c.breach_at == at(choice.minutes)


def test_the_same_target_writes_no_line_and_keeps_the_deadline():
    c = started()

    assert sync(c, 10, "open", Choice(STANDARD, 60), kind="tags_changed") == []
    assert (c.breach_at, c.elapsed_seconds, c.checkpoint_at) == (at(60), 600.0, at(10))


def test_an_event_from_before_the_checkpoint_does_not_move_it():
    c = started()
    sync(c, 10, "open", Choice(STANDARD, 60))

    sync(c, 5, "open", Choice(STANDARD, 60))

    assert (c.elapsed_seconds, c.checkpoint_at) == (600.0, at(10))


def test_retarget_times_are_told_in_the_new_or_old_policys_calendar():
    office = policy(6, "Office", TargetRule("first_response", None, None, 120), calendar_id=60)
    setup = SLASetup(policies=(STANDARD, office), calendars={60: BERLIN})
    c = clock()
    clock_start(c, now=T0, status="open", choice=Choice(office, 120), setup=setup)

    to_standard = clock_sync(
        c, status="open", choice=Choice(STANDARD, 60), setup=setup, now=at(10), cause=Cause("x")
    )
    to_none = clock_sync(c, status="open", choice=None, setup=setup, now=at(20), cause=Cause("y"))

    assert texts(to_standard) == ["x at 10:10: target 120 → 60 min (policy 'Standard')"]
    assert texts(to_none)[0] == "y at 09:20: no SLA target applies"
    back = clock_sync(
        c, status="open", choice=Choice(office, 120), setup=setup, now=at(30), cause=Cause("z")
    )
    assert texts(back)[0] == "z at 10:30: target 120 min (policy 'Office')"


# --- Business hours, rounding, defaults ------------------------------------------------------
OFFICE = policy(
    6,
    "Office",
    TargetRule("first_response", None, None, 60),
    TargetRule("resolution", None, None, 480),
    calendar_id=60,
)
OFFICE_SETUP = SLASetup(policies=(STANDARD, OFFICE), calendars={60: BERLIN})


def utc(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def office_sync(c: SLAClock, now: datetime, status: str, **data) -> list:
    return clock_sync(
        c,
        status=status,
        choice=Choice(OFFICE, 60),
        setup=OFFICE_SETUP,
        now=now,
        cause=Cause("status_changed", data),
    )


def test_a_clock_on_office_hours_counts_and_tells_time_in_the_office():
    # Given a first-response clock started Monday 16:30 in Berlin (15:30 UTC), 60 min target
    c = clock()
    started_lines = clock_start(
        c, now=utc(15, 30), status="open", choice=Choice(OFFICE, 60), setup=OFFICE_SETUP
    )
    assert texts(started_lines) == ["started at 16:30: target 60 min (policy 'Office')"]
    assert c.breach_at == utc(8, 30, day=13)

    # When it pauses at 18:00 local, resumes at 23:00 local and is met Tuesday 09:30 local
    paused = office_sync(c, utc(17), "pending", to="pending")
    resumed = office_sync(c, utc(22), "open", **{"from": "pending", "to": "open"})
    met = clock_meet(c, now=utc(8, 30, day=13), setup=OFFICE_SETUP)

    # Then only open office time counted: 30 min on Monday, 30 on Tuesday
    assert [(line.text, line.detail) for line in paused] == [
        ("paused (pending) at 18:00", {"reason": "pending", "elapsed_seconds": 1800.0})
    ]
    assert texts(resumed) == ["resumed after 5 h paused"]
    assert [(line.kind, line.text) for line in met] == [
        ("met_late", "met late at 09:30 after 1 h (target 60 min)")
    ]


def test_a_clock_started_while_pending_tells_the_pause_in_office_time():
    c = clock()

    lines = clock_start(
        c, now=utc(15, 30), status="pending", choice=Choice(OFFICE, 60), setup=OFFICE_SETUP
    )

    assert texts(lines)[1] == "paused (pending) at 16:30"


def test_a_reopened_clock_tells_the_time_in_the_office():
    c = clock("resolution")
    clock_start(c, now=utc(8), status="open", choice=Choice(OFFICE, 480), setup=OFFICE_SETUP)
    clock_sync(
        c,
        status="solved",
        choice=Choice(OFFICE, 480),
        setup=OFFICE_SETUP,
        now=utc(9),
        cause=Cause("status_changed", {"to": "solved"}),
    )

    lines = clock_sync(
        c,
        status="open",
        choice=Choice(OFFICE, 480),
        setup=OFFICE_SETUP,
        now=utc(10),
        cause=Cause("status_changed", {"from": "solved", "to": "open"}),
    )

    assert texts(lines) == ["reopened at 11:00", "resumed after 1 h paused"]
    assert c.elapsed_seconds == 3600.0


FRACTION = timedelta(seconds=1, microseconds=234567)


def test_ledger_seconds_are_rounded_to_milliseconds():
    paused, met, resumed = started(), started(), started()
    pending = {"status": "pending", "choice": Choice(STANDARD, 60), "setup": SETUP}

    pause_lines = clock_sync(paused, now=T0 + FRACTION, cause=Cause("x"), **pending)
    met_lines = clock_meet(met, now=T0 + FRACTION, setup=SETUP)
    clock_sync(resumed, now=T0, cause=Cause("x"), **pending)
    resume_lines = clock_sync(
        resumed,
        status="open",
        choice=Choice(STANDARD, 60),
        setup=SETUP,
        now=T0 + FRACTION,
        cause=Cause("x"),
    )

    assert pause_lines[0].detail["elapsed_seconds"] == 1.235
    assert met_lines[0].detail["elapsed_seconds"] == 1.235
    assert resume_lines[0].detail["paused_seconds"] == 1.235


def test_resuming_after_a_status_change_without_its_old_status_names_no_reason():
    c = started()
    sync(c, 10, "pending", Choice(STANDARD, 60))

    lines = sync(c, 20, "open", Choice(STANDARD, 60), to="open")

    assert lines[0].detail == {"paused_seconds": 600.0, "reason": ""}


def test_a_one_minute_target_still_has_deadlines():
    c = clock()

    clock_start(c, now=T0, status="open", choice=Choice(STANDARD, 1), setup=SETUP)

    assert (c.amber_at, c.breach_at) == (T0 + timedelta(seconds=45), T0 + timedelta(seconds=60))


def test_a_policy_missing_from_the_setup_puts_amber_at_75_percent():
    gone = policy(42, "Gone")
    c = clock()

    clock_start(c, now=T0, status="open", choice=Choice(gone, 100), setup=SETUP)

    assert (c.amber_at, c.breach_at) == (at(75), at(100))


@pytest.mark.parametrize(
    ("to", "percent", "cal", "text"),
    [
        ("amber", 75, None, "amber at 09:45 (75% of 60 min)"),
        ("amber", 80, BERLIN, "amber at 10:45 (80% of 60 min)"),
        ("red", 75, None, "breached at 09:45 (target 60 min)"),
        ("red", 75, BERLIN, "breached at 10:45 (target 60 min)"),
    ],
)
def test_a_crossing_line_names_the_instant_in_the_calendars_zone_and_when_it_was_noticed(
    to, percent, cal, text
):
    at, noticed = T0 + timedelta(minutes=45), T0 + timedelta(minutes=47)
    line = crossing_line(
        clock(target_minutes=60), to=to, at=at, noticed_at=noticed, amber_percent=percent, cal=cal
    )
    assert (line.kind, line.at, line.text) == (to, at, text)
    assert line.detail == {"noticed_at": noticed.isoformat()}
