"""Reads for SLA clocks: policies and calendars as values, ticket summaries, the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from escalations.models import (
    Calendar,
    ClockState,
    Holiday,
    OpeningHours,
    SLAClock,
    SLAClockEntry,
    SLAMetric,
    SLAPolicy,
    SLASetupVersion,
)
from kimondesk.compiled_queries import CompiledQuery
from tickets.models import Ticket

from .businesstime import BusinessCalendar
from .clocks import PolicyRules, SLASetup, TargetRule, clock_elapsed_at, duration_text

# Built calendars keyed by the calendar row's identity and version: saving a calendar (its hours
# are edited through it) invalidates the entry, so hot paths read hours and holidays only after
# a change.
_CALENDAR_CACHE: dict[tuple[object, ...], BusinessCalendar] = {}
_CALENDAR_CACHE_SIZE = 256


def _calendar_key(calendar: Calendar) -> tuple[object, ...]:
    return (
        calendar.pk,
        calendar.created_at,
        calendar.updated_at,
        calendar.timezone,
        calendar.holiday_country,
        calendar.holiday_subdivision,
    )


# The compiled setup of this process, under the ``SLASetupVersion`` token it was read with (one
# entry: the current one). Every SLA configuration write replaces the token, so a process finds
# out on its next write that its entry is stale (see ``sla_setup_load``).
_SETUP_CACHE: dict[str, SLASetup] = {}
SETUP_VERSION_PK = 1


def sla_calendar_cache_clear() -> None:
    """Forget this process's built calendars and compiled setup (tests measure cold runs)."""
    _CALENDAR_CACHE.clear()
    _SETUP_CACHE.clear()


def sla_setup_token_subquery() -> Subquery:
    """The setup token as a subquery, to read it with a row the caller loads anyway."""
    return Subquery(
        SLASetupVersion.objects.filter(pk=SETUP_VERSION_PK).values("token")[:1],
        output_field=SLASetupVersion._meta.get_field("token"),
    )


# Worst first: the state a ticket shows is that of its most urgent clock.
STATE_SEVERITY: dict[str, int] = {
    ClockState.RED: 4,
    ClockState.AMBER: 3,
    ClockState.GREEN: 2,
    ClockState.PAUSED: 1,
    ClockState.MET: 0,
}


def sla_calendars_build(*, calendars: Iterable[Calendar]) -> dict[int, BusinessCalendar]:
    """Value objects for calendar rows; hours and holidays are read only for unseen versions."""
    result: dict[int, BusinessCalendar] = {}
    missing: dict[int, Calendar] = {}
    for calendar in calendars:
        cached = _CALENDAR_CACHE.get(_calendar_key(calendar))
        if cached is not None:
            result[calendar.pk] = cached
        else:
            missing[calendar.pk] = calendar
    if not missing:
        return result
    hours: dict[int, list[tuple[int, time, time]]] = defaultdict(list)
    for row in OpeningHours.objects.filter(calendar_id__in=missing).values_list(
        "calendar_id", "weekday", "start", "end"
    ):
        hours[row[0]].append(row[1:])
    closed: dict[int, list[date]] = defaultdict(list)
    for calendar_id, day in Holiday.objects.filter(calendar_id__in=missing).values_list(
        "calendar_id", "date"
    ):
        closed[calendar_id].append(day)
    if len(_CALENDAR_CACHE) > _CALENDAR_CACHE_SIZE:
        _CALENDAR_CACHE.clear()
    for pk, calendar in missing.items():
        built = BusinessCalendar.build(
            timezone=calendar.timezone,
            hours=hours[pk],
            holiday_country=calendar.holiday_country,
            holiday_subdivision=calendar.holiday_subdivision,
            closed_dates=closed[pk],
        )
        _CALENDAR_CACHE[_calendar_key(calendar)] = built
        result[pk] = built
    return result


def sla_setup_load(*, token: str | None = None) -> SLASetup:
    """Every SLA policy with its targets and calendars, as plain values.

    Compiled once per process and setup version: ``token`` is the ``SLASetupVersion`` token the
    caller read in its transaction with a row it needed anyway (``sla_setup_token_subquery``);
    without it the token is read here (one query). The token is always read before the
    policies, so a cached setup is never older than its token. With no version row (a flushed
    test database) nothing is cached.
    """
    if token is None:
        token = (
            SLASetupVersion.objects.filter(pk=SETUP_VERSION_PK)
            .values_list("token", flat=True)
            .first()
        )
    if token is not None:
        cached = _SETUP_CACHE.get(token)
        if cached is not None:
            return cached
    setup = _sla_setup_build()
    if token is not None:
        _SETUP_CACHE.clear()
        _SETUP_CACHE[token] = setup
    return setup


def _sla_setup_build() -> SLASetup:
    policies = list(
        SLAPolicy.objects.select_related("calendar")
        .prefetch_related("targets")
        .order_by("order", "id")
    )
    rules = tuple(
        PolicyRules(
            id=p.pk,
            name=p.name,
            enabled=p.enabled,
            conditions=p.conditions or [],
            team_id=p.team_id,
            calendar_id=p.calendar_id,
            amber_percent=p.amber_percent,
            order=p.order,
            targets=tuple(
                TargetRule(t.metric, t.priority, t.tier, t.minutes) for t in p.targets.all()
            ),
        )
        for p in policies
    )
    calendars = sla_calendars_build(calendars=[p.calendar for p in policies if p.calendar])
    return SLASetup(policies=rules, calendars=calendars)


# --- Crossings -------------------------------------------------------------------------------
def sla_clocks_due_amber(*, now: datetime) -> QuerySet[SLAClock]:
    """Running green clocks past their amber instant (partial index ``sla_clock_amber_due_idx``)."""
    return (
        SLAClock.objects.filter(state=ClockState.GREEN, amber_at__lte=now)
        .select_related("ticket", "policy__calendar")
        .order_by("amber_at")
    )


def sla_clocks_due_breach(*, now: datetime) -> QuerySet[SLAClock]:
    """Running clocks past their deadline (partial index ``sla_clock_breach_due_idx``)."""
    return (
        SLAClock.objects.filter(state__in=[ClockState.GREEN, ClockState.AMBER], breach_at__lte=now)
        .select_related("ticket", "policy__calendar")
        .order_by("breach_at")
    )


# --- Summaries -------------------------------------------------------------------------------
def _clock_calendar(clock: SLAClock) -> BusinessCalendar | None:
    policy = clock.policy
    if policy is None or policy.calendar is None:
        return None
    return sla_calendars_build(calendars=[policy.calendar])[policy.calendar.pk]


def _summarise(clocks: list[SLAClock], now: datetime) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "state": None,
        "first_response_due_at": None,
        "remaining_seconds": None,
        "metric": None,
        "due_at": None,
    }
    attached = [c for c in clocks if c.policy_id is not None]
    for clock in attached:
        if clock.metric == SLAMetric.FIRST_RESPONSE:
            summary["first_response_due_at"] = clock.due_at
    if not attached:
        return summary
    shown = sla_clock_shown(attached)
    remaining = None
    if shown.state != ClockState.MET:
        elapsed = clock_elapsed_at(shown, _clock_calendar(shown), now)
        remaining = round(shown.target_minutes * 60 - elapsed)
    summary.update(
        state=shown.state, metric=shown.metric, due_at=shown.due_at, remaining_seconds=remaining
    )
    return summary


RUNNING_STATES = (ClockState.GREEN, ClockState.AMBER, ClockState.RED)


def sla_clock_shown(clocks: list[SLAClock]) -> SLAClock:
    """The one clock a ticket's "time left" speaks of, in the header badge and the pinned summary
    alike: the running clock due first (a breached one is overdue, so it comes first); with none
    running, the most telling of the others (paused before met)."""
    running = [c for c in clocks if c.state in RUNNING_STATES and c.due_at is not None]
    if running:
        return min(running, key=lambda c: (c.due_at, c.metric))
    return min(clocks, key=lambda c: (-STATE_SEVERITY[c.state], c.metric))


def _clocks_for(ticket_ids: Iterable[int]) -> QuerySet[SLAClock]:
    return SLAClock.objects.filter(ticket_id__in=list(ticket_ids)).select_related(
        "policy__calendar"
    )


def sla_summaries(
    *, ticket_ids: Iterable[int], now: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """The contract's ``sla`` object for many tickets in one query (calendars are cached)."""
    now = now or timezone.now()
    ids = list(ticket_ids)
    grouped: dict[int, list[SLAClock]] = {pk: [] for pk in ids}
    # One ticket (a read or a write's answer) takes the compiled query of ``sla_summary``.
    clocks = _ticket_clocks.all(ticket_id=ids[0]) if len(ids) == 1 else _clocks_for(ids)
    for clock in clocks:
        grouped[clock.ticket_id].append(clock)
    return {pk: _summarise(clocks, now) for pk, clocks in grouped.items()}


_ticket_clocks = CompiledQuery(
    lambda *, ticket_id: SLAClock.objects.filter(ticket_id=ticket_id).select_related(
        "policy__calendar"
    ),
    ticket_id=int,
)


def sla_summary(*, ticket: Ticket, now: datetime | None = None) -> dict[str, Any]:
    """``{"state", "first_response_due_at", "remaining_seconds", "metric", "due_at"}``."""
    # One ticket's summary is on every write's path: its query is compiled once.
    return _summarise(_ticket_clocks.all(ticket_id=ticket.pk), now or timezone.now())


def sla_ledger(*, ticket: Ticket, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every clock of the ticket explained: one summary line per clock, then its ledger.

    A summary line reads like "first response amber: 3 h 12 min paused in pending, 14 h outside
    business hours, priority raised to urgent at 10:04: target 60 → 30 min".
    """
    now = now or timezone.now()
    clocks = list(_clocks_for([ticket.pk]).order_by("id"))
    entries: dict[int, list[SLAClockEntry]] = defaultdict(list)
    for entry in SLAClockEntry.objects.filter(clock__ticket_id=ticket.pk).order_by("at", "id"):
        entries[entry.clock_id].append(entry)
    lines: list[dict[str, Any]] = []
    for clock in clocks:
        own = entries[clock.pk]
        lines.append(
            {
                "metric": clock.metric,
                "kind": "summary",
                "at": now,
                "text": sla_clock_explain(clock=clock, entries=own, now=now),
            }
        )
        lines.extend(
            {"metric": clock.metric, "kind": e.kind, "at": e.at, "text": e.text} for e in own
        )
    return lines


def sla_clock_explain(*, clock: SLAClock, entries: list[SLAClockEntry], now: datetime) -> str:
    """Why a clock stands where it stands, in one line, from its own ledger."""
    paused: dict[str, float] = defaultdict(float)
    # Only the current run counts (a next-response clock restarts on each customer reply).
    run = [e for e in entries if e.at >= clock.started_at]
    for entry in run:
        if entry.kind == "resumed":
            paused[entry.detail.get("reason") or "pause"] += entry.detail.get("paused_seconds", 0)
    pause_reason = ""
    for entry in run:
        if entry.kind == "paused":
            pause_reason = entry.detail.get("reason", "")
    if clock.state == ClockState.PAUSED and clock.paused_at is not None:
        paused[pause_reason or "pause"] += (now - clock.paused_at).total_seconds()
    end = clock.met_at or now
    wall = (end - clock.started_at).total_seconds() - sum(paused.values())
    elapsed = clock_elapsed_at(clock, _clock_calendar(clock), now)
    parts = [f"{duration_text(s)} paused in {reason}" for reason, s in paused.items() if s >= 60]
    if wall - elapsed >= 60:
        parts.append(f"{duration_text(wall - elapsed)} outside business hours")
    parts.extend(e.text for e in run if e.kind == "retargeted")
    label = "met late" if clock.met_late else clock.state
    head = f"{clock.get_metric_display().lower()} {label}"
    if clock.policy_id is None:
        return f"{head}: no SLA target applies"
    used = f"{duration_text(elapsed)} of {clock.target_minutes} min used"
    return f"{head}: " + ", ".join([used, *parts])


def tickets_filter_sla_state(qs: QuerySet[Ticket], state: str) -> QuerySet[Ticket]:
    """Tickets whose SLA state (that of their most urgent clock) is ``state``."""
    if state not in STATE_SEVERITY:
        return qs.none()

    def has(*states: str) -> Exists:
        return Exists(
            SLAClock.objects.filter(
                ticket_id=OuterRef("pk"), policy__isnull=False, state__in=states
            )
        )

    worse = [s for s, rank in STATE_SEVERITY.items() if rank > STATE_SEVERITY[state]]
    condition = Q(has(state))
    if worse:
        condition &= ~Q(has(*worse))
    return qs.filter(condition)
