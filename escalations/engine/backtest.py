"""The dry run: replay past ticket events through one rule's trigger and conditions.

Writes nothing. The ticket state a condition sees is reconstructed at each event's time by
rewinding the event log from the current state (status, priority, queue and team, tags, customer
tier, assignee): a rule with ``priority = urgent`` only hits events that happened while the
ticket was urgent. Facts the log does not carry (a queue's team moving, a team's lead changing)
are taken as they are now. The rule's cooldown is applied between hits of the same ticket; the
other runtime guards (chain length, holder, ping-pong) depend on what earlier escalations would
have done and are not simulated.

Receivers' feedback on the escalations actually made in the window is set beside the hits
(``BacktestJudged``): how many of the escalations the rule would have made were judged unnecessary,
and which escalations of this rule judged needed it would no longer make.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from escalations.currency.rates import RateFact
from escalations.currency.selectors import exchange_rate_facts, team_rates
from escalations.feedback.selectors import escalation_feedback_of
from escalations.models import Escalation, EscalationFeedback, Rule
from tickets.models import EventKind, Message, Queue, TicketEvent

from .context import TicketContext, ticket_context_from, ticket_context_queryset
from .rules import rule_matches
from .triggers import TRIGGERS, P, TriggerKind, trigger_event_of

# The changes that move a ticket's state, and the fields they rewind.
STATE_KINDS = (
    EventKind.STATUS_CHANGED,
    EventKind.PRIORITY_CHANGED,
    EventKind.QUEUE_CHANGED,
    EventKind.ASSIGNED,
    EventKind.TAGS_CHANGED,
    EventKind.TIER_CHANGED,
    # An escalation's one event carries its tag, queue and assignee changes.
    EventKind.ESCALATED,
)


@dataclass(frozen=True)
class BacktestHit:
    ticket_id: int
    subject: str
    at: datetime
    trigger: str
    evidence: dict[str, Any]
    occurrence: str = ""
    sentence: str = ""


@dataclass(frozen=True)
class JudgedEscalation:
    """A past escalation and its receiver's verdict."""

    escalation_id: int
    ticket_id: int
    at: datetime
    needed: bool
    reason: str
    comment: str


@dataclass
class BacktestJudged:
    """The hits set against what receivers said about the escalations actually made.

    ``made``: hits that match an escalation made in the window (same ticket and occurrence, by any
    rule); ``judged``: those with feedback; ``unnecessary``: those judged not needed;
    ``missed_needed``: this rule's own escalations of the window judged needed that the rule as
    previewed would not make (none for a rule not saved yet).
    """

    made: int = 0
    judged: int = 0
    needed: int = 0
    unnecessary: list[JudgedEscalation] = field(default_factory=list)
    missed_needed: list[JudgedEscalation] = field(default_factory=list)


@dataclass
class BacktestResult:
    rule_id: int
    days: int
    window_start: datetime
    window_end: datetime
    tickets_evaluated: int
    hits: list[BacktestHit] = field(default_factory=list)
    judged: BacktestJudged = field(default_factory=BacktestJudged)


def _rewind(ctx: TicketContext, event: TicketEvent, queue_team: dict[int, int]) -> TicketContext:
    """The context just before ``event``, given the context just after it."""
    for kind, data in reversed(event.field_changes()):
        ctx = _rewind_change(ctx, kind, data, queue_team)
    return ctx


def _rewind_change(
    ctx: TicketContext, kind: str, data: dict[str, Any], queue_team: dict[int, int]
) -> TicketContext:
    if kind == EventKind.STATUS_CHANGED and "from" in data:
        return dataclasses.replace(ctx, status=data["from"])
    if kind == EventKind.PRIORITY_CHANGED and "from" in data:
        return dataclasses.replace(ctx, priority=data["from"])
    if kind == EventKind.QUEUE_CHANGED and "from" in data:
        queue_id = data["from"]
        return dataclasses.replace(
            ctx, queue_id=queue_id, team_id=queue_team.get(queue_id) if queue_id else None
        )
    if kind == EventKind.ASSIGNED and "from" in data:
        return dataclasses.replace(ctx, assignee_id=data["from"])
    if kind == EventKind.TAGS_CHANGED:
        tags = (ctx.tags - set(data.get("added") or [])) | set(data.get("removed") or [])
        return dataclasses.replace(ctx, tags=frozenset(tags))
    if kind == EventKind.TIER_CHANGED and "from" in data:
        return dataclasses.replace(ctx, tier=data["from"])
    return ctx


def backtest_run(*, rule: Rule, days: int, now: datetime) -> BacktestResult:
    """Replay the window's events; a fixed number of reads whatever the window holds."""
    start = now - timedelta(days=days)
    result = BacktestResult(
        rule_id=rule.pk, days=days, window_start=start, window_end=now, tickets_evaluated=0
    )
    if rule.trigger_kind not in TRIGGERS:
        result.judged = backtest_judged(rule=rule, result=result)
        return result
    trigger = TRIGGERS.get(rule.trigger_kind)
    params = trigger.clean_params(rule.trigger_params)
    candidates = list(
        TicketEvent.objects.filter(
            kind__in=trigger.event_kinds, created_at__gte=start, created_at__lte=now
        ).order_by("created_at", "id")
    )
    if not candidates:
        result.judged = backtest_judged(rule=rule, result=result)
        return result
    ticket_ids = {e.ticket_id for e in candidates}
    result.tickets_evaluated = len(ticket_ids)
    tickets = {t.pk: t for t in ticket_context_queryset().filter(pk__in=ticket_ids)}
    queue_team = dict(Queue.objects.values_list("pk", "team_id"))
    # Every state change after the first candidate, newest first, to rewind from now.
    changes = TicketEvent.objects.filter(
        ticket_id__in=ticket_ids, kind__in=STATE_KINDS, created_at__gte=candidates[0].created_at
    ).order_by("-created_at", "-id")
    by_ticket: dict[int, list[TicketEvent]] = defaultdict(list)
    for change in changes:
        by_ticket[change.ticket_id].append(change)
    message_ids = [e.data.get("message") for e in candidates if e.kind == EventKind.MESSAGE_ADDED]
    messages = {
        m["pk"]: m
        for m in Message.objects.filter(pk__in=[i for i in message_ids if i]).values(
            "pk", "body", "sentiment_reasons"
        )
    }
    refund_currencies = {
        str(e.data["currency"]) for e in candidates if e.kind == EventKind.REFUND_REQUESTED
    }
    # One read of the rates when some refund is in another currency than the rule's.
    loaded = (
        exchange_rate_facts(team_ids=set(queue_team.values()))
        if refund_currencies - {params.get("currency")}
        else ()
    )
    rates = {team: team_rates(rates=loaded, team_id=team) for team in {None, *queue_team.values()}}
    contexts: dict[int, TicketContext] = {}
    for candidate in sorted(candidates, key=lambda e: (e.created_at, e.pk), reverse=True):
        ticket = tickets.get(candidate.ticket_id)
        if ticket is None:
            continue
        ctx = contexts.get(ticket.pk) or ticket_context_from(ticket)
        pending = by_ticket[ticket.pk]
        # Rewind the changes that happened after this candidate.
        while pending and (pending[0].created_at, pending[0].pk) > (
            candidate.created_at,
            candidate.pk,
        ):
            ctx = _rewind(ctx, pending.pop(0), queue_team)
        contexts[ticket.pk] = ctx
        hit = _hit(
            rule=rule,
            trigger=trigger,
            params=params,
            event=candidate,
            ctx=ctx,
            message=messages.get(candidate.data.get("message")),
            rates=rates.get(ctx.team_id, ()),
            subject=ticket.subject,
        )
        if hit is not None:
            result.hits.append(hit)
    result.hits.sort(key=lambda h: (h.at, h.ticket_id))
    result.hits = _apply_cooldown(result.hits, minutes=rule.cooldown_minutes)
    result.judged = backtest_judged(rule=rule, result=result)
    return result


def _judged(escalation: Escalation, feedback: EscalationFeedback) -> JudgedEscalation:
    return JudgedEscalation(
        escalation_id=escalation.pk,
        ticket_id=escalation.ticket_id,
        at=escalation.created_at,
        needed=feedback.needed,
        reason=feedback.reason,
        comment=feedback.comment,
    )


def backtest_judged(*, rule: Rule, result: BacktestResult) -> BacktestJudged:
    """Feedback on the window's escalations, matched to the hits by (ticket, occurrence). Two
    reads whatever the window holds."""
    judged = BacktestJudged()
    in_window = Escalation.objects.filter(
        created_at__gte=result.window_start, created_at__lte=result.window_end
    ).select_related("feedback")
    hit_keys = {(hit.ticket_id, hit.occurrence) for hit in result.hits}
    if hit_keys:
        made = in_window.filter(
            ticket_id__in={t for t, _ in hit_keys}, occurrence__in={o for _, o in hit_keys}
        ).order_by("created_at", "id")
        seen: set[tuple[int, str]] = set()
        for escalation in made:
            key = (escalation.ticket_id, escalation.occurrence)
            if key not in hit_keys or key in seen:
                continue
            seen.add(key)
            judged.made += 1
            feedback = escalation_feedback_of(escalation=escalation)
            if feedback is None:
                continue
            judged.judged += 1
            if feedback.needed:
                judged.needed += 1
            else:
                judged.unnecessary.append(_judged(escalation, feedback))
    if rule.pk is not None:
        own_needed = in_window.filter(rule_id=rule.pk, feedback__needed=True).order_by(
            "created_at", "id"
        )
        judged.missed_needed = [
            _judged(escalation, escalation.feedback)
            for escalation in own_needed
            if (escalation.ticket_id, escalation.occurrence) not in hit_keys
        ]
    return judged


def _hit(
    *,
    rule: Rule,
    trigger: TriggerKind[P],
    params: P,
    event: TicketEvent,
    ctx: TicketContext,
    message: Mapping[str, Any] | None,
    rates: tuple[RateFact, ...],
    subject: str,
) -> BacktestHit | None:
    firing = trigger.evaluate(trigger_event_of(event, message, rates), ctx, params)
    if firing is None or not rule_matches(rule=rule, ctx=ctx):
        return None
    return BacktestHit(
        ticket_id=event.ticket_id,
        subject=subject,
        at=event.created_at,
        trigger=firing.trigger,
        evidence=firing.evidence,
        occurrence=firing.occurrence,
        sentence=firing.sentence,
    )


def _apply_cooldown(hits: list[BacktestHit], *, minutes: int) -> list[BacktestHit]:
    kept: list[BacktestHit] = []
    last: dict[int, datetime] = {}
    for hit in hits:
        previous = last.get(hit.ticket_id)
        if previous is not None and minutes and hit.at - previous < timedelta(minutes=minutes):
            continue
        last[hit.ticket_id] = hit.at
        kept.append(hit)
    return kept
