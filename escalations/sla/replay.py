"""SLA clocks rebuilt from a ticket's stored history.

Tickets whose events were written without the workflow (the demo's backdated history, an import
from another helpdesk) have no clocks; clocks started by the next sync would run from that moment,
so a ticket opened ten days ago would look freshly started. ``sla_clocks_replay`` runs each
ticket's stored events through the steps the live path takes (``clocks_step`` chooses each, as
for ``sla_clocks_apply_event``; ``sla_clocks_plan`` and ``clock_meet`` apply it) at the events'
own times, and announces each amber and breach crossing at its instant, as a sweeper without lag
would: the clocks and their ledgers end as the live path would have left them. No ticket event is
written for a crossing, so nothing in the history is run through the rules again.
``sla_crossings_replayed`` gives the same crossings without saving anything.

The ticket's fields at each moment come from the history: its status, priority, tier, queue and
tags as the change events record them ("from" and "to", tags added and removed), walked back from
the ticket's current fields.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from escalations.engine.context import (
    TicketContext,
    ticket_context_from,
    ticket_context_queryset,
)
from escalations.models import ClockState, SLAClock, SLAClockEntry, SLAMetric
from tickets.models import OPEN_STATUSES, EventKind, Queue, TicketEvent

from .clocks import (
    SYNC_EVENTS,
    Cause,
    ClocksMeet,
    ClocksSync,
    SLASetup,
    clock_meet,
    clocks_step,
    crossing_line,
)
from .selectors import sla_setup_load
from .services import (
    RECOMPUTE_CHUNK,
    clock_entries,
    clocks_save,
    sla_clocks_missing,
    sla_clocks_plan,
    sla_setup_changed,
)

# The events that move clocks on the live path (``sla_clocks_apply_event``).
REPLAYED_KINDS = (
    *SYNC_EVENTS,
    EventKind.TICKET_CREATED,
    EventKind.MESSAGE_ADDED,
    EventKind.ESCALATED,
)


# Events of one write are recorded within this of each other.
SAME_WRITE = timedelta(seconds=1)


@dataclasses.dataclass(frozen=True)
class _QueueFields:
    team_id: int | None
    team_lead_id: int | None
    specialist: bool


def sla_clocks_replay(*, ticket_ids: Iterable[int], now: datetime, cause: Cause) -> int:
    """Give each open ticket of ``ticket_ids`` that has no clocks the clocks its history would
    have left it at ``now`` (in chunks of tickets, one transaction each); the last step is the one
    a recompute at ``now`` takes (``cause`` in the ledger). Returns how many clocks were made."""
    setup = sla_setup_load(token=sla_setup_changed())
    queues = _queues()
    made = 0
    for chunk in _chunks(ticket_ids):
        with transaction.atomic():
            tickets = list(
                ticket_context_queryset()
                .filter(pk__in=chunk, status__in=OPEN_STATUSES)
                .exclude(pk__in=SLAClock.objects.filter(ticket_id__in=chunk).values("ticket_id"))
                .order_by("pk")
            )
            history = _histories([t.pk for t in tickets], now=now)
            created: list[SLAClock] = []
            entries: list[SLAClockEntry] = []
            for ticket in tickets:
                clocks, lines = _ticket_replay(
                    ticket_context_from(ticket),
                    history[ticket.pk],
                    setup=setup,
                    now=now,
                    cause=cause,
                    queues=queues,
                    first_responded=ticket.first_response_at is not None,
                )
                created += clocks
                entries += lines
            clocks_save([], created, entries)
            made += len(created)
    return made


@dataclasses.dataclass(frozen=True)
class ReplayedCrossing:
    """A crossing a ticket's history announced: its clock's metric went ``frm`` -> ``to`` (amber
    or red), noticed at ``noticed_at`` (when the sweeper would have recorded its event)."""

    ticket_id: int
    metric: str
    frm: str
    to: str
    noticed_at: datetime


def sla_crossings_replayed(*, ticket_ids: Iterable[int], now: datetime) -> list[ReplayedCrossing]:
    """The crossings each ticket's stored history would have announced up to ``now``, open and
    closed tickets alike, in time order; computed in memory, nothing saved."""
    setup = sla_setup_load()
    queues = _queues()
    crossings: list[ReplayedCrossing] = []
    for chunk in _chunks(ticket_ids):
        tickets = list(ticket_context_queryset().filter(pk__in=chunk).order_by("pk"))
        history = _histories([t.pk for t in tickets], now=now)
        for ticket in tickets:
            _ticket_replay(
                ticket_context_from(ticket),
                history[ticket.pk],
                setup=setup,
                now=now,
                cause=Cause("replay"),
                queues=queues,
                first_responded=ticket.first_response_at is not None,
                announced=crossings,
            )
    return sorted(crossings, key=lambda c: (c.noticed_at, c.ticket_id, c.metric))


def _chunks(ticket_ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(ticket_ids))
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        yield ids[start : start + RECOMPUTE_CHUNK]


def _queues() -> dict[int, _QueueFields]:
    return {
        q["id"]: _QueueFields(q["team_id"], q["team__lead_id"], q["specialist"])
        for q in Queue.objects.values("id", "team_id", "team__lead_id", "specialist")
    }


def _histories(ticket_ids: list[int], *, now: datetime) -> dict[int, list[TicketEvent]]:
    """Each ticket's events that move clocks, up to ``now``, in the order they were recorded."""
    history: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in TicketEvent.objects.filter(
        ticket_id__in=ticket_ids, kind__in=REPLAYED_KINDS, created_at__lte=now
    ).order_by("created_at", "pk"):
        history[event.ticket_id].append(event)
    return history


def _ticket_replay(
    final: TicketContext,
    events: list[TicketEvent],
    *,
    setup: SLASetup,
    now: datetime,
    cause: Cause,
    queues: Mapping[int, _QueueFields],
    first_responded: bool,
    announced: list[ReplayedCrossing] | None = None,
) -> tuple[list[SLAClock], list[SLAClockEntry]]:
    """One ticket's clocks and ledger entries, built in memory from its events (each crossing
    also appended to ``announced`` when given)."""
    ctx = final
    for event in reversed(events):
        for kind, change in reversed(event.field_changes()):
            ctx = _context_changed(ctx, kind, change, queues, undo=True)
    clocks: dict[str, SLAClock] = {}
    entries: list[SLAClockEntry] = []
    responded = False

    def plan(
        at: datetime, why: Cause, create: Iterable[str] = (), restart: str | None = None
    ) -> None:
        _, created, lines = sla_clocks_plan(ctx, clocks, setup, at, why, create, restart)
        clocks.update((clock.metric, clock) for clock in created)
        entries.extend(lines)

    for index, event in enumerate(events):
        at = event.created_at
        entries += _crossings(clocks, setup, until=at, announced=announced)
        # The live path moves the clocks after the whole write: a reply that reopens a pending
        # ticket records its status change after the message, and the message's sync already
        # sees the ticket open.
        for later in _same_write(events, index):
            ctx = _context_changed(ctx, later.kind, later.data or {}, queues)
        for change_kind, change in event.field_changes():
            if change_kind in SYNC_EVENTS:
                ctx = _context_changed(ctx, change_kind, change, queues)
        step = clocks_step(event, responded=responded)
        if isinstance(step, ClocksMeet):
            for metric in step.metrics:
                clock = clocks.get(metric)
                if clock is not None:
                    entries += clock_entries(clock, clock_meet(clock, now=at, setup=setup))
            responded = responded or SLAMetric.FIRST_RESPONSE in step.metrics
        elif isinstance(step, ClocksSync):
            plan(at, step.cause, step.create, step.restart)
    entries += _crossings(clocks, setup, until=now, announced=announced)
    # As a recompute at ``now`` would: the ticket's fields now, and any clock not yet started.
    ctx = final
    plan(now, cause, create=sla_clocks_missing(clocks=clocks, first_responded=first_responded))
    return list(clocks.values()), entries


def _same_write(events: list[TicketEvent], index: int) -> Iterable[TicketEvent]:
    """The field changes recorded right after ``events[index]`` by the same write."""
    first = events[index]
    for later in events[index + 1 :]:
        if later.kind not in SYNC_EVENTS or later.created_at - first.created_at > SAME_WRITE:
            return
        yield later


def _context_changed(
    ctx: TicketContext,
    kind: str,
    change: Mapping[str, Any],
    queues: Mapping[int, _QueueFields],
    *,
    undo: bool = False,
) -> TicketContext:
    """``ctx`` after one recorded field change (before it, with ``undo``)."""
    value = change.get("from" if undo else "to")
    if kind == EventKind.STATUS_CHANGED and value:
        return dataclasses.replace(ctx, status=value)
    if kind == EventKind.PRIORITY_CHANGED and value:
        return dataclasses.replace(ctx, priority=value)
    if kind == EventKind.TIER_CHANGED and value:
        return dataclasses.replace(ctx, tier=value)
    if kind == EventKind.QUEUE_CHANGED and ("from" if undo else "to") in change:
        queue = queues.get(value) if isinstance(value, int) else None
        return dataclasses.replace(
            ctx,
            queue_id=value if queue is not None else None,
            queue_specialist=bool(queue and queue.specialist),
            team_id=queue.team_id if queue else None,
            team_lead_id=queue.team_lead_id if queue else None,
        )
    if kind == EventKind.TAGS_CHANGED:
        added, removed = set(change.get("added") or ()), set(change.get("removed") or ())
        if undo:
            added, removed = removed, added
        return dataclasses.replace(ctx, tags=frozenset((ctx.tags - removed) | added))
    return ctx


def _crossings(
    clocks: Mapping[str, SLAClock],
    setup: SLASetup,
    *,
    until: datetime,
    announced: list[ReplayedCrossing] | None = None,
) -> list[SLAClockEntry]:
    """Announce the crossings due by ``until``, amber before breach, each when it falls due
    (``sla_sweep`` with no lag)."""
    entries: list[SLAClockEntry] = []
    for clock in clocks.values():
        policy = setup.policy(clock.policy_id)
        amber_percent = policy.amber_percent if policy else 75
        cal = setup.calendar(clock.policy_id)
        crossings = []
        if (
            clock.state == ClockState.GREEN
            and clock.amber_at is not None
            and clock.amber_at <= until
        ):
            crossings.append((ClockState.AMBER, clock.amber_at))
        if (
            clock.state in (ClockState.GREEN, ClockState.AMBER)
            and clock.breach_at is not None
            and clock.breach_at <= until
        ):
            crossings.append((ClockState.RED, clock.breach_at))
        for to, at in crossings:
            # An instant that fell before the sync which scheduled it (a shorter target, an
            # overdue clock resumed) is noticed at that sync, as the sweeper would.
            noticed = max(at, clock.checkpoint_at)
            if announced is not None:
                announced.append(
                    ReplayedCrossing(clock.ticket_id, clock.metric, clock.state, to, noticed)
                )
            if to == ClockState.AMBER:
                clock.amber_crossed_at = noticed
            else:
                clock.breach_crossed_at = noticed
            clock.state = to
            line = crossing_line(
                clock, to=to, at=at, noticed_at=noticed, amber_percent=amber_percent, cal=cal
            )
            entries += clock_entries(clock, [line])
    return entries
