"""Writes for SLA clocks: moving them on ticket events, recomputing them, announcing crossings.

``sla_clocks_apply_event`` runs inside the transaction of every ticket event (called by
``escalations.workflow.ticket_event_recorded``); ``sla_sweep`` finds the clocks whose amber or
breach instant has passed with two indexed range queries and announces each crossing once, as an
``sla_state_changed`` ticket event, in its own small transaction.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from escalations.delivery.engine import webhook_event_emit
from escalations.engine.context import (
    TicketContext,
    ticket_context_from,
    ticket_context_queryset,
)
from escalations.models import (
    Calendar,
    ClockState,
    SLAClock,
    SLAClockEntry,
    SLAMetric,
    SLAPolicy,
    SLASetupVersion,
)
from escalations.sweeps import sweep_row_isolated
from kimondesk.compiled_queries import CompiledQuery, statement_cursor
from tickets.models import OPEN_STATUSES, EventKind, Queue, Ticket
from tickets.services import ticket_event_record

from .clocks import (
    STARTING_METRICS,
    Cause,
    ClocksMeet,
    ClocksSync,
    LedgerLine,
    SLASetup,
    clock_meet,
    clock_start,
    clock_sync,
    clocks_step,
    crossing_line,
)
from .selectors import (
    SETUP_VERSION_PK,
    sla_calendars_build,
    sla_clocks_due_amber,
    sla_clocks_due_breach,
    sla_setup_load,
    sla_setup_token_subquery,
)
from .validators import calendar_clean, sla_policy_clean

if TYPE_CHECKING:
    from tickets.models import TicketEvent

__all__ = [
    "calendar_clean",
    "sla_calendar_changed",
    "sla_clocks_apply_event",
    "sla_clocks_missing",
    "sla_clocks_plan",
    "sla_clocks_recompute_open",
    "sla_next_crossing_at",
    "sla_policy_changed",
    "sla_policy_clean",
    "sla_setup_changed",
    "sla_setup_changed_receive",
    "sla_sweep",
]

logger = logging.getLogger(__name__)

CLOCK_FIELDS = [
    "policy",
    "target_minutes",
    "state",
    "started_at",
    "elapsed_seconds",
    "checkpoint_at",
    "paused_at",
    "due_at",
    "amber_at",
    "breach_at",
    "amber_crossed_at",
    "breach_crossed_at",
    "met_at",
    "met_late",
    "updated_at",
]
RECOMPUTE_CHUNK = 500
SWEEP_BATCH = 500


# Moving the checkpoint alone changes nothing worth a write; deadlines compare by the second.
_MEANINGFUL = [
    f for f in CLOCK_FIELDS if f not in ("elapsed_seconds", "checkpoint_at", "updated_at")
]


def _snapshot(clock: SLAClock) -> tuple[object, ...]:
    values: list[object] = []
    for name in _MEANINGFUL:
        value = getattr(clock, "policy_id" if name == "policy" else name)
        if name in ("due_at", "amber_at", "breach_at") and value is not None:
            value = value.replace(microsecond=0)
        values.append(value)
    return tuple(values)


def clock_entries(clock: SLAClock, lines: Iterable[LedgerLine]) -> list[SLAClockEntry]:
    return [
        SLAClockEntry(clock=clock, kind=ln.kind, at=ln.at, text=ln.text, detail=ln.detail)
        for ln in lines
    ]


def _new_clock(ticket_id: int, metric: str, now: datetime) -> SLAClock:
    return SLAClock(
        ticket_id=ticket_id,
        metric=metric,
        target_minutes=0,
        state=ClockState.PAUSED,
        started_at=now,
        checkpoint_at=now,
        paused_at=now,
    )


def _clocks_bulk_write(clocks: list[SLAClock]) -> None:
    """Write changed clocks in one statement (PostgreSQL) or one ``executemany`` (SQLite).

    ``QuerySet.bulk_update`` builds a CASE expression per field and row, which costs seconds per
    thousand clocks in Python alone; ``UPDATE … FROM (VALUES …)`` costs milliseconds.
    """
    now = timezone.now()
    fields: list[Field[Any, Any]] = [SLAClock._meta.get_field(name) for name in CLOCK_FIELDS]  # type: ignore[misc]
    quote = connection.ops.quote_name
    table = quote(SLAClock._meta.db_table)
    rows = []
    for clock in clocks:
        clock.updated_at = now
        values = [f.get_db_prep_save(getattr(clock, f.attname), connection) for f in fields]
        rows.append([clock.pk, *values])
    with statement_cursor(connection) as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(["id", *(quote(f.column) for f in fields)])
            row = "(%s::bigint, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
            assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} AS c SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([row] * len(rows))}) AS v({columns}) WHERE c.id = v.id",
                [value for values in rows for value in values],
            )
        else:
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                [[*values[1:], values[0]] for values in rows],
            )


def clocks_save(
    changed: list[SLAClock], created: list[SLAClock], entries: list[SLAClockEntry]
) -> None:
    if created:
        SLAClock.objects.bulk_create(created)
    if changed:
        _clocks_bulk_write(changed)
    if entries:
        for entry in entries:
            entry.clock_id = entry.clock.pk
        SLAClockEntry.objects.bulk_create(entries)


# --- Ticket events ---------------------------------------------------------------------------
def sla_clocks_apply_event(*, event: TicketEvent) -> None:
    """Move the ticket's clocks for one event; runs inside the event's transaction."""
    step = clocks_step(event, responded=event.ticket.first_response_at is not None)
    if isinstance(step, ClocksMeet):
        _clocks_meet(event.ticket_id, list(step.metrics), event.created_at)
    elif isinstance(step, ClocksSync):
        _ticket_clocks_sync(
            event.ticket_id,
            event.created_at,
            step.cause,
            create=step.create,
            restart=step.restart,
            new_ticket=step.new_ticket,
        )


_ticket_clocks_locked = CompiledQuery(
    lambda *, ticket_id: (
        SLAClock.objects.select_for_update().filter(ticket_id=ticket_id).order_by("id")
    ),
    ticket_id=int,
)
# The ticket a sync plans from, its setup token with it: on every write's path, so compiled.
_ticket_context_with_setup_token = CompiledQuery(
    lambda *, ticket_id: (
        ticket_context_queryset()
        .annotate(sla_setup_token=sla_setup_token_subquery())
        .filter(pk=ticket_id)
    ),
    ticket_id=int,
)


def _locked_clocks(ticket_id: int, metrics: Iterable[str] | None = None) -> list[SLAClock]:
    if metrics is None:
        return _ticket_clocks_locked.all(ticket_id=ticket_id)
    qs = SLAClock.objects.select_for_update().filter(ticket_id=ticket_id)
    return list(qs.filter(metric__in=list(metrics)).order_by("id"))


def _clocks_meet(ticket_id: int, metrics: list[str], now: datetime) -> None:
    locked = SLAClock.objects.select_for_update().filter(ticket_id=ticket_id, metric__in=metrics)
    # The setup token comes with the clocks: no query of its own.
    rows = list(
        locked.exclude(state=ClockState.MET)
        .annotate(sla_setup_token=sla_setup_token_subquery())
        .order_by("id")
    )
    if not rows:
        return
    setup = sla_setup_load(token=rows[0].sla_setup_token)
    clocks: list[SLAClock] = list(rows)
    entries: list[SLAClockEntry] = []
    for clock in clocks:
        entries += clock_entries(clock, clock_meet(clock, now=now, setup=setup))
    clocks_save(clocks, [], entries)


def _ticket_clocks_sync(
    ticket_id: int,
    now: datetime,
    cause: Cause,
    *,
    create: Iterable[str] = (),
    restart: str | None = None,
    new_ticket: bool = False,
) -> None:
    # The setup token comes with the ticket (no query of its own); the compiled setup is this
    # process's unless the token changed.
    ticket = _ticket_context_with_setup_token.get(ticket_id=ticket_id)
    ctx = ticket_context_from(ticket)
    setup = sla_setup_load(token=ticket.sla_setup_token)
    # A ticket created in this transaction has no clocks yet (no other transaction sees it).
    clocks = {} if new_ticket else {c.metric: c for c in _locked_clocks(ticket_id)}
    changed, created, entries = sla_clocks_plan(ctx, clocks, setup, now, cause, create, restart)
    clocks_save(changed, created, entries)


def sla_clocks_plan(
    ctx: TicketContext,
    clocks: dict[str, SLAClock],
    setup: SLASetup,
    now: datetime,
    cause: Cause,
    create: Iterable[str],
    restart: str | None,
) -> tuple[list[SLAClock], list[SLAClock], list[SLAClockEntry]]:
    """What one ticket's clocks become: (changed, created, ledger entries). No queries."""
    changed: list[SLAClock] = []
    created: list[SLAClock] = []
    entries: list[SLAClockEntry] = []
    starting = dict.fromkeys(create, "")
    if restart is not None:
        current = clocks.get(restart)
        if current is None or current.state == ClockState.MET:
            starting[restart] = "customer replied"
    for metric, reason in starting.items():
        clock = clocks.get(metric)
        is_new = clock is None
        if clock is None:
            clock = _new_clock(ctx.ticket_id, metric, now)
        lines = clock_start(
            clock,
            now=now,
            status=ctx.status,
            choice=setup.choose(ctx, metric),
            setup=setup,
            reason=reason,
        )
        (created if is_new else changed).append(clock)
        entries += clock_entries(clock, lines)
    for metric, clock in clocks.items():
        if metric in starting:
            continue
        before = _snapshot(clock)
        lines = clock_sync(
            clock,
            status=ctx.status,
            choice=setup.choose(ctx, metric),
            setup=setup,
            now=now,
            cause=cause,
        )
        if _snapshot(clock) != before:
            changed.append(clock)
        entries += clock_entries(clock, lines)
    return changed, created, entries


def sla_clocks_missing(*, clocks: Mapping[str, SLAClock], first_responded: bool) -> list[str]:
    """The starting clocks an open ticket lacks (first response only until it was given)."""
    return [
        m
        for m in STARTING_METRICS
        if m not in clocks and not (m == SLAMetric.FIRST_RESPONSE and first_responded)
    ]


# --- Policy and calendar changes -------------------------------------------------------------
def sla_setup_changed() -> str:
    """Give the SLA setup a new version token (in the caller's transaction), so every process
    compiles it again on its next event; returns the token."""
    token = uuid.uuid4().hex
    if not SLASetupVersion.objects.filter(pk=SETUP_VERSION_PK).update(token=token):
        SLASetupVersion.objects.update_or_create(pk=SETUP_VERSION_PK, defaults={"token": token})
    return token


def sla_setup_changed_receive(**_signal: Any) -> None:
    """``post_save``/``post_delete`` receiver for the SLA configuration models (cache
    invalidation, connected in ``EscalationsConfig.ready``): a row saved by any path, the admin,
    the API, a revert, a fixture, is seen by every process on its next event."""
    sla_setup_changed()


def sla_policy_changed(*, policy: SLAPolicy, now: datetime | None = None) -> int:
    """A policy was created, edited or deleted: recompute every open ticket's clocks now."""
    return sla_clocks_recompute_open(
        now=now, cause=Cause("policy_changed", {"policy": policy.name})
    )


def sla_calendar_changed(*, calendar: Calendar, now: datetime | None = None) -> int:
    """A calendar's hours or holidays changed: mark it changed and recompute open clocks."""
    Calendar.objects.filter(pk=calendar.pk).update(updated_at=timezone.now())
    return sla_clocks_recompute_open(
        now=now, cause=Cause("calendar_changed", {"calendar": calendar.name})
    )


def sla_clocks_recompute_open(*, now: datetime | None = None, cause: Cause) -> int:
    """Re-resolve policy and target of every open ticket's clocks, in chunks of tickets.

    Starts a new setup version first: the edit behind a recompute may have bypassed the save
    signals (targets or hours replaced in bulk, a queryset update), and every process must
    compile the setup again. Per chunk, in its own transaction (so row locks are held briefly):
    the tickets (and their tags), their clocks (locked), one bulk update and one bulk insert of
    ledger entries. Returns how many clocks changed or were created.
    """
    now = now or timezone.now()
    setup = sla_setup_load(token=sla_setup_changed())
    last_pk = 0
    total = 0
    while True:
        tickets = list(
            ticket_context_queryset()
            .filter(status__in=OPEN_STATUSES, pk__gt=last_pk)
            .order_by("pk")[:RECOMPUTE_CHUNK]
        )
        if not tickets:
            return total
        last_pk = tickets[-1].pk
        with transaction.atomic():
            total += _recompute_chunk(tickets, setup, now, cause)


def _recompute_chunk(tickets: list[Ticket], setup: SLASetup, now: datetime, cause: Cause) -> int:
    by_ticket: dict[int, dict[str, SLAClock]] = {t.pk: {} for t in tickets}
    for clock in SLAClock.objects.select_for_update().filter(ticket_id__in=list(by_ticket)):
        by_ticket[clock.ticket_id][clock.metric] = clock
    changed: list[SLAClock] = []
    created: list[SLAClock] = []
    entries: list[SLAClockEntry] = []
    for ticket in tickets:
        clocks = by_ticket[ticket.pk]
        missing = sla_clocks_missing(
            clocks=clocks, first_responded=ticket.first_response_at is not None
        )
        plan = sla_clocks_plan(
            ticket_context_from(ticket), clocks, setup, now, cause, missing, None
        )
        changed += plan[0]
        created += plan[1]
        entries += plan[2]
    clocks_save(changed, created, entries)
    return len(changed) + len(created)


# --- Crossings -------------------------------------------------------------------------------
def _cross(clock: SLAClock, *, to: str, now: datetime) -> bool:
    """Announce one crossing: the conditional update decides which worker does it."""
    frm = ClockState.GREEN if to == ClockState.AMBER else ClockState.AMBER
    if to == ClockState.AMBER:
        won = SLAClock.objects.filter(pk=clock.pk, state=frm, amber_at__lte=now).update(
            state=to, amber_crossed_at=now
        )
        crossed_at = clock.amber_at
    else:
        won = SLAClock.objects.filter(pk=clock.pk, state=frm, breach_at__lte=now).update(
            state=to, breach_crossed_at=now
        )
        crossed_at = clock.breach_at
    if not won:
        return False
    clock.state = to
    assert crossed_at is not None
    policy = clock.policy
    cal = (
        sla_calendars_build(calendars=[policy.calendar])[policy.calendar.pk]
        if (policy and policy.calendar)
        else None
    )
    line = crossing_line(
        clock,
        to=to,
        at=crossed_at,
        noticed_at=now,
        amber_percent=policy.amber_percent if policy else 75,
        cal=cal,
    )
    SLAClockEntry.objects.create(
        clock=clock, kind=line.kind, at=line.at, text=line.text, detail=line.detail
    )
    ticket_event_record(
        ticket=clock.ticket,
        kind=EventKind.SLA_STATE_CHANGED,
        data={"metric": clock.metric, "from": frm, "to": to, "clock": clock.pk},
    )
    webhook_event_emit(
        event="sla.amber" if to == ClockState.AMBER else "sla.breached",
        payload={
            "ticket": clock.ticket_id,
            "metric": clock.metric,
            "from": frm,
            "to": to,
            "due_at": clock.due_at,
        },
        team_id=Queue.objects.filter(tickets=clock.ticket_id)
        .values_list("team_id", flat=True)
        .first(),
    )
    return True


def _cross_in_transaction(clock: SLAClock, *, to: str, now: datetime) -> int:
    """One crossing in its own transaction; a clock that fails is logged and skipped."""
    with sweep_row_isolated(sweep="SLA sweep", row=f"clock {clock.pk}"):
        # Ticket first, then clock: the order every ticket event takes its locks in, so a
        # crossing and an event on the same ticket queue up instead of deadlocking.
        Ticket.objects.select_for_update().filter(pk=clock.ticket_id).values_list("pk").first()
        return int(_cross(clock, to=to, now=now))
    return 0


def sla_sweep(*, now: datetime | None = None) -> int:
    """Announce every amber and breach crossing due at ``now``; returns how many were made.

    Amber first, so a clock that is due for both announces amber then red (each exactly once
    per run, even with several sweepers: see ``_cross``).
    """
    now = now or timezone.now()
    count = 0
    while True:
        due = list(sla_clocks_due_amber(now=now)[:SWEEP_BATCH])
        made = sum(_cross_in_transaction(c, to=ClockState.AMBER, now=now) for c in due)
        count += made
        if len(due) < SWEEP_BATCH or not made:
            break
    while True:
        due = list(sla_clocks_due_breach(now=now)[:SWEEP_BATCH])
        made = 0
        for clock in due:
            if clock.state == ClockState.GREEN:
                made += _cross_in_transaction(clock, to=ClockState.AMBER, now=now)
            made += _cross_in_transaction(clock, to=ClockState.RED, now=now)
        count += made
        if len(due) < SWEEP_BATCH or not made:
            break
    if count:
        logger.info("SLA sweep announced %d crossing(s)", count)
    return count


def sla_next_crossing_at() -> datetime | None:
    """The earliest pending amber or breach instant (two index-only lookups)."""
    amber = (
        SLAClock.objects.filter(state=ClockState.GREEN, amber_at__isnull=False)
        .order_by("amber_at")
        .values_list("amber_at", flat=True)
        .first()
    )
    breach = (
        SLAClock.objects.filter(
            state__in=[ClockState.GREEN, ClockState.AMBER], breach_at__isnull=False
        )
        .order_by("breach_at")
        .values_list("breach_at", flat=True)
        .first()
    )
    candidates = [at for at in (amber, breach) if at is not None]
    return min(candidates) if candidates else None
