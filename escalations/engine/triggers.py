"""Trigger kinds: what makes a rule fire.

Each kind is a small class registered in ``TRIGGERS`` under a stable key. It names the ticket
event kinds it listens to, declares its stored params once (``params``, a ``ParamSchema``: the
console form, the API validation, the OpenAPI schema and ``TriggerKey`` derive from this
registry), and decides from one event and the ticket's context whether the rule fires.
``evaluate`` is pure: it never queries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypedDict, TypeVar

from escalations.currency.rates import Conversion, RateFact, amount_convert, rate_day
from tickets.models import ESCALATE_TAG, EventKind, Sentiment, TicketEvent

from .context import TicketContext
from .params import AmountParam, CurrencyParam, NumberParam, ParamSchema, WholeNumberParam
from .registry import Registry
from .sentiment import NEGATIVE_RUN_MAX

EXCERPT_CHARS = 200


class EventExtra(TypedDict, total=False):
    """Facts loaded beside a message event: the message's text and sentiment reasons."""

    body: str
    reasons: list[str]


@dataclass(frozen=True)
class TriggerEvent:
    """The facts of one ``TicketEvent`` that triggers look at."""

    id: int
    kind: str
    data: dict[str, Any]
    created_at: datetime
    actor_id: int | None = None
    # Facts the engine loads once alongside the event (e.g. the message's text and reasons).
    extra: EventExtra = field(default_factory=EventExtra)
    # Exchange rates the ticket's team may use with the event's currency (refunds only).
    rates: tuple[RateFact, ...] = ()


@dataclass(frozen=True)
class Firing:
    """A trigger fired: ``occurrence`` names the cause, so one cause escalates at most once."""

    trigger: str
    occurrence: str
    evidence: dict[str, Any]
    sentence: str


def trigger_event_of(
    event: TicketEvent,
    message: Mapping[str, Any] | None,
    rates: tuple[RateFact, ...] = (),
) -> TriggerEvent:
    """The trigger-facing facts of a stored event (``message``: its body and reasons, if any;
    ``rates``: the exchange rates for a refund's currency)."""
    extra: EventExtra = {}
    if message is not None:
        extra = {"body": message["body"], "reasons": list(message["sentiment_reasons"] or [])}
    return TriggerEvent(
        id=event.pk,
        kind=event.kind,
        data=dict(event.data),
        created_at=event.created_at,
        actor_id=event.actor_id,
        extra=extra,
        rates=rates,
    )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class NoParams(TypedDict):
    """The stored params of a trigger kind that declares none."""


class SentimentNegativeParams(TypedDict, total=False):
    max_score: float
    run: int


class RefundThresholdParams(TypedDict):
    amount: str
    currency: str


# A trigger kind's stored params, cleaned by its ``params`` schema (``clean_params``).
P = TypeVar("P", bound=Mapping[str, object])


class TriggerKind(ABC, Generic[P]):
    key: ClassVar[str]
    label: ClassVar[str]
    # What makes it fire, in words (the parameters describe themselves).
    description: ClassVar[str]
    params: ClassVar[ParamSchema] = ParamSchema()
    event_kinds: ClassVar[tuple[str, ...]]
    # Which kind of rule may use it: escalation rules or routing rules.
    rule_kind: ClassVar[str] = "escalation"

    def clean_params(self, params: object) -> dict[str, Any]:
        """Validate stored params (the ``P`` of this kind); raise ``ValidationError`` naming each
        bad param."""
        return self.params.clean(params, owner=self.key)

    @abstractmethod
    def evaluate(self, event: TriggerEvent, ctx: TicketContext, params: P) -> Firing | None:
        """A ``Firing`` when the event is a change this trigger reacts to, else ``None``."""

    @abstractmethod
    def sentence(self, evidence: Mapping[str, Any]) -> str:
        """What changed, in one sentence, from the evidence of a firing (the summary's first
        line): the same words for an escalation made now and one replayed from stored rows."""


# Each kind with its own params type: stored rows reach ``evaluate`` through ``clean_params``.
TRIGGERS: Registry[TriggerKind[Any]] = Registry("trigger kinds")


def trigger_kinds_for_event(kind: str) -> list[str]:
    """Keys of the trigger kinds that listen to a ticket event kind."""
    return [trigger.key for trigger in TRIGGERS if kind in trigger.event_kinds]


def trigger_event_kinds() -> frozenset[str]:
    """Every ticket event kind some trigger listens to."""
    return frozenset(kind for trigger in TRIGGERS for kind in trigger.event_kinds)


@TRIGGERS.register_class
class SentimentNegative(TriggerKind[SentimentNegativeParams]):
    key = "sentiment_negative"
    label = "Customer sentiment turned negative"
    description = (
        "Fires when a customer message turns the ticket's mood negative. What counts as a turn: "
        "by default the first negative customer message after non-negative ones (or on a new "
        "ticket); with a run of N it waits for a sustained run and fires on the Nth negative "
        "customer message in a row, once per run. Messages in a language with no sentiment "
        'scorer ("not scored (de)") neither count nor break a run.'
    )
    params = ParamSchema(
        (
            NumberParam(
                "max_score",
                "Strongest score that fires",
                "Fire only when the message scores at or below this (-1 very negative to 0 "
                "neutral); leave empty to fire on every turn to negative.",
                minimum=-1.0,
                maximum=0.0,
            ),
            WholeNumberParam(
                "run",
                "Negative messages in a row",
                f"1 (the default) fires on the first negative message after calm ones; 2 to "
                f"{NEGATIVE_RUN_MAX} wait for that many negative customer messages in a row.",
                minimum=1,
                maximum=NEGATIVE_RUN_MAX,
            ),
        )
    )
    event_kinds = (EventKind.MESSAGE_ADDED,)

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: SentimentNegativeParams
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
        if run > 1:
            evidence["run"] = run
        return Firing(
            trigger=self.key,
            occurrence=f"message:{data.get('message')}",
            evidence=evidence,
            sentence=self.sentence(evidence),
        )

    def sentence(self, evidence: Mapping[str, Any]) -> str:
        reasons = evidence.get("reasons") or []
        because = f" ({', '.join(reasons)})" if reasons else ""
        run = int(evidence.get("run", 1))
        turned = (
            "The customer's sentiment turned negative"
            if run == 1
            else f"The customer's last {run} messages were negative"
        )
        return f"{turned} (score {evidence.get('score')}){because}: “{evidence['excerpt']}”"


class SLAStateTrigger(TriggerKind[NoParams]):
    event_kinds = (EventKind.SLA_STATE_CHANGED,)
    metric: ClassVar[str | None]
    to_state: ClassVar[str]

    def evaluate(self, event: TriggerEvent, ctx: TicketContext, params: NoParams) -> Firing | None:
        data = event.data
        if data.get("to") != self.to_state:
            return None
        if self.metric is not None and data.get("metric") != self.metric:
            return None
        metric = str(data.get("metric", ""))
        evidence = {"metric": metric, "from": data.get("from"), "to": data.get("to")}
        if "clock" in data:
            evidence["clock"] = data["clock"]
        return Firing(
            trigger=self.key,
            occurrence=f"sla:{event.id}",
            evidence=evidence,
            sentence=self.sentence(evidence),
        )

    def sentence(self, evidence: Mapping[str, Any]) -> str:
        words = str(evidence["metric"]).replace("_", " ")
        return f"The {words} SLA clock went from {evidence.get('from')} to {evidence.get('to')}."


@TRIGGERS.register_class
class FirstResponseAmber(SLAStateTrigger):
    key = "frt_amber"
    label = "First-response SLA turned amber"
    description = "Fires when the first-response clock turns amber (the SLA policy sets when)."
    metric = "first_response"
    to_state = "amber"


@TRIGGERS.register_class
class SLABreach(SLAStateTrigger):
    key = "sla_breach"
    label = "SLA breached"
    description = "Fires when any SLA clock of the ticket turns red."
    metric = None
    to_state = "red"


@TRIGGERS.register_class
class TierUpgrade(TriggerKind[NoParams]):
    key = "tier_upgrade"
    label = "Customer tier upgraded"
    description = "Fires for each open ticket when the customer's tier rises."
    event_kinds = (EventKind.TIER_CHANGED,)

    def evaluate(self, event: TriggerEvent, ctx: TicketContext, params: NoParams) -> Firing | None:
        data = event.data
        if data.get("upgrade") is not True or data.get("from") == data.get("to"):
            return None
        evidence = {"from": data.get("from"), "to": data.get("to")}
        return Firing(
            trigger=self.key,
            occurrence=f"tier:{data.get('tier_change', event.id)}",
            evidence=evidence,
            sentence=self.sentence(evidence),
        )

    def sentence(self, evidence: Mapping[str, Any]) -> str:
        return (
            f"The customer's tier was upgraded from {evidence.get('from')} to {evidence.get('to')}."
        )


@TRIGGERS.register_class
class RefundThreshold(TriggerKind[RefundThresholdParams]):
    key = "refund_threshold"
    label = "Refund at or over a threshold"
    description = (
        "Fires on a refund request of at least the amount. Requests in another currency are "
        "converted with the team's exchange rate in force on the request's date (direct or "
        "inverse); with no such rate they are not compared, and the rule health report counts "
        "them."
    )
    params = ParamSchema(
        (
            AmountParam(
                "amount",
                "Refund threshold",
                "Refund requests of at least this amount fire (e.g. 500.00).",
                required=True,
            ),
            CurrencyParam(
                "currency",
                "Currency",
                "ISO 4217 code of the threshold, e.g. EUR.",
                required=True,
            ),
        )
    )
    event_kinds = (EventKind.REFUND_REQUESTED,)

    def evaluate(
        self, event: TriggerEvent, ctx: TicketContext, params: RefundThresholdParams
    ) -> Firing | None:
        data = event.data
        currency = str(data.get("currency"))
        amount = Decimal(str(data.get("amount"))).quantize(Decimal("0.01"))
        threshold = Decimal(params["amount"])
        compared = amount
        conversion = None
        if currency != params["currency"]:
            conversion = amount_convert(
                amount=amount,
                currency=currency,
                to_currency=params["currency"],
                rates=event.rates,
                on=rate_day(event.created_at),
            )
            if conversion is None:
                return None
            compared = conversion.converted
        if compared < threshold:
            return None
        evidence: dict[str, Any] = {
            "refund": data.get("refund"),
            "amount": str(amount),
            "currency": currency,
            "threshold": str(threshold),
            "threshold_currency": params["currency"],
        }
        if conversion is not None:
            evidence["conversion"] = conversion.evidence()
        return Firing(
            trigger=self.key,
            occurrence=f"refund:{data.get('refund', event.id)}",
            evidence=evidence,
            sentence=self.sentence(evidence),
        )

    def sentence(self, evidence: Mapping[str, Any]) -> str:
        conversion = evidence.get("conversion")
        converted = f" ({Conversion.from_evidence(conversion).words()})" if conversion else ""
        return (
            f"A refund of {evidence.get('amount')} {evidence.get('currency')}{converted} was "
            f"requested (threshold {evidence.get('threshold')} "
            f"{evidence.get('threshold_currency')})."
        )


@TRIGGERS.register_class
class EscalateTag(TriggerKind[NoParams]):
    """The ``escalate`` tag is only added together with a handoff, by the manual escalation
    service (``via_tag=True``), which escalates in the same transaction to the target of the
    first matching enabled ``escalate_tag`` rule (else the team lead). Such tag events carry
    ``"handoff": true`` and do not fire again here; a tag added any other way (an import writing
    events directly) fires the rule like any other trigger."""

    key = "escalate_tag"
    label = "Agent tagged 'escalate'"
    description = (
        "An agent adds the 'escalate' tag with a handoff note; the first matching rule picks "
        "the target of tag escalations."
    )
    event_kinds = (EventKind.TAGS_CHANGED,)

    def evaluate(self, event: TriggerEvent, ctx: TicketContext, params: NoParams) -> Firing | None:
        if ESCALATE_TAG not in (event.data.get("added") or []) or event.data.get("handoff"):
            return None
        evidence = {"tag": ESCALATE_TAG}
        return Firing(
            trigger=self.key,
            occurrence=f"event:{event.id}",
            evidence=evidence,
            sentence=self.sentence(evidence),
        )

    def sentence(self, evidence: Mapping[str, Any]) -> str:
        # The escalate action writes its own sentence; what fires here is a tag that came
        # without a handoff (an import, an event written directly).
        return (
            "The ticket was tagged 'escalate' without a handoff note (not by the escalate action)."
        )


@TRIGGERS.register_class
class TicketCreated(TriggerKind[NoParams]):
    """Routing rules: on creation, pick the queue and assignee (first matching rule wins)."""

    key = "ticket_created"
    label = "Ticket created (routing)"
    description = "Routing rules run once when a ticket is created."
    event_kinds = (EventKind.TICKET_CREATED,)
    rule_kind = "routing"

    def evaluate(self, event: TriggerEvent, ctx: TicketContext, params: NoParams) -> Firing | None:
        evidence = {"priority": ctx.priority, "tier": ctx.tier, "tags": sorted(ctx.tags)}
        return Firing(
            trigger=self.key,
            occurrence=f"created:{ctx.ticket_id}",
            evidence=evidence,
            sentence=self.sentence(evidence),
        )

    def sentence(self, evidence: Mapping[str, Any]) -> str:
        return "A new ticket arrived."


# Escalations no rule trigger raises: an agent's manual escalation, and the engine's own
# re-escalation of an escalation nobody acknowledged in time.
ESCALATION_ORIGINS: dict[str, str] = {
    "manual": "Manual escalation",
    "unacknowledged": "Not acknowledged in time",
}


def rule_trigger_kinds() -> list[TriggerKind[Any]]:
    """Trigger kinds an escalation rule may use (``manual`` and ``unacknowledged`` are raised by
    the engine itself; routing triggers belong to routing rules)."""
    return [trigger for trigger in TRIGGERS if trigger.rule_kind == "escalation"]


RULE_TRIGGER_KINDS: tuple[str, ...] = tuple(trigger.key for trigger in rule_trigger_kinds())


def escalation_trigger_choices() -> list[tuple[str, str]]:
    """Every value ``Escalation.trigger`` may hold: the registry's escalation kinds (routing
    triggers never escalate), then the origins."""
    kinds = [(t.key, t.label) for t in rule_trigger_kinds()]
    return kinds + list(ESCALATION_ORIGINS.items())
