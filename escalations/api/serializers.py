"""Shapes of the escalation-engine resources (contract v1). Validation only; writes go to the
audited services in ``escalations.api.services`` and the engine's services and validators."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from escalations.delivery.webhooks import WEBHOOK_EVENTS
from escalations.engine.conditions import (
    CONDITION_FIELDS,
    conditions_clean,
)
from escalations.engine.params import SecretUrlParam
from escalations.engine.targets import (
    TARGET_KINDS,
    target_clean,
    target_param_names,
    target_params,
)
from escalations.engine.triggers import RULE_TRIGGER_KINDS, rule_trigger_kinds
from escalations.feedback.models import FEEDBACK_COMMENT_MAX_LENGTH
from escalations.feedback.selectors import feedback_editable_until
from escalations.models import (
    EXCHANGE_RATE_MAX,
    EXCHANGE_RATE_MIN,
    AuditEvent,
    Calendar,
    Delivery,
    DeliveryAttempt,
    Escalation,
    EscalationFeedback,
    ExchangeRate,
    FeedbackReason,
    Rule,
    RuleKind,
    SLAMetric,
    SLAPolicy,
    Target,
    Webhook,
)
from escalations.outbound import outbound_url_validator
from escalations.services import rule_clean
from escalations.sla.validators import calendar_clean, sla_policy_clean
from kimondesk.api.ids import IdRelatedField
from kimondesk.api.serializers import ModelSerializer
from kimondesk.api.validators import json_nul_free
from kimondesk.bounds import ESCALATION_QUESTION_MAX_CHARS, MINUTES_MAX
from tickets.currencies import ISO_4217_CODES
from tickets.models import Note, Priority, Team, Tier


class TeamOwnedSerializer(ModelSerializer):
    """Rows owned by a team: a lead may only use their own team (the default); admins any or
    none (global)."""

    serializer_related_field = IdRelatedField
    team = IdRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)

    def _actor(self) -> Any:
        return self.context["request"].user

    def validate_team(self, team: Team | None) -> Team | None:
        actor = self._actor()
        if not actor.is_superuser and (team is None or team.pk != actor.team_id):
            raise serializers.ValidationError("Leads can only use their own team.")
        return team

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        actor = self._actor()
        creating = self.instance is None or self.instance.pk is None
        if creating and "team" not in attrs and not actor.is_superuser:
            attrs["team"] = actor.team
        return attrs


# --- Notes and escalations (read) -----------------------------------------------------------
class SummaryNoteSerializer(ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "body", "kind", "pinned", "created_at"]
        read_only_fields = fields


class HandoffSerializer(serializers.Serializer):
    tried = serializers.CharField(source="handoff_tried")
    diagnosis = serializers.CharField(source="handoff_diagnosis")
    authority_needed = serializers.CharField(source="handoff_authority_needed")
    complete = serializers.BooleanField(source="handoff_complete")


class FeedbackSerializer(ModelSerializer):
    reason = serializers.ChoiceField(
        choices=FeedbackReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty when no reason was given.",
    )
    editable_until = serializers.SerializerMethodField(
        help_text="Until when the author may still change it (ESCALATION_FEEDBACK_EDIT_HOURS)."
    )

    class Meta:
        model = EscalationFeedback
        fields = [
            "needed",
            "reason",
            "comment",
            "author",
            "created_at",
            "updated_at",
            "editable_until",
        ]
        read_only_fields = fields

    def get_editable_until(self, feedback: EscalationFeedback) -> datetime:
        return feedback_editable_until(feedback=feedback)


class QuestionInputSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=ESCALATION_QUESTION_MAX_CHARS,
        help_text=f"The question, at most {ESCALATION_QUESTION_MAX_CHARS} characters; not blank.",
    )


class FeedbackInputSerializer(serializers.Serializer):
    needed = serializers.BooleanField(help_text="Was the escalation needed?")
    reason = serializers.ChoiceField(
        choices=FeedbackReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional. `needed_authority` goes with needed=true; `first_level`, "
        "`wrong_team`, `customer_not_upset` and `duplicate` with needed=false.",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=FEEDBACK_COMMENT_MAX_LENGTH,
        help_text=f"Optional, at most {FEEDBACK_COMMENT_MAX_LENGTH} characters.",
    )


class EscalationSerializer(ModelSerializer):
    handoff = HandoffSerializer(source="*", read_only=True)
    feedback = serializers.SerializerMethodField(
        help_text="The receiver's judgement (null until given)."
    )
    sla = serializers.JSONField(
        source="sla_snapshot", read_only=True, help_text="The ticket's SLA when it was escalated."
    )
    summary_note = SummaryNoteSerializer(read_only=True, allow_null=True)
    evidence = serializers.JSONField(read_only=True)
    route_notes = serializers.JSONField(read_only=True)

    class Meta:
        model = Escalation
        fields = [
            "id",
            "ticket",
            "trigger",
            "rule",
            "rule_name",
            "initiated_by",
            "from_agent",
            "to_agent",
            "from_queue",
            "to_queue",
            "target",
            "parent",
            "chain_position",
            "evidence",
            "handoff",
            "sla",
            "route_notes",
            "summary_note",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_on_behalf_of",
            "feedback",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FeedbackSerializer(allow_null=True))
    def get_feedback(self, escalation: Escalation) -> dict[str, Any] | None:
        try:
            feedback = escalation.feedback
        except EscalationFeedback.DoesNotExist:
            return None
        return dict(FeedbackSerializer(feedback).data)


def escalation_read_queryset() -> QuerySet[Escalation]:
    return Escalation.objects.select_related("summary_note", "feedback")


# --- Targets --------------------------------------------------------------------------------
def _kinds_using(name: str) -> str:
    return ", ".join(f"`{kind.key}`" for kind in TARGET_KINDS if name in kind.params.names())


class TargetSerializerBase(TeamOwnedSerializer):
    """A target with its kind's params (``Target`` columns declared by the kind's
    ``ParamSchema``): checked together by the kind's schema (``validate``), as in the console."""

    has_slack_webhook_url = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = [
            "id",
            "name",
            "kind",
            "team",
            *target_param_names(),
            "has_slack_webhook_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        extra_kwargs = {
            name: {"help_text": f"{param.help_text} Only for kind {_kinds_using(name)}."}
            for name, param in target_params().items()
        }

    def get_has_slack_webhook_url(self, target: Target) -> bool:
        return bool(target.slack_webhook_url)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        names = target_param_names()
        fields = ("kind", "team", "name", *names)
        values = {f: getattr(self.instance, f) for f in fields if self.instance is not None}
        candidate = Target(**(values | {f: v for f, v in attrs.items() if f in fields}))
        if candidate.kind:
            # What the request sets; values left from an earlier kind are emptied.
            given = {name for name in names if attrs.get(name) not in (None, "")}
            target_clean(target=candidate, given=given)
            attrs.update({name: getattr(candidate, name) for name in names})
        return attrs


def target_param_field(param: SecretUrlParam) -> serializers.Field:
    """The API field of a declared secret param: write-only, checked by its kind's schema."""
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=param.max_length,
        help_text=f"{param.help_text} Only for kind {_kinds_using(param.name)}. Write-only.",
    )


TargetSerializer = type(
    "TargetSerializer",
    (TargetSerializerBase,),
    {
        "__module__": __name__,
        "__doc__": TargetSerializerBase.__doc__,
        **{
            name: target_param_field(param)
            for name, param in target_params().items()
            if isinstance(param, SecretUrlParam)
        },
    },
)


def target_kinds_openapi_schema() -> list[dict[str, Any]]:
    """One branch per target kind: its declared params (required ones required), the other
    kinds' params empty or left out."""
    params = target_params()
    return [
        {
            "title": kind.label,
            "description": f"Parameters: {kind.params.describe()}",
            "type": "object",
            "properties": {
                # A pattern, not an enum: the document's enum hook would widen it to every kind.
                "kind": {"type": "string", "pattern": f"^{re.escape(kind.key)}$"},
                **{
                    name: (
                        params[name].json_schema()
                        if name in kind.params.names()
                        else params[name].unused_json_schema()
                    )
                    for name in params
                },
            },
            "required": ["kind", *(p.name for p in kind.params if p.required)],
        }
        for kind in TARGET_KINDS
    ]


class TargetSerializerSchema(OpenApiSerializerExtension):
    """The target's request body in the OpenAPI document: one branch per target kind, from the
    kinds' declared params (a partial update names the kind's params in the description)."""

    target_class = TargetSerializer

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        if getattr(self.target, "partial", False):
            schema["description"] = "Kinds and their parameters: " + " ".join(
                f"`{kind.key}`: {kind.params.describe()}" for kind in TARGET_KINDS
            )
        else:
            schema["oneOf"] = target_kinds_openapi_schema()
        return schema


# --- Rules ----------------------------------------------------------------------------------
def trigger_openapi_schema() -> dict[str, Any]:
    """One object schema per escalation trigger kind, its params from the declared schema."""
    return {
        "oneOf": [
            {
                "title": trigger.label,
                "description": f"{trigger.description} Parameters: {trigger.params.describe()}",
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": [trigger.key]},
                    "params": trigger.params.json_schema(),
                },
                "required": ["kind"],
                "additionalProperties": False,
            }
            for trigger in rule_trigger_kinds()
        ]
    }


@extend_schema_field(trigger_openapi_schema())
class TriggerSerializer(serializers.Serializer):
    """``kind`` and its ``params``; the params are checked by the kind's declared schema (in
    ``RuleSerializer.validate``, through the engine, as in the console)."""

    kind = serializers.ChoiceField(choices=RULE_TRIGGER_KINDS, source="trigger_kind")
    params = serializers.DictField(
        source="trigger_params", required=False, default=dict, validators=[json_nul_free]
    )


def conditions_openapi_schema() -> dict[str, Any]:
    """A list of conditions; each item one of the condition fields' declared schemas."""
    return {
        "type": "array",
        "items": {
            "oneOf": [option for f in CONDITION_FIELDS for option in f.json_schema()["oneOf"]]
        },
    }


@extend_schema_field(conditions_openapi_schema())
class ConditionsField(serializers.JSONField):
    """A list of ``{"field", "op", "value"}``, checked by the engine's condition language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("default", list)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return conditions_clean(json_nul_free(super().to_internal_value(data)))


# What the API takes from the engine's ``rule_clean`` (kind and team are the serializer's own).
RULE_CLEANED_FIELDS = ("trigger_kind", "trigger_params", "conditions", "target")


class RuleSerializer(TeamOwnedSerializer):
    trigger = TriggerSerializer(source="*")
    conditions = ConditionsField()
    target = IdRelatedField(queryset=Target.objects.all(), help_text="Where the escalation goes.")

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "enabled",
            "order",
            "team",
            "trigger",
            "conditions",
            "target",
            "cooldown_minutes",
            "ack_limit_minutes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        instance = self.instance

        def current(field: str, default: Any) -> Any:
            return attrs.get(field, getattr(instance, field) if instance else default)

        try:
            cleaned = rule_clean(
                kind=RuleKind.ESCALATION,
                trigger_kind=current("trigger_kind", ""),
                trigger_params=current("trigger_params", {}),
                conditions=current("conditions", []),
                target=current("target", None),
                team=current("team", None),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_rule_errors(exc)) from exc
        return attrs | {key: cleaned[key] for key in RULE_CLEANED_FIELDS}


def _rule_errors(exc: Any) -> dict[str, list[str]]:
    """Engine errors keyed ``trigger_kind``/``trigger_params`` belong to ``trigger``."""
    if not hasattr(exc, "error_dict"):
        return {"non_field_errors": list(exc.messages)}
    errors: dict[str, list[str]] = {}
    for field, messages in exc.message_dict.items():
        key = "trigger" if field in ("trigger_kind", "trigger_params") else field
        errors.setdefault("non_field_errors" if key == "__all__" else key, []).extend(messages)
    return errors


class BacktestHitSerializer(serializers.Serializer):
    """A hit on a ticket the caller may not see keeps its id and time, not its subject or
    evidence (as in the admin's rule preview). The view passes ``visible_tickets``."""

    ticket = serializers.IntegerField(source="ticket_id")
    subject = serializers.CharField(help_text="Empty for a ticket you may not see.")
    at = serializers.DateTimeField()
    trigger = serializers.CharField()
    evidence = serializers.JSONField(help_text="Empty for a ticket you may not see.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data["ticket"] not in self.context.get("visible_tickets", ()):
            data["subject"], data["evidence"] = "", {}
        return data


class JudgedEscalationSerializer(serializers.Serializer):
    """A past escalation and its feedback; the comment is empty for a ticket you may not see."""

    escalation = serializers.IntegerField(source="escalation_id")
    ticket = serializers.IntegerField(source="ticket_id")
    at = serializers.DateTimeField()
    needed = serializers.BooleanField()
    reason = serializers.CharField()
    comment = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if data["ticket"] not in self.context.get("visible_tickets", ()):
            data["comment"] = ""
        return data


class BacktestJudgedSerializer(serializers.Serializer):
    made = serializers.IntegerField(
        help_text="Hits matching an escalation actually made in the window (same ticket and "
        "occurrence)."
    )
    judged = serializers.IntegerField(help_text="Of those, how many have receiver feedback.")
    needed = serializers.IntegerField(help_text="Of those, how many were judged needed.")
    unnecessary_count = serializers.SerializerMethodField()
    unnecessary = JudgedEscalationSerializer(
        many=True, help_text="Escalations the rule would make that were judged not needed."
    )
    missed_needed = JudgedEscalationSerializer(
        many=True,
        help_text="This rule's escalations of the window judged needed that it would no longer "
        "make.",
    )

    def get_unnecessary_count(self, judged: Any) -> int:
        return len(judged.unnecessary)


class BacktestSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule_id")
    days = serializers.IntegerField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    tickets_evaluated = serializers.IntegerField()
    hit_count = serializers.SerializerMethodField()
    hits = BacktestHitSerializer(many=True)
    judged = BacktestJudgedSerializer(help_text="Receivers' feedback set beside the hits.")

    def get_hit_count(self, result: Any) -> int:
        return len(result.hits)


class BacktestQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30)


# --- Calendars ------------------------------------------------------------------------------
@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "09:00"}
)
class ClockTimeField(serializers.TimeField):
    """A wall-clock time as ``HH:MM`` (documented as such, not as the ``time`` format, which
    would need seconds and an offset)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", input_formats=["%H:%M"], **kwargs)


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday.")
    start = ClockTimeField()
    end = ClockTimeField(
        help_text="Exclusive; 00:00 = midnight; before `start` = an overnight span.",
    )


class HolidayDatesField(serializers.ListField):
    """Reads a calendar's ``Holiday`` rows as plain ISO dates."""

    def to_representation(self, data: Any) -> list[str | None]:
        rows = data.all() if hasattr(data, "all") else data
        return [getattr(row, "date", row).isoformat() for row in rows]


class CalendarSerializer(TeamOwnedSerializer):
    timezone = serializers.CharField(max_length=64, default="UTC", help_text="IANA zone name.")
    hours = OpeningHoursSerializer(many=True, required=False)
    holiday_country = serializers.CharField(
        max_length=2,
        allow_null=True,
        required=False,
        help_text="ISO 3166 code whose public holidays close the calendar, or null.",
    )
    holidays = HolidayDatesField(
        child=serializers.DateField(), required=False, help_text="Extra closed dates."
    )

    class Meta:
        model = Calendar
        fields = [
            "id",
            "name",
            "team",
            "timezone",
            "hours",
            "holiday_country",
            "holiday_subdivision",
            "holidays",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_holiday_country(self, value: str | None) -> str:
        return value or ""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        calendar = self.instance if self.instance is not None and self.instance.pk else None

        def current(field: str, default: Any) -> Any:
            if field in attrs:
                return attrs[field]
            return getattr(calendar, field) if calendar is not None else default

        hours = attrs.get("hours")
        if hours is None:
            hours = [
                {"weekday": h.weekday, "start": h.start, "end": h.end}
                for h in (calendar.hours.all() if calendar is not None else [])
            ]
        holidays = attrs.get("holidays")
        if holidays is None:
            holidays = [h.date for h in (calendar.holidays.all() if calendar is not None else [])]
        cleaned = calendar_clean(
            name=current("name", ""),
            timezone=current("timezone", "UTC"),
            hours=[dict(h) for h in hours],
            holiday_country=current("holiday_country", ""),
            holiday_subdivision=current("holiday_subdivision", ""),
            holidays=holidays,
            instance=calendar,
        )
        for field in ("name", "timezone", "holiday_country", "holiday_subdivision"):
            attrs[field] = cleaned[field]
        for field in ("hours", "holidays"):
            if field in attrs:
                attrs[field] = cleaned[field]
        return attrs

    def to_representation(self, calendar: Calendar) -> dict[str, Any]:
        data = super().to_representation(calendar)
        data["holiday_country"] = calendar.holiday_country or None
        return data


# --- SLA policies ---------------------------------------------------------------------------
class SLATargetSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=SLAMetric.choices)
    priority = serializers.ChoiceField(choices=Priority.choices, allow_null=True, default=None)
    tier = serializers.ChoiceField(choices=Tier.choices, allow_null=True, default=None)
    minutes = serializers.IntegerField(min_value=1, max_value=MINUTES_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Defaults are skipped inside a PATCH: a target without priority/tier means "any".
        return {"priority": None, "tier": None} | attrs


class SLAPolicySerializer(TeamOwnedSerializer):
    conditions = ConditionsField()
    calendar = IdRelatedField(queryset=Calendar.objects.all(), allow_null=True, required=False)
    amber_percent = serializers.IntegerField(min_value=1, max_value=99, default=75)
    targets = SLATargetSerializer(many=True, required=False)

    class Meta:
        model = SLAPolicy
        fields = [
            "id",
            "name",
            "team",
            "enabled",
            "order",
            "conditions",
            "calendar",
            "amber_percent",
            "targets",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        policy = self.instance if self.instance is not None and self.instance.pk else None

        def current(field: str, default: Any) -> Any:
            if field in attrs:
                return attrs[field]
            return getattr(policy, field) if policy is not None else default

        targets = attrs.get("targets")
        if targets is None:
            targets = [
                {"metric": t.metric, "priority": t.priority, "tier": t.tier, "minutes": t.minutes}
                for t in (policy.targets.all() if policy is not None else [])
            ]
        cleaned = sla_policy_clean(
            name=current("name", ""),
            conditions=current("conditions", []),
            targets=[dict(t) for t in targets],
            order=current("order", 100),
            calendar=current("calendar", None),
            amber_percent=current("amber_percent", 75),
        )
        for field in ("name", "conditions", "order", "calendar", "amber_percent"):
            attrs[field] = cleaned[field]
        if "targets" in attrs:
            attrs["targets"] = cleaned["targets"]
        return attrs


# --- Audit log ------------------------------------------------------------------------------
class AuditEventSerializer(ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "kind",
            "actor",
            "actor_label",
            "ticket",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "data",
            "created_at",
        ]
        read_only_fields = fields


# --- Webhooks -------------------------------------------------------------------------------
class WebhookSerializer(TeamOwnedSerializer):
    url = serializers.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"]), outbound_url_validator],
        help_text="Where deliveries are POSTed: http(s) on a public address.",
    )
    events = serializers.MultipleChoiceField(choices=WEBHOOK_EVENTS, allow_empty=False)

    class Meta:
        model = Webhook
        fields = ["id", "url", "team", "events", "enabled", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]

    def to_representation(self, webhook: Webhook) -> dict[str, Any]:
        data = super().to_representation(webhook)
        data["events"] = sorted(webhook.events)
        return data


class WebhookCreatedSerializer(WebhookSerializer):
    """The create response: the only time ``secret`` is shown."""

    secret = serializers.CharField(
        read_only=True, help_text="HMAC-SHA256 key of X-KimonDesk-Signature; shown only now."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["status_code", "error", "retry_after_seconds", "duration_ms", "created_at"]
        read_only_fields = fields


class WebhookDeliverySerializer(ModelSerializer):
    payload = serializers.JSONField()
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event",
            "payload",
            "status",
            "attempts",
            "response_code",
            "next_attempt_at",
            "sent_at",
            "created_at",
            "attempt_log",
        ]
        read_only_fields = fields


# --- Exchange rates ----------------------------------------------------------------------------
def currency_code(value: str) -> str:
    """An ISO 4217 code in capitals (``usd`` reads as ``USD``), else a 400 on the field."""
    code = value.strip().upper()
    if code not in ISO_4217_CODES:
        raise serializers.ValidationError(
            f"'{value}' is not an ISO 4217 currency code (e.g. EUR, USD)."
        )
    return code


class ExchangeRateSerializer(TeamOwnedSerializer):
    base = serializers.CharField(
        max_length=3, help_text="ISO 4217 code of the currency converted from, e.g. EUR."
    )
    quote = serializers.CharField(
        max_length=3, help_text="ISO 4217 code of the currency converted to, e.g. USD."
    )
    rate = serializers.DecimalField(
        max_digits=16,
        decimal_places=6,
        min_value=EXCHANGE_RATE_MIN,
        max_value=EXCHANGE_RATE_MAX,
        help_text=(
            f"Units of the quote currency one unit of the base buys, from {EXCHANGE_RATE_MIN} "
            f"to {EXCHANGE_RATE_MAX}, at most six decimals."
        ),
    )
    valid_from = serializers.DateField(
        help_text="The rate applies to refunds requested on or after this date (UTC)."
    )

    class Meta:
        model = ExchangeRate
        fields = ["id", "team", "base", "quote", "rate", "valid_from", "created_by", "created_at"]
        read_only_fields = ["created_by", "created_at"]
        # The unique (team, pair, date) constraint is checked by the model, naming the field.
        validators: list[Any] = []

    def validate_base(self, value: str) -> str:
        return currency_code(value)

    def validate_quote(self, value: str) -> str:
        return currency_code(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("base") is not None and attrs.get("base") == attrs.get("quote"):
            raise serializers.ValidationError(
                {"quote": ["The quote currency must differ from the base currency."]}
            )
        return attrs
