"""Trigger kinds: what makes a rule fire.

Each kind is a small class registered in ``TRIGGERS`` under a stable key. It names the ticket
event kinds it listens to, validates its stored params, and decides from one event and the
ticket's context whether the rule fires. ``evaluate`` is pure: it never queries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from tickets.currencies import ISO_4217_CODES
from tickets.models import EventKind, Sentiment, TicketEvent

from .context import TicketContext
from .registry import Registry
from .sentiment import NEGATIVE_RUN_MAX

EXCERPT_CHARS = 200


@dataclass(frozen=True)
class TriggerEvent:
    """The facts of one ``TicketEvent`` that triggers look at."""

    id: int
    kind: str
    data: dict[str, Any]
    created_at: datetime
    actor_id: int | None = None
    # Facts the engine loads once alongside the event (e.g. the message's text and reasons).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Firing:
    """A trigger fired: ``occurrence`` names the cause, so one cause escalates at most once."""

    trigger: str
    occurrence: str
    evidence: dict[str, Any]
    sentence: str


def trigger_event_of(event: TicketEvent, message: Mapping[str, Any] | None) -> TriggerEvent:
    """The trigger-facing facts of a stored event (``message``: its body and reasons, if any)."""
    extra: dict[str, Any] = {}
    if message is not None:
        extra = {"body": message["body"], "reasons": list(message["sentiment_reasons"] or [])}
    return TriggerEvent(
        id=event.pk,
        kind=event.kind,
        data=dict(event.data),
        created_at=event.created_at,
        actor_id=event.actor_id,
        extra=extra,
    )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class TriggerKind(ABC):
    key: ClassVar[str]
    label: ClassVar[str]
    params_help: ClassVar[str] = "No parameters."
    event_kinds: ClassVar[tuple[str, ...]]
    # Which kind of rule may use it: escalation rules or routing rules.
    rule_kind: ClassVar[str] = "escalation"

    def clean_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Validate stored params; raise ``ValidationError`` naming the param."""
        if params in (None, {}):
            return {}
        if not isinstance(params, dict):
            raise ValidationError({"params": ["Must be an object."]})
        raise ValidationError(
            {name: [f"{self.key} takes no parameter {name!r}."] for name in sorted(params)}
        )

    @abstractmethod
    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        """A ``Firing`` when the event is a change this trigger reacts to, else ``None``."""


TRIGGERS: Registry[TriggerKind] = Registry("trigger kinds")


def trigger_kinds_for_event(kind: str) -> list[str]:
    """Keys of the trigger kinds that listen to a ticket event kind."""
    return [trigger.key for trigger in TRIGGERS if kind in trigger.event_kinds]


def trigger_event_kinds() -> frozenset[str]:
    """Every ticket event kind some trigger listens to."""
    return frozenset(kind for trigger in TRIGGERS for kind in trigger.event_kinds)


@TRIGGERS.register_class
class SentimentNegative(TriggerKind):
    key = "sentiment_negative"
    label = "Customer sentiment turned negative"
    params_help = (
        "What counts as a turn: by default the first negative customer message after "
        'non-negative ones (or on a new ticket). {"run": N} (1 to '
        f"{NEGATIVE_RUN_MAX}) waits for a sustained run instead: it fires on the Nth negative "
        "customer message in a row, once per run. Messages in a language with no sentiment "
        'scorer ("not scored (de)") neither count nor break a run. Optional '
        '{"max_score": -0.5}: fire only when the message scores at or below it (-1 to 0).'
    )
    event_kinds = (EventKind.MESSAGE_ADDED,)

    def clean_params(self, params: dict[str, Any]) -> dict[str, Any]:
        params = params or {}
        if not isinstance(params, dict):
            raise ValidationError({"params": ["Must be an object."]})
        rest = {k: v for k, v in params.items() if k not in ("max_score", "run")}
        super().clean_params(rest)
        cleaned: dict[str, Any] = {}
        if "max_score" in params:
            raw = params["max_score"]
            if isinstance(raw, bool) or not isinstance(raw, int | float) or not -1 <= raw <= 0:
                raise ValidationError({"max_score": ["Give a number between -1 and 0."]})
            cleaned["max_score"] = float(raw)
        if "run" in params:
            run = params["run"]
            if (
                isinstance(run, bool)
                or not isinstance(run, int)
                or not 1 <= run <= NEGATIVE_RUN_MAX
            ):
                raise ValidationError(
                    {"run": [f"Give a whole number of messages from 1 to {NEGATIVE_RUN_MAX}."]}
                )
            if run > 1:
                cleaned["run"] = run
        return cleaned

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        data = event.data
        if data.get("author_type") != "customer" or data.get("sentiment") != Sentiment.NEGATIVE:
            return None
        run = int(params.get("run", 1))
        if run == 1 and data.get("previous_sentiment") == Sentiment.NEGATIVE:
            return None
        if run > 1 and data.get("negative_run") != run:
            return None
        score = data.get("sentiment_score")
        if "max_score" in params and (score is None or score > params["max_score"]):
            return None
        text = excerpt(str(event.extra.get("body", "")))
        reasons = list(event.extra.get("reasons") or data.get("sentiment_reasons") or [])
        evidence = {"message": data.get("message"), "excerpt": text, "score": score}
        evidence["reasons"] = reasons
        because = f" ({', '.join(reasons)})" if reasons else ""
        turned = (
            "The customer's sentiment turned negative"
            if run == 1
            else f"The customer's last {run} messages were negative"
        )
        if run > 1:
            evidence["run"] = run
        return Firing(
            trigger=self.key,
            occurrence=f"message:{data.get('message')}",
            evidence=evidence,
            sentence=f"{turned} (score {score}){because}: “{text}”",
        )


class SLAStateTrigger(TriggerKind):
    event_kinds = (EventKind.SLA_STATE_CHANGED,)
    metric: ClassVar[str | None]
    to_state: ClassVar[str]

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        data = event.data
        if data.get("to") != self.to_state:
            return None
        if self.metric is not None and data.get("metric") != self.metric:
            return None
        metric = str(data.get("metric", ""))
        evidence = {"metric": metric, "from": data.get("from"), "to": data.get("to")}
        if "clock" in data:
            evidence["clock"] = data["clock"]
        words = metric.replace("_", " ")
        return Firing(
            trigger=self.key,
            occurrence=f"sla:{event.id}",
            evidence=evidence,
            sentence=f"The {words} SLA clock went from {data.get('from')} to {data.get('to')}.",
        )


@TRIGGERS.register_class
class FirstResponseAmber(SLAStateTrigger):
    key = "frt_amber"
    label = "First-response SLA turned amber"
    params_help = "No parameters: the SLA policy's amber percentage sets the threshold."
    metric = "first_response"
    to_state = "amber"


@TRIGGERS.register_class
class SLABreach(SLAStateTrigger):
    key = "sla_breach"
    label = "SLA breached"
    params_help = "No parameters: fires when any SLA clock of the ticket turns red."
    metric = None
    to_state = "red"


@TRIGGERS.register_class
class TierUpgrade(TriggerKind):
    key = "tier_upgrade"
    label = "Customer tier upgraded"
    params_help = "No parameters: fires for each open ticket when the customer's tier rises."
    event_kinds = (EventKind.TIER_CHANGED,)

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        data = event.data
        if data.get("upgrade") is not True or data.get("from") == data.get("to"):
            return None
        return Firing(
            trigger=self.key,
            occurrence=f"tier:{data.get('tier_change', event.id)}",
            evidence={"from": data.get("from"), "to": data.get("to")},
            sentence=f"The customer's tier was upgraded from {data.get('from')} to {data.get('to')}.",
        )


def _amount_clean(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValidationError({"amount": ["Give the amount as a decimal string, e.g. '500.00'."]})
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationError({"amount": [f"{raw!r} is not a decimal amount."]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": ["The amount must be greater than zero."]})
    return amount.quantize(Decimal("0.01"))


@TRIGGERS.register_class
class RefundThreshold(TriggerKind):
    key = "refund_threshold"
    label = "Refund at or over a threshold"
    params_help = (
        '{"amount": "500.00", "currency": "USD"}: fires on a refund request of at least the '
        "amount in that currency; requests in other currencies never compare."
    )
    event_kinds = (EventKind.REFUND_REQUESTED,)

    def clean_params(self, params: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(params, dict):
            raise ValidationError({"params": ["Must be an object with amount and currency."]})
        errors: dict[str, list[str]] = {}
        unknown = sorted(set(params) - {"amount", "currency"})
        for name in unknown:
            errors[name] = [f"refund_threshold takes no parameter {name!r}."]
        amount: Decimal | None = None
        if "amount" not in params:
            errors["amount"] = ["This parameter is required."]
        else:
            try:
                amount = _amount_clean(params["amount"])
            except ValidationError as exc:
                errors.update(exc.message_dict)
        currency = params.get("currency")
        if "currency" not in params:
            errors["currency"] = ["This parameter is required."]
        elif not isinstance(currency, str) or currency.upper() not in ISO_4217_CODES:
            errors["currency"] = [f"{currency!r} is not an ISO 4217 currency code."]
        if errors:
            raise ValidationError(errors)
        assert isinstance(currency, str)
        return {"amount": str(amount), "currency": currency.upper()}

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        data = event.data
        if data.get("currency") != params["currency"]:
            return None
        amount = Decimal(str(data.get("amount"))).quantize(Decimal("0.01"))
        threshold = Decimal(params["amount"])
        if amount < threshold:
            return None
        return Firing(
            trigger=self.key,
            occurrence=f"refund:{data.get('refund', event.id)}",
            evidence={
                "refund": data.get("refund"),
                "amount": str(amount),
                "currency": data["currency"],
                "threshold": str(threshold),
            },
            sentence=(
                f"A refund of {amount} {data['currency']} was requested "
                f"(threshold {threshold} {params['currency']})."
            ),
        )


ESCALATE_TAG = "escalate"


@TRIGGERS.register_class
class EscalateTag(TriggerKind):
    """The ``escalate`` tag is only added together with a handoff, by the manual escalation
    service (``via_tag=True``), which escalates in the same transaction to the target of the
    first matching enabled ``escalate_tag`` rule (else the team lead). Such tag events carry
    ``"handoff": true`` and do not fire again here; a tag added any other way (an import writing
    events directly) fires the rule like any other trigger."""

    key = "escalate_tag"
    label = "Agent tagged 'escalate'"
    params_help = (
        "No parameters: an agent adds the 'escalate' tag with a handoff note; the first "
        "matching rule picks the target of tag escalations."
    )
    event_kinds = (EventKind.TAGS_CHANGED,)

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        if ESCALATE_TAG not in (event.data.get("added") or []) or event.data.get("handoff"):
            return None
        return Firing(
            trigger=self.key,
            occurrence=f"event:{event.id}",
            evidence={"tag": ESCALATE_TAG},
            sentence="An agent tagged the ticket 'escalate' with a handoff note.",
        )


@TRIGGERS.register_class
class TicketCreated(TriggerKind):
    """Routing rules: on creation, pick the queue and assignee (first matching rule wins)."""

    key = "ticket_created"
    label = "Ticket created (routing)"
    params_help = "No parameters: routing rules run once when a ticket is created."
    event_kinds = (EventKind.TICKET_CREATED,)
    rule_kind = "routing"

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: dict[str, Any]
    ) -> Firing | None:
        return Firing(
            trigger=self.key,
            occurrence=f"created:{ctx.ticket_id}",
            evidence={"priority": ctx.priority, "tier": ctx.tier, "tags": sorted(ctx.tags)},
            sentence="A new ticket arrived.",
        )
