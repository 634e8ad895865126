"""Cases that kill mutants of escalations/sla/services.py the older tests let live (docs/mutation.md).

A calendar change's instant and ledger cause, the clocks an agent's reply meets, and which
clocks the next-crossing probe looks at.
"""

from __future__ import annotations

import logging
from datetime import time, timedelta

from escalations.models import Calendar, ClockState, SLAClock, SLAClockEntry
from escalations.sla import services as sla_services
from escalations.sla.clocks import Cause
from escalations.sla.selectors import sla_clocks_due_amber, sla_clocks_due_breach
from escalations.sla.services import (
    _cross,
    sla_calendar_changed,
    sla_clocks_missing,
    sla_clocks_recompute_open,
    sla_next_crossing_at,
    sla_policy_changed,
    sla_sweep,
)
from tests import factories
from tickets.models import Ticket
from tickets.services import message_add, ticket_escalation_apply

from .conftest import T0, clock_of


def last_entry(clock: SLAClock) -> SLAClockEntry:
    return SLAClockEntry.objects.filter(clock=clock).order_by("id").last()


def test_calendar_change_recomputes_at_the_given_instant_and_names_its_cause(db, make_ticket, now):
    # Given a Monday-only UTC calendar and a 600-minute target
    calendar = factories.CalendarFactory(name="Mondays", timezone="UTC")
    factories.OpeningHoursFactory(calendar=calendar, weekday=0, start=time(9), end=time(17))
    policy = factories.SLAPolicyFactory(name="Office", calendar=calendar)
    factories.SLATargetFactory(policy=policy, minutes=600)
    ticket = make_ticket()
    # And a target edited without a recompute yet
    policy.targets.update(minutes=300)
    # When the calendar change is applied as of 10:30 while the wall clock says 09:00
    at = T0 + timedelta(minutes=90)
    assert sla_calendar_changed(calendar=calendar, now=at) == 1
    # Then the clock ran 90 minutes, is retargeted at 10:30 and says why
    frt = clock_of(ticket)
    assert (frt.target_minutes, frt.elapsed_seconds, frt.checkpoint_at) == (300, 5400.0, at)
    assert frt.due_at == T0 + timedelta(minutes=300)
    entry = last_entry(frt)
    assert (entry.kind, entry.at, entry.text) == (
        "retargeted",
        at,
        "calendar changed at 10:30: target 600 → 300 min",
    )
    assert entry.detail["cause"] == "calendar_changed"
    # And the calendar is marked changed at the wall-clock instant
    assert Calendar.objects.get(pk=calendar.pk).updated_at == T0


def test_an_agent_reply_meets_only_the_response_clocks(policy, make_ticket, now, junior):
    ticket = make_ticket()
    now.advance(minutes=20)
    message_add(ticket=ticket, author_type="agent", body="On it.", author=junior)
    assert clock_of(ticket).state == ClockState.MET
    resolution = clock_of(ticket, "resolution")
    assert (resolution.state, resolution.met_at) == (ClockState.GREEN, None)
    assert resolution.due_at == T0 + timedelta(hours=8)


def _clock(ticket, metric, **values) -> SLAClock:
    SLAClock.objects.filter(ticket=ticket, metric=metric).update(**values)
    return clock_of(ticket, metric)


def test_next_crossing_skips_announced_ambers_and_breaches(policy, make_ticket, now):
    first, second = make_ticket(), make_ticket()
    # An amber already announced (amber at 09:45, breach at 10:00) and a breached clock
    _clock(first, "first_response", state=ClockState.AMBER)
    _clock(first, "resolution", state=ClockState.RED, breach_at=T0 + timedelta(minutes=5))
    # A green clock whose amber comes at 09:50
    _clock(second, "first_response", amber_at=T0 + timedelta(minutes=50))
    _clock(second, "resolution", state=ClockState.PAUSED)
    assert sla_next_crossing_at() == T0 + timedelta(minutes=50)


def test_next_crossing_can_be_a_breach_before_every_amber(policy, make_ticket, now):
    ticket = make_ticket()
    _clock(ticket, "first_response", state=ClockState.AMBER)
    # The resolution clock's amber (15:00) is later than the first response's breach (10:00)
    assert sla_next_crossing_at() == T0 + timedelta(minutes=60)


def test_next_crossing_ignores_running_clocks_without_deadlines(policy, make_ticket, now):
    ticket = make_ticket()
    _clock(ticket, "first_response", amber_at=None, breach_at=None, due_at=None)
    assert sla_next_crossing_at() == T0 + timedelta(hours=6)  # resolution's amber: 75 % of 8 h
    # With the resolution's amber announced, its breach is next
    _clock(ticket, "resolution", state=ClockState.AMBER)
    assert sla_next_crossing_at() == T0 + timedelta(hours=8)


def test_no_next_crossing_without_running_clocks(db):
    assert sla_next_crossing_at() is None


def test_policy_change_recomputes_at_the_given_instant(policy, make_ticket, now):
    ticket = make_ticket()
    policy.targets.filter(metric="first_response", priority=None).update(minutes=40)
    at = T0 + timedelta(minutes=25)
    assert sla_policy_changed(policy=policy, now=at) == 1
    frt = clock_of(ticket)
    assert (frt.target_minutes, frt.elapsed_seconds, frt.checkpoint_at) == (40, 1500.0, at)
    entry = last_entry(frt)
    assert (entry.at, entry.text) == (at, "policy 'Standard' changed at 09:25: target 60 → 40 min")


def test_missing_starting_clocks():
    clock = SLAClock()
    assert sla_clocks_missing(clocks={}, first_responded=False) == [
        "first_response",
        "resolution",
    ]
    assert sla_clocks_missing(clocks={}, first_responded=True) == ["resolution"]
    assert sla_clocks_missing(clocks={"resolution": clock}, first_responded=False) == [
        "first_response"
    ]
    assert sla_clocks_missing(clocks={"first_response": clock}, first_responded=False) == [
        "resolution"
    ]


def test_recompute_starts_the_clocks_an_open_ticket_lacks(policy, make_ticket, now, junior):
    fresh, answered = make_ticket(), make_ticket()
    message_add(ticket=answered, author_type="agent", body="On it.", author=junior)
    SLAClock.objects.all().delete()
    now.advance(minutes=10)
    assert sla_clocks_recompute_open(cause=Cause("policy_changed")) == 3
    assert sorted(SLAClock.objects.filter(ticket=fresh).values_list("metric", flat=True)) == [
        "first_response",
        "resolution",
    ]
    assert list(SLAClock.objects.filter(ticket=answered).values_list("metric", flat=True)) == [
        "resolution"
    ]
    assert clock_of(fresh).started_at == now.at


# --- Crossings -------------------------------------------------------------------------------
def _crossing_texts(ticket) -> list[tuple[str, str]]:
    return list(
        SLAClockEntry.objects.filter(clock__ticket=ticket, kind__in=["amber", "red"])
        .order_by("id")
        .values_list("kind", "text")
    )


def test_a_crossing_tells_the_policy_percent_and_the_calendar_time(db, make_ticket, now):
    calendar = factories.CalendarFactory(name="Berlin", timezone="Europe/Berlin")
    for weekday in range(7):
        factories.OpeningHoursFactory(
            calendar=calendar, weekday=weekday, start=time(0), end=time(23, 59)
        )
    policy = factories.SLAPolicyFactory(name="Berlin", calendar=calendar, amber_percent=80)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    ticket = make_ticket()
    now.at = T0 + timedelta(hours=2)
    assert sla_sweep() == 2
    assert _crossing_texts(ticket) == [
        ("amber", "amber at 10:48 (80% of 60 min)"),
        ("red", "breached at 11:00 (target 60 min)"),
    ]
    entries = SLAClockEntry.objects.filter(clock__ticket=ticket, kind__in=["amber", "red"])
    assert sorted(entries.values_list("at", "detail")) == [
        (T0 + timedelta(minutes=48), {"noticed_at": now.at.isoformat()}),
        (T0 + timedelta(minutes=60), {"noticed_at": now.at.isoformat()}),
    ]


def test_a_crossing_after_its_policy_was_deleted_tells_the_default_percent(
    policy, make_ticket, now
):
    # The policy row is gone (its clocks keep their deadlines until the recompute runs)
    ticket = make_ticket()
    SLAClock.objects.filter(ticket=ticket).update(policy=None)
    now.at = T0 + timedelta(minutes=50)
    assert sla_sweep() == 1
    assert _crossing_texts(ticket) == [("amber", "amber at 09:45 (75% of 60 min)")]


def test_a_crossing_already_made_or_moved_by_a_rival_is_not_made_again(policy, make_ticket, now):
    first, second = make_ticket(), make_ticket()
    now.at = T0 + timedelta(hours=2)
    stale_amber = list(
        sla_clocks_due_amber(now=now.at).filter(ticket=first, metric="first_response")
    )
    stale_breach = list(sla_clocks_due_breach(now=now.at).filter(metric="first_response"))
    # A rival announced the first ticket's amber and red; the second's breach moved later
    SLAClock.objects.filter(ticket=first, metric="first_response").update(state=ClockState.RED)
    SLAClock.objects.filter(ticket=second, metric="first_response").update(
        state=ClockState.AMBER, breach_at=T0 + timedelta(hours=3)
    )
    assert _cross(stale_amber[0], to=ClockState.AMBER, now=now.at) is False
    for clock in stale_breach:
        assert _cross(clock, to=ClockState.RED, now=now.at) is False
    assert not SLAClockEntry.objects.filter(kind__in=["amber", "red"]).exists()
    assert clock_of(second).breach_crossed_at is None


def test_an_amber_moved_later_by_a_rival_is_not_announced(policy, make_ticket, now):
    ticket = make_ticket()
    now.at = T0 + timedelta(minutes=50)
    [stale] = sla_clocks_due_amber(now=now.at).filter(ticket=ticket)
    SLAClock.objects.filter(pk=stale.pk).update(amber_at=T0 + timedelta(minutes=55))
    assert _cross(stale, to=ClockState.AMBER, now=now.at) is False
    assert clock_of(ticket).state == ClockState.GREEN


def test_a_breach_crossing_marks_only_its_own_clock(policy, make_ticket, now):
    first, second = make_ticket(), make_ticket()
    SLAClock.objects.filter(metric="first_response").update(state=ClockState.AMBER)
    now.at = T0 + timedelta(hours=2)
    assert _cross(clock_of(first), to=ClockState.RED, now=now.at) is True
    assert (clock_of(first).state, clock_of(second).state) == (ClockState.RED, ClockState.AMBER)


# --- Recompute -------------------------------------------------------------------------------
def test_deadlines_that_differ_below_a_second_are_not_rewritten(policy, make_ticket, now):
    ticket = make_ticket()
    frt = clock_of(ticket)
    jitter = timedelta(microseconds=300)
    SLAClock.objects.filter(pk=frt.pk).update(
        due_at=frt.due_at + jitter, amber_at=frt.amber_at + jitter, breach_at=frt.breach_at + jitter
    )
    now.advance(minutes=5)
    assert sla_policy_changed(policy=policy) == 0
    assert clock_of(ticket).due_at == frt.due_at + jitter


def test_recompute_counts_the_clocks_of_every_chunk(policy, make_ticket, now, monkeypatch):
    tickets = [make_ticket() for _ in range(3)]
    monkeypatch.setattr(sla_services, "RECOMPUTE_CHUNK", 1)
    policy.targets.filter(metric="first_response", priority=None).update(minutes=40)
    assert sla_policy_changed(policy=policy) == 3
    assert {clock_of(t).target_minutes for t in tickets} == {40}


# --- Sweep -----------------------------------------------------------------------------------
def test_the_sweep_works_through_every_batch_and_logs_its_count(
    policy, make_ticket, now, monkeypatch, caplog
):
    for _ in range(3):
        make_ticket()
    monkeypatch.setattr(sla_services, "SWEEP_BATCH", 1)
    now.at = T0 + timedelta(minutes=50)
    with caplog.at_level(logging.INFO, logger="escalations.sla.services"):
        assert sla_sweep() == 3
    assert SLAClock.objects.filter(state=ClockState.AMBER).count() == 3
    assert "SLA sweep announced 3 crossing(s)" in [r.getMessage() for r in caplog.records]
    now.at = T0 + timedelta(hours=2)
    assert sla_sweep() == 3
    assert SLAClock.objects.filter(state=ClockState.RED).count() == 3


def test_a_clock_found_only_by_the_breach_pass_announces_amber_then_red(
    policy, make_ticket, now, monkeypatch
):
    # Deadlines moved earlier between the amber pass and the breach pass (a recompute elsewhere)
    ticket = make_ticket()
    monkeypatch.setattr(sla_services, "sla_clocks_due_amber", lambda now: SLAClock.objects.none())
    now.at = T0 + timedelta(hours=2)
    assert sla_sweep() == 2
    assert [kind for kind, _ in _crossing_texts(ticket)] == ["amber", "red"]
    frt = clock_of(ticket)
    assert (frt.amber_crossed_at, frt.breach_crossed_at) == (now.at, now.at)


def test_a_crossing_is_sent_to_the_webhooks_of_the_tickets_team(
    policy, make_ticket, now, monkeypatch
):
    sent: list[dict[str, object]] = []
    monkeypatch.setattr(sla_services, "webhook_event_emit", lambda **kw: sent.append(kw))
    factories.TeamFactory(name="Spare")
    own = factories.QueueFactory(name="Own", team=factories.TeamFactory(name="Owner"))
    assert own.pk != own.team_id  # so a queue id in place of its team's would show
    ticket = make_ticket(queue=own)
    now.at = T0 + timedelta(minutes=50)
    assert sla_sweep() == 1
    assert sent == [
        {
            "event": "sla.amber",
            "payload": {
                "ticket": ticket.pk,
                "metric": "first_response",
                "from": "green",
                "to": "amber",
                "due_at": T0 + timedelta(minutes=60),
            },
            "team_id": own.team_id,
        }
    ]


def test_an_escalation_that_moves_the_queue_retargets_the_clocks(policy, make_ticket, now):
    billing = factories.TeamFactory(name="Billing")
    rush = factories.SLAPolicyFactory(name="Billing rush", team=billing, order=1)
    factories.SLATargetFactory(policy=rush, metric="first_response", minutes=20)
    ticket = make_ticket()
    now.advance(minutes=10)
    ticket_escalation_apply(
        ticket=Ticket.objects.select_for_update().get(pk=ticket.pk),
        escalation=factories.EscalationFactory(ticket=ticket),
        actor=None,
        summary=lambda _ticket: "Moved to billing.",
        data={},
        queue=factories.QueueFactory(name="Billing", team=billing),
    )
    frt = clock_of(ticket)
    assert (frt.policy_id, frt.target_minutes, frt.elapsed_seconds) == (rush.pk, 20, 600.0)
    entry = last_entry(frt)
    assert (entry.at, entry.text, entry.detail["cause"]) == (
        now.at,
        "escalated at 09:10: target 60 → 20 min (policy 'Billing rush')",
        "escalated",
    )
