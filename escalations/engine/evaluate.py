"""Evaluation: one ticket event through the rules that listen to it.

``evaluation_queue`` (called by the workflow inside the event's transaction) queues the django-q2
task on commit; the task calls ``event_evaluate``, which builds the ticket context once, finds
the enabled rules whose trigger listens to the event kind (one query), and acts on the first rule
that fires and whose conditions hold: a routing rule routes the new ticket, an escalation rule
escalates it. One event causes at most one escalation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django_q import tasks as django_q_tasks

from escalations.audit import audit_record
from escalations.currency.rates import RateFact, rate_day
from escalations.currency.selectors import exchange_rate_facts
from escalations.models import EventEvaluation, OutcomeKind, Rule, RuleKind
from escalations.queueing import task_broker, task_enqueue_or_defer
from escalations.selectors import rules_listening
from escalations.sweeps import sweep_row_isolated
from kimondesk.compiled_queries import CompiledQuery, rows_insert
from tickets.models import EventKind, Message, Ticket, TicketEvent
from tickets.services import ticket_update

from .context import ticket_context_build
from .escalate import (
    EscalationOutcome,
    EscalationRequest,
    escalation_execute,
    rule_outcome_first,
)
from .rules import rule_matches
from .triggers import (
    TRIGGERS,
    Firing,
    TriggerEvent,
    trigger_event_kinds,
    trigger_event_of,
    trigger_kinds_for_event,
)

if TYPE_CHECKING:
    from .context import TicketContext

logger = logging.getLogger(__name__)


@dataclass
class RoutingOutcome:
    rule_id: int
    routed: bool


def evaluation_queue(*, event: TicketEvent) -> None:
    """Queue the evaluation of ``event`` for after the commit (nothing if no trigger listens)."""
    if event.kind not in trigger_event_kinds():
        return
    event_id = event.pk

    def enqueue() -> None:
        # A broker outage must not fail the committed write: the receipts sweep finds the event.
        task_enqueue_or_defer(
            "escalations.tasks.ticket_event_evaluate",
            event_id,
            swept_by="the evaluation receipts sweep",
        )

    transaction.on_commit(enqueue)


def trigger_event_from(
    event: TicketEvent, *, team_id: int | None = None, with_rates: bool = False
) -> TriggerEvent:
    """The trigger-facing facts of an event, with the message text for customer messages and,
    for a refund (``with_rates``: some rule is in another currency), the exchange rates of the
    ticket's team (``team_id``) for its currency."""
    message = None
    message_id = event.data.get("message")
    if (
        event.kind == EventKind.MESSAGE_ADDED
        and event.data.get("author_type") == "customer"
        and isinstance(message_id, int)
    ):
        found = _message_text.rows(message_id=message_id)
        message = dict(zip(("body", "sentiment_reasons"), found[0], strict=True)) if found else None
    rates: tuple[RateFact, ...] = ()
    if with_rates and event.kind == EventKind.REFUND_REQUESTED and event.data.get("currency"):
        rates = exchange_rate_facts(
            team_ids=[team_id],
            currency=str(event.data["currency"]),
            on=rate_day(event.created_at),
        )
    return trigger_event_of(event, message, rates)


def rule_fires(*, rule: Rule, event: TriggerEvent, ctx: TicketContext) -> Firing | None:
    """Pure: the rule's firing for this event and ticket, or ``None``."""
    if rule.trigger_kind not in TRIGGERS:
        return None
    trigger = TRIGGERS.get(rule.trigger_kind)
    if trigger.rule_kind != rule.kind or event.kind not in trigger.event_kinds:
        return None
    try:
        params = trigger.clean_params(rule.trigger_params)
    except ValidationError:
        logger.warning("rule %s has invalid trigger params; skipped", rule.pk)
        return None
    firing = trigger.evaluate(event, ctx, params)
    if firing is None or not rule_matches(rule=rule, ctx=ctx):
        return None
    return firing


_message_text = CompiledQuery(
    lambda *, message_id: Message.objects.filter(pk=message_id).values_list(
        "body", "sentiment_reasons"
    ),
    message_id=int,
)
_event_row = CompiledQuery(
    lambda *, event_id: TicketEvent.objects.filter(pk=event_id), event_id=int
)
# Compiled per tuple of trigger kinds (one per event kind).
_rules_listening = CompiledQuery(lambda keys: rules_listening(trigger_keys=list(keys)))


def event_evaluate(*, event_id: int) -> list[EscalationOutcome | RoutingOutcome]:
    """Evaluate one ticket event, then record its receipt. Safe to run twice: a second run
    escalates nothing new. An exception leaves no receipt, so the event is tried again."""
    event = _event_row.first(event_id=event_id)
    if event is None or event.kind not in trigger_event_kinds():
        return []
    # One transaction: the escalation (a savepoint inside) and the receipt commit together.
    with transaction.atomic():
        outcomes = _event_outcomes(event=event)
        rows_insert([EventEvaluation(event=event)], ignore_conflicts=True)
    return outcomes


def _event_outcomes(*, event: TicketEvent) -> list[EscalationOutcome | RoutingOutcome]:
    rules = _rules_listening.all(tuple(trigger_kinds_for_event(event.kind)))
    if not rules:
        return []
    ctx = ticket_context_build(ticket_id=event.ticket_id)
    currency = event.data.get("currency")
    with_rates = any(
        isinstance(rule.trigger_params, dict)
        and rule.trigger_params.get("currency", currency) != currency
        for rule in rules
    )
    facts = trigger_event_from(event, team_id=ctx.team_id, with_rates=with_rates)
    for rule in rules:
        firing = None
        with sweep_row_isolated(
            sweep=f"Evaluation of event {event.pk}", row=f"rule {rule.pk}", writes=False
        ):
            firing = rule_fires(rule=rule, event=facts, ctx=ctx)
        if firing is None:
            continue
        if rule.kind == RuleKind.ROUTING:
            return [ticket_route(rule=rule, ticket_id=ctx.ticket_id, firing=firing)]
        request = EscalationRequest(
            ticket_id=ctx.ticket_id,
            trigger=firing.trigger,
            occurrence=firing.occurrence,
            sentence=firing.sentence,
            evidence=firing.evidence,
            rule=rule,
            target=rule.target,
        )
        return [escalation_execute(request=request)]
    return []


def evaluations_missed_requeue(
    *,
    now: datetime,
    grace: timedelta = timedelta(seconds=30),
    horizon: timedelta = timedelta(hours=6),
    limit: int = 1000,
) -> list[int]:
    """Queue again the events that should have been evaluated but have no receipt.

    Only events older than ``grace`` (their task may still be on its way) and younger than
    ``horizon`` are looked at: an indexed range over (kind, created_at) and a primary-key
    anti-join on the receipts.
    """
    missed = list(
        TicketEvent.objects.filter(
            kind__in=trigger_event_kinds(),
            created_at__gte=now - horizon,
            created_at__lte=now - grace,
            evaluation__isnull=True,
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    broker = task_broker()
    for event_id in missed:
        django_q_tasks.async_task(
            "escalations.tasks.ticket_event_evaluate", event_id, broker=broker
        )
    if missed:
        # Normal after a start or a restart (events recorded while no worker ran): INFO, not a
        # warning. A steady stream of these on a running cluster is what deserves a look.
        logger.info(
            "caught up: queued %d ticket events recorded without an evaluation yet", len(missed)
        )
    return missed


@transaction.atomic
def ticket_route(*, rule: Rule, ticket_id: int, firing: Firing) -> RoutingOutcome:
    """Apply a routing rule to a new ticket, once (a second run finds the audit row)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
    if not rule_outcome_first(ticket_id=ticket_id, kind=OutcomeKind.ROUTED):
        return RoutingOutcome(rule.pk, routed=False)
    assignee = rule.route_assignee
    if assignee is not None and not assignee.is_active:
        assignee = None
    before = {"queue": ticket.queue_id, "assignee": ticket.assignee_id}
    updated = ticket_update(
        ticket=ticket,
        actor=None,
        queue=rule.route_queue if rule.route_queue is not None else ...,
        assignee=assignee if assignee is not None else ...,
        reason="routing",
    )
    audit_record(
        kind="ticket_routed",
        actor_label=f"rule: {rule.name}",
        ticket=updated,
        obj=rule,
        before=before,
        after={"queue": updated.queue_id, "assignee": updated.assignee_id},
        data={"rule": rule.pk, "occurrence": firing.occurrence},
    )
    return RoutingOutcome(rule.pk, routed=True)
