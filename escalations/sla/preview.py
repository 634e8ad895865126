"""What an SLA policy or calendar edit would do to open tickets' deadlines, before it is saved.

The computation is pure: each open ticket's clocks are copied and brought in line twice, once
with the SLA setup as saved and once with the edited policy or calendar swapped in (the same
``sla_clocks_plan`` a saved change runs), and the deadlines that differ are reported. Nothing is
written and no transaction is needed.

Bounded: every open ticket is evaluated (in chunks of ``RECOMPUTE_CHUNK`` tickets), the totals
always count every move, but at most ``PREVIEW_MAX_ROWS`` moves are listed. Seen by a team (a
lead), only that team's tickets are listed and counted; the moves on other teams' tickets (a
calendar shared through a policy for every team) are one number, with nothing about the tickets.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from math import inf

from django.utils import timezone

from escalations.engine.context import (
    TicketContext,
    ticket_context_from,
    ticket_context_queryset,
)
from escalations.models import Calendar, SLAClock, SLAMetric
from tickets.models import OPEN_STATUSES

from .businesstime import BusinessCalendar
from .clocks import Cause, PolicyRules, SLASetup, duration_text
from .selectors import sla_calendars_build, sla_setup_load
from .services import RECOMPUTE_CHUNK, sla_clocks_missing, sla_clocks_plan

# At most this many deadline moves are listed; the totals count all of them.
PREVIEW_MAX_ROWS = 100
# The id an unsaved (new) policy takes in the preview; saved rows have ids from 1.
NEW_POLICY_ID = 0
METRIC_ORDER = {metric: index for index, metric in enumerate(SLAMetric.values)}
_PREVIEW_CAUSE = Cause("preview")


@dataclass(frozen=True)
class TicketClocks:
    """One open ticket as the preview needs it: its context and its clocks by metric."""

    ctx: TicketContext
    clocks: Mapping[str, SLAClock]
    first_responded: bool


@dataclass(frozen=True)
class DeadlineMove:
    """One clock whose deadline the edit moves (``None``: no deadline, e.g. no target)."""

    ticket_id: int
    subject: str
    metric: str
    due_before: datetime | None
    due_after: datetime | None

    @property
    def metric_label(self) -> str:
        return str(SLAMetric(self.metric).label)

    @property
    def shift_seconds(self) -> float | None:
        if self.due_before is None or self.due_after is None:
            return None
        return (self.due_after - self.due_before).total_seconds()

    @property
    def shift_text(self) -> str:
        """``2 h 30 min later``, ``45 min earlier``, ``no longer due``, ``newly due``."""
        shift = self.shift_seconds
        if shift is None:
            return "no longer due" if self.due_after is None else "newly due"
        return f"{duration_text(abs(shift))} {'later' if shift > 0 else 'earlier'}"


@dataclass(frozen=True)
class SLAPreview:
    moves: tuple[DeadlineMove, ...]
    total_moves: int
    tickets_moved: int
    tickets_checked: int
    limit: int
    other_team_moves: int = 0

    @property
    def truncated(self) -> bool:
        return self.total_moves > len(self.moves)


# --- Pure ------------------------------------------------------------------------------------
def sla_setup_with_policy(
    setup: SLASetup, *, policy: PolicyRules, calendar: BusinessCalendar | None
) -> SLASetup:
    """The setup with ``policy`` (an edit of a saved one, or a new one) in its place by order."""
    others = [p for p in setup.policies if p.id != policy.id]

    def key(p: PolicyRules) -> tuple[int, float]:
        return (p.order, p.id if p.id != NEW_POLICY_ID else inf)

    calendars = dict(setup.calendars)
    if policy.calendar_id is not None and calendar is not None:
        calendars[policy.calendar_id] = calendar
    return SLASetup(policies=tuple(sorted([*others, policy], key=key)), calendars=calendars)


def sla_setup_with_calendar(
    setup: SLASetup, *, calendar_id: int, calendar: BusinessCalendar
) -> SLASetup:
    """The setup with the calendar ``calendar_id`` replaced by an edited one."""
    return replace(setup, calendars={**setup.calendars, calendar_id: calendar})


def _deadlines(ticket: TicketClocks, setup: SLASetup, now: datetime) -> dict[str, datetime | None]:
    clocks = {metric: copy.copy(clock) for metric, clock in ticket.clocks.items()}
    missing = sla_clocks_missing(clocks=clocks, first_responded=ticket.first_responded)
    _changed, created, _entries = sla_clocks_plan(
        ticket.ctx, clocks, setup, now, _PREVIEW_CAUSE, missing, None
    )
    due = {metric: clock.due_at for metric, clock in clocks.items()}
    due.update({clock.metric: clock.due_at for clock in created})
    return due


def _same(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.replace(microsecond=0) == b.replace(microsecond=0)


def sla_preview_compute(
    *,
    tickets: Iterable[TicketClocks],
    before: SLASetup,
    after: SLASetup,
    now: datetime,
    team_id: int | None = None,
    limit: int = PREVIEW_MAX_ROWS,
) -> SLAPreview:
    """The deadlines that differ between ``before`` and ``after`` for each ticket, at ``now``;
    with ``team_id``, other teams' tickets are only counted (``other_team_moves``)."""
    moves: list[DeadlineMove] = []
    total = moved = checked = other_team = 0
    for ticket in tickets:
        visible = team_id is None or ticket.ctx.team_id == team_id
        checked += int(visible)
        old = _deadlines(ticket, before, now)
        new = _deadlines(ticket, after, now)
        ticket_moves = [
            DeadlineMove(ticket.ctx.ticket_id, ticket.ctx.subject, metric, old.get(metric), due)
            for metric, due in sorted(new.items(), key=lambda item: METRIC_ORDER[item[0]])
            if not _same(old.get(metric), due)
        ]
        if ticket_moves and not visible:
            other_team += len(ticket_moves)
        elif ticket_moves:
            moved += 1
            total += len(ticket_moves)
            moves.extend(ticket_moves[: max(0, limit - len(moves))])
    return SLAPreview(
        moves=tuple(moves),
        total_moves=total,
        tickets_moved=moved,
        tickets_checked=checked,
        limit=limit,
        other_team_moves=other_team,
    )


# --- Reads -----------------------------------------------------------------------------------
def sla_preview_tickets() -> Iterator[TicketClocks]:
    """Every open ticket with its clocks, in chunks by id."""
    tickets = ticket_context_queryset().filter(status__in=OPEN_STATUSES)
    last_pk = 0
    while True:
        chunk = list(tickets.filter(pk__gt=last_pk).order_by("pk")[:RECOMPUTE_CHUNK])
        if not chunk:
            return
        last_pk = chunk[-1].pk
        clocks: dict[int, dict[str, SLAClock]] = {t.pk: {} for t in chunk}
        for clock in SLAClock.objects.filter(ticket_id__in=list(clocks)):
            clocks[clock.ticket_id][clock.metric] = clock
        for ticket in chunk:
            yield TicketClocks(
                ctx=ticket_context_from(ticket),
                clocks=clocks[ticket.pk],
                first_responded=ticket.first_response_at is not None,
            )


def sla_policy_preview(
    *,
    policy: PolicyRules,
    calendar: Calendar | None,
    team_id: int | None,
    now: datetime | None = None,
    limit: int = PREVIEW_MAX_ROWS,
) -> SLAPreview:
    """Deadlines an unsaved policy (``NEW_POLICY_ID`` when new) would move, listed for the open
    tickets of ``team_id`` (``None``: every team's)."""
    before = sla_setup_load()
    built = sla_calendars_build(calendars=[calendar])[calendar.pk] if calendar else None
    after = sla_setup_with_policy(before, policy=policy, calendar=built)
    return sla_preview_compute(
        tickets=sla_preview_tickets(),
        before=before,
        after=after,
        now=now or timezone.now(),
        team_id=team_id,
        limit=limit,
    )


def sla_calendar_preview(
    *,
    calendar_id: int | None,
    calendar: BusinessCalendar,
    team_id: int | None,
    now: datetime | None = None,
    limit: int = PREVIEW_MAX_ROWS,
) -> SLAPreview:
    """Deadlines an unsaved calendar would move (a new calendar governs nothing yet)."""
    before = sla_setup_load()
    if calendar_id is None:
        return SLAPreview(moves=(), total_moves=0, tickets_moved=0, tickets_checked=0, limit=limit)
    after = sla_setup_with_calendar(before, calendar_id=calendar_id, calendar=calendar)
    return sla_preview_compute(
        tickets=sla_preview_tickets(),
        before=before,
        after=after,
        now=now or timezone.now(),
        team_id=team_id,
        limit=limit,
    )
