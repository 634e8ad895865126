"""SLA clock transitions as pure functions over ``SLAClock`` instances (no queries).

A clock runs while its ticket is ``new`` or ``open`` and a policy target applies; it pauses in
``pending``/``on_hold`` (and, for response clocks, while solved or closed) and resumes where it
stopped. ``elapsed_seconds`` is the business time consumed up to ``checkpoint_at``; every
transition moves the checkpoint to the event's instant and precomputes ``due_at``/``amber_at``/
``breach_at`` so that crossings are found by an indexed range query. Crossings already announced
in a run (``amber_crossed_at``/``breach_crossed_at``) are never announced again in that run.
Each transition returns the ledger lines that explain it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from escalations.engine.conditions import ConditionRow, conditions_match
from escalations.engine.context import TicketContext
from escalations.models import ClockState, SLAClock, SLAMetric
from tickets.models import (
    DONE_STATUSES,
    PRIORITY_RANK,
    TIER_RANK,
    AuthorType,
    EventKind,
    Status,
    TicketEvent,
)

from .businesstime import BusinessCalendar, business_instant, business_seconds_between

RUNNING_STATUSES = frozenset({Status.NEW, Status.OPEN})
ACTIVE_STATES = (ClockState.GREEN, ClockState.AMBER, ClockState.RED)
NO_TARGET = "no SLA target"
# Clocks a new ticket starts; next response starts on a customer reply after an agent's.
STARTING_METRICS = (SLAMetric.FIRST_RESPONSE, SLAMetric.RESOLUTION)
# Events that can change a ticket's policy, target or pause state.
SYNC_EVENTS = frozenset(
    {
        EventKind.STATUS_CHANGED,
        EventKind.PRIORITY_CHANGED,
        EventKind.QUEUE_CHANGED,
        EventKind.TIER_CHANGED,
        EventKind.TAGS_CHANGED,
    }
)


@dataclass(frozen=True)
class TargetRule:
    metric: str
    priority: str | None
    tier: str | None
    minutes: int

    @property
    def specificity(self) -> int:
        return (2 if self.priority else 0) + (1 if self.tier else 0)


@dataclass(frozen=True)
class PolicyRules:
    """An SLA policy as plain values: conditions, calendar, amber threshold and targets."""

    id: int
    name: str
    enabled: bool
    conditions: Sequence[ConditionRow]
    team_id: int | None
    calendar_id: int | None
    amber_percent: int
    targets: tuple[TargetRule, ...]
    order: int = 100

    def applies_to(self, ctx: TicketContext) -> bool:
        """A policy owned by a team covers that team's tickets only; one without a team covers
        every ticket (as rules do)."""
        if not self.enabled or (self.team_id is not None and self.team_id != ctx.team_id):
            return False
        return conditions_match(self.conditions, ctx)

    def minutes_for(self, metric: str, priority: str, tier: str) -> int | None:
        """The most specific target: priority+tier > priority > tier > neither."""
        best: TargetRule | None = None
        for target in self.targets:
            if target.metric != metric or target.priority not in (None, priority):
                continue
            if target.tier not in (None, tier):
                continue
            if best is None or target.specificity > best.specificity:
                best = target
        return best.minutes if best else None


@dataclass(frozen=True)
class Choice:
    policy: PolicyRules
    minutes: int


@dataclass
class SLASetup:
    """Every policy (ordered) and the calendars they use, loaded once per event or sweep."""

    policies: tuple[PolicyRules, ...]
    calendars: dict[int, BusinessCalendar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {p.id: p for p in self.policies}

    def policy(self, policy_id: int | None) -> PolicyRules | None:
        return self._by_id.get(policy_id) if policy_id is not None else None

    def calendar(self, policy_id: int | None) -> BusinessCalendar | None:
        policy = self.policy(policy_id)
        if policy is None or policy.calendar_id is None:
            return None
        return self.calendars.get(policy.calendar_id)

    def choose(self, ctx: TicketContext, metric: str) -> Choice | None:
        """The first enabled policy by order that covers the ticket's team and whose conditions
        match, and its target."""
        for policy in self.policies:
            if policy.applies_to(ctx):
                minutes = policy.minutes_for(metric, ctx.priority, ctx.tier)
                return Choice(policy, minutes) if minutes else None
        return None


@dataclass(frozen=True)
class Cause:
    """What moved the clock, for the ledger: an event kind and its data."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerLine:
    kind: str
    at: datetime
    text: str
    detail: dict[str, object]


@dataclass(frozen=True)
class ClocksMeet:
    """An agent replied: these clocks are met."""

    metrics: tuple[str, ...]


@dataclass(frozen=True)
class ClocksSync:
    """Re-plan every clock of the ticket from its fields, starting ``create`` (none exist yet
    when ``new_ticket``) and restarting ``restart`` if it is met or absent."""

    cause: Cause
    create: tuple[str, ...] = ()
    restart: str | None = None
    new_ticket: bool = False


def clocks_step(event: TicketEvent, *, responded: bool) -> ClocksMeet | ClocksSync | None:
    """What one ticket event does to its clocks (``responded``: an agent had answered the
    ticket before it). The live path (``sla_clocks_apply_event``) and the history replay
    (``sla_clocks_replay``) both take their step from here."""
    kind, data = event.kind, event.data or {}
    if kind == EventKind.TICKET_CREATED:
        return ClocksSync(Cause(kind), create=STARTING_METRICS, new_ticket=True)
    if kind == EventKind.MESSAGE_ADDED:
        if data.get("author_type") == AuthorType.AGENT:
            if data.get("first_response"):
                return ClocksMeet((SLAMetric.NEXT_RESPONSE, SLAMetric.FIRST_RESPONSE))
            return ClocksMeet((SLAMetric.NEXT_RESPONSE,))
        if responded:
            return ClocksSync(Cause(kind), restart=SLAMetric.NEXT_RESPONSE)
        return None
    if kind in SYNC_EVENTS:
        return ClocksSync(Cause(kind, dict(data)))
    if kind == EventKind.ESCALATED and any(k in SYNC_EVENTS for k, _ in event.field_changes()):
        # An escalation that moved the ticket to another queue (or tagged it) may change its
        # policy: one sync for the escalation's one event.
        return ClocksSync(Cause(kind))
    return None


# --- Text ------------------------------------------------------------------------------------
def duration_text(seconds: float) -> str:
    """``3 h 12 min``, ``45 min``, ``2 d 1 h``, ``40 s``."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    days, rest = divmod(seconds // 60, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else ""]
    parts.append(f"{minutes} min" if minutes or not (days or hours) else "")
    return " ".join(p for p in parts if p)


def clock_time_text(at: datetime, cal: BusinessCalendar | None) -> str:
    return at.astimezone(cal.tzinfo if cal else UTC).strftime("%H:%M")


def _cause_text(cause: Cause) -> str:
    frm, to = cause.data.get("from"), cause.data.get("to")
    if cause.kind == "priority_changed" and frm in PRIORITY_RANK and to in PRIORITY_RANK:
        return (
            f"priority {'raised' if PRIORITY_RANK[to] > PRIORITY_RANK[frm] else 'lowered'} to {to}"
        )
    if cause.kind == "tier_changed" and frm in TIER_RANK and to in TIER_RANK:
        return f"customer tier {'raised' if TIER_RANK[to] > TIER_RANK[frm] else 'lowered'} to {to}"
    if cause.kind == "status_changed":
        return f"status changed to {to}"
    if cause.kind == "policy_changed":
        return f"policy '{cause.data.get('policy', '')}' changed"
    return cause.kind.replace("_", " ")


# --- Arithmetic ------------------------------------------------------------------------------
def clock_is_running(clock: SLAClock) -> bool:
    return clock.state in ACTIVE_STATES


def clock_elapsed_at(clock: SLAClock, cal: BusinessCalendar | None, now: datetime) -> float:
    if not clock_is_running(clock):
        return clock.elapsed_seconds
    return clock.elapsed_seconds + business_seconds_between(cal, clock.checkpoint_at, now)


def clock_schedule(clock: SLAClock, cal: BusinessCalendar | None, amber_percent: int) -> None:
    """Precompute the wall-clock instants of the deadline and of the amber threshold."""
    if not clock_is_running(clock) or clock.target_minutes <= 0:
        clock.due_at = clock.amber_at = clock.breach_at = None
        return
    target = clock.target_minutes * 60.0
    amber = target * amber_percent / 100.0
    base, elapsed = clock.checkpoint_at, clock.elapsed_seconds
    # A deadline already passed (an overdue clock synced again) stays where it fell.
    clock.due_at = clock.breach_at = business_instant(cal, base, target - elapsed)
    clock.amber_at = business_instant(cal, base, amber - elapsed)


def _advance(clock: SLAClock, cal: BusinessCalendar | None, now: datetime) -> None:
    if clock_is_running(clock) and now > clock.checkpoint_at:
        clock.elapsed_seconds = clock_elapsed_at(clock, cal, now)
        clock.checkpoint_at = now


def _announced_state(clock: SLAClock) -> str:
    if clock.breach_crossed_at is not None:
        return ClockState.RED
    if clock.amber_crossed_at is not None:
        return ClockState.AMBER
    return ClockState.GREEN


def _line(kind: str, at: datetime, text: str, **detail: object) -> LedgerLine:
    return LedgerLine(kind=kind, at=at, text=text, detail=detail)


def crossing_line(
    clock: SLAClock,
    *,
    to: str,
    at: datetime,
    noticed_at: datetime,
    amber_percent: int,
    cal: BusinessCalendar | None,
) -> LedgerLine:
    """The ledger line of a crossing into ``to`` (amber or red) at ``at``, noticed at
    ``noticed_at``."""
    when = clock_time_text(at, cal)
    if to == ClockState.AMBER:
        text = f"amber at {when} ({amber_percent}% of {clock.target_minutes} min)"
    else:
        text = f"breached at {when} (target {clock.target_minutes} min)"
    return _line(to, at, text, noticed_at=noticed_at.isoformat())


# --- Transitions -----------------------------------------------------------------------------
def clock_start(
    clock: SLAClock,
    *,
    now: datetime,
    status: str,
    choice: Choice | None,
    setup: SLASetup,
    reason: str = "",
) -> list[LedgerLine]:
    """Begin a new run of the clock (ticket created, or a customer reply for next response)."""
    clock.started_at = clock.checkpoint_at = now
    clock.elapsed_seconds = 0.0
    clock.paused_at = clock.met_at = clock.amber_crossed_at = clock.breach_crossed_at = None
    clock.met_late = False
    clock.policy_id = choice.policy.id if choice else None
    clock.target_minutes = choice.minutes if choice else 0
    lines: list[LedgerLine] = []
    if choice is None:
        clock.state = ClockState.PAUSED
        clock.paused_at = now
    else:
        cal = setup.calendar(choice.policy.id)
        running = status in RUNNING_STATUSES
        clock.state = ClockState.GREEN if running else ClockState.PAUSED
        clock.paused_at = None if running else now
        suffix = f" ({reason})" if reason else ""
        lines.append(
            _line(
                "started",
                now,
                f"started at {clock_time_text(now, cal)}{suffix}: target {choice.minutes} min "
                f"(policy '{choice.policy.name}')",
                policy=choice.policy.id,
                target_minutes=choice.minutes,
            )
        )
        if not running:
            lines.append(_pause_line(clock, now, status, cal))
    _schedule(clock, setup)
    return lines


def _schedule(clock: SLAClock, setup: SLASetup) -> None:
    policy = setup.policy(clock.policy_id)
    clock_schedule(clock, setup.calendar(clock.policy_id), policy.amber_percent if policy else 75)


def _pause_line(
    clock: SLAClock, now: datetime, reason: str, cal: BusinessCalendar | None
) -> LedgerLine:
    return _line(
        "paused",
        now,
        f"paused ({reason}) at {clock_time_text(now, cal)}",
        reason=reason,
        elapsed_seconds=round(clock.elapsed_seconds, 3),
    )


def clock_meet(clock: SLAClock, *, now: datetime, setup: SLASetup) -> list[LedgerLine]:
    """The clock's goal is reached (a response sent, the ticket solved): met, or met late."""
    if clock.state == ClockState.MET:
        return []
    cal = setup.calendar(clock.policy_id)
    _advance(clock, cal, now)
    target = clock.target_minutes * 60.0
    clock.met_late = clock.breach_crossed_at is not None or (
        target > 0 and clock.elapsed_seconds >= target
    )
    clock.state = ClockState.MET
    clock.met_at = now
    clock.paused_at = None
    clock_schedule(clock, cal, 75)
    took = duration_text(clock.elapsed_seconds)
    label = "met late" if clock.met_late else "met"
    return [
        _line(
            "met_late" if clock.met_late else "met",
            now,
            f"{label} at {clock_time_text(now, cal)} after {took} (target {clock.target_minutes} min)",
            elapsed_seconds=round(clock.elapsed_seconds, 3),
            met_late=clock.met_late,
        )
    ]


def clock_sync(
    clock: SLAClock,
    *,
    status: str,
    choice: Choice | None,
    setup: SLASetup,
    now: datetime,
    cause: Cause,
) -> list[LedgerLine]:
    """Bring a clock in line with the ticket: its target, met/reopened, paused/running."""
    reopen = (
        clock.metric == SLAMetric.RESOLUTION
        and clock.state == ClockState.MET
        and status not in DONE_STATUSES
    )
    if clock.state == ClockState.MET and not reopen:
        return []
    lines: list[LedgerLine] = []
    _advance(clock, setup.calendar(clock.policy_id), now)
    if reopen:
        # Reopened: the resolution clock resumes from where it was met.
        lines.append(
            _line(
                "reopened",
                now,
                f"reopened at {clock_time_text(now, setup.calendar(clock.policy_id))}",
            )
        )
        clock.state, clock.paused_at = ClockState.PAUSED, clock.met_at
        clock.met_at, clock.met_late = None, False
    lines += _retarget(clock, choice=choice, setup=setup, now=now, cause=cause)
    cal = setup.calendar(clock.policy_id)
    if clock.metric == SLAMetric.RESOLUTION and status in DONE_STATUSES:
        return lines + clock_meet(clock, now=now, setup=setup)
    should_run = clock.policy_id is not None and status in RUNNING_STATUSES
    if clock_is_running(clock) and not should_run:
        clock.state, clock.paused_at = ClockState.PAUSED, now
        lines.append(_pause_line(clock, now, status if clock.policy_id else NO_TARGET, cal))
    elif clock.state == ClockState.PAUSED and should_run:
        paused_for = (now - clock.paused_at).total_seconds() if clock.paused_at else 0.0
        reason = str(cause.data.get("from", "")) if cause.kind == "status_changed" else ""
        clock.state, clock.paused_at, clock.checkpoint_at = _announced_state(clock), None, now
        lines.append(
            _line(
                "resumed",
                now,
                f"resumed after {duration_text(paused_for)} paused",
                paused_seconds=round(paused_for, 3),
                reason=reason,
            )
        )
    _schedule(clock, setup)
    return lines


def _retarget(
    clock: SLAClock, *, choice: Choice | None, setup: SLASetup, now: datetime, cause: Cause
) -> list[LedgerLine]:
    new_policy = choice.policy.id if choice else None
    new_minutes = choice.minutes if choice else 0
    if (clock.policy_id, clock.target_minutes) == (new_policy, new_minutes):
        return []
    old_policy, old_minutes = clock.policy_id, clock.target_minutes
    clock.policy_id, clock.target_minutes = new_policy, new_minutes
    when = clock_time_text(now, setup.calendar(new_policy) or setup.calendar(old_policy))
    head = f"{_cause_text(cause)} at {when}"
    if choice is None:
        text = f"{head}: no SLA target applies"
    elif old_policy is None:
        text = f"{head}: target {new_minutes} min (policy '{choice.policy.name}')"
    else:
        text = f"{head}: target {old_minutes} → {new_minutes} min"
        if old_policy != new_policy:
            text += f" (policy '{choice.policy.name}')"
    return [
        _line(
            "retargeted",
            now,
            text,
            cause=cause.kind,
            from_minutes=old_minutes,
            to_minutes=new_minutes,
            policy=new_policy,
        )
    ]
