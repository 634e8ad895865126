"""Shapes of the ticket resources (contract v1). Validation only: writes go to the services."""

from __future__ import annotations

from copy import copy
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from escalations.models import ClockState, SLAMetric, Target
from kimondesk.api.ids import IdRelatedField
from kimondesk.api.serializers import ModelSerializer
from kimondesk.api.validators import timezone_validate
from kimondesk.bounds import AMOUNT_MAX, HANDOFF_PART_MAX_CHARS, MESSAGE_BODY_MAX_CHARS
from tickets.mail.models import OutboundMail
from tickets.models import (
    Agent,
    AuthorType,
    Customer,
    Message,
    Note,
    Priority,
    Queue,
    RefundRequest,
    Role,
    Status,
    Team,
    Ticket,
)
from tickets.models import validate_currency as currency_code_validate
from tickets.selectors import (
    queues_visible_to,
    ticket_assignee_choices,
)


class TeamSerializer(ModelSerializer):
    lead = IdRelatedField(queryset=Agent.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Team
        fields = ["id", "name", "lead", "timezone", "default_currency", "created_at"]
        read_only_fields = ["created_at"]

    def validate_timezone(self, value: str) -> str:
        return timezone_validate(value)


class AgentSerializer(ModelSerializer):
    serializer_related_field = IdRelatedField
    password = serializers.CharField(
        write_only=True, style={"input_type": "password"}, trim_whitespace=False
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.JUNIOR)
    is_admin = serializers.BooleanField(source="is_superuser", read_only=True)

    class Meta:
        model = Agent
        fields = [
            "id",
            "username",
            "name",
            "email",
            "team",
            "role",
            "is_admin",
            "is_available",
            "password",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        candidate = Agent(**{k: v for k, v in attrs.items() if k != "password"})
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Agent:
        password = validated_data.pop("password")
        return Agent.objects.create_user(password=password, **validated_data)


class AgentUpdateSerializer(ModelSerializer):
    """What an admin changes on an agent: role, team, availability, active (``PATCH``)."""

    role = serializers.ChoiceField(choices=Role.choices, required=False)
    is_active = serializers.BooleanField(
        required=False, help_text="False deactivates: no sign-in, no API, no escalations."
    )

    class Meta:
        model = Agent
        fields = ["role", "team", "is_available", "is_active"]


class QueueSerializer(ModelSerializer):
    serializer_related_field = IdRelatedField

    class Meta:
        model = Queue
        fields = ["id", "name", "team", "specialist"]

    def validate_team(self, team: Team) -> Team:
        user = self.context["request"].user
        if not user.is_superuser and team.pk != user.team_id:
            raise serializers.ValidationError("Leads create queues for their own team only.")
        return team


class CustomerSerializer(ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "external_id", "name", "email", "tier", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class CustomerUpdateSerializer(ModelSerializer):
    class Meta:
        model = Customer
        fields = ["name", "email", "tier"]
        extra_kwargs = {"name": {"required": False}}


class SLASerializer(serializers.Serializer):
    """The ticket's most urgent SLA clock; every value is null while no policy applies."""

    state = serializers.ChoiceField(choices=ClockState.choices, allow_null=True)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    remaining_seconds = serializers.IntegerField(
        allow_null=True, help_text="Business seconds left (negative once breached)."
    )
    metric = serializers.ChoiceField(choices=SLAMetric.choices, allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class TicketSerializer(ModelSerializer):
    """The ticket read; ``sla`` comes from the SLA selector, batched per page by the view."""

    tags = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "customer",
            "status",
            "priority",
            "queue",
            "assignee",
            "tags",
            "customer_sentiment",
            "escalation_count",
            "version",
            "sla",
            "first_response_at",
            "solved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_tags(self, ticket: Ticket) -> list[str]:
        known: list[str] | None = self.context.get("tag_names", {}).get(ticket.pk)
        return known if known is not None else [tag.name for tag in ticket.tags.all()]

    @extend_schema_field(SLASerializer(allow_null=True))
    def get_sla(self, ticket: Ticket) -> dict[str, Any] | None:
        return self.context.get("sla", {}).get(ticket.pk)


class TicketConflictSerializer(serializers.Serializer):
    """The 409 of a PATCH with a stale ``If-Match``: what happened and the ticket as it is."""

    detail = serializers.CharField()
    current = TicketSerializer()


QUEUE_REQUIRED = "Name one of your team's queues: a ticket outside them is one you cannot see."


def queue_of_own_team(*, user: Agent, queue: Queue | None) -> Queue | None:
    """``queue`` if it is one of the caller's team's queues (admins: any), else a 400."""
    if queue is not None and not queues_visible_to(agent=user).filter(pk=queue.pk).exists():
        raise serializers.ValidationError("You can only use your team's queues.")
    return queue


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=255)
    customer = IdRelatedField(queryset=Customer.objects.all())
    body = serializers.CharField(
        max_length=MESSAGE_BODY_MAX_CHARS,
        help_text=f"The customer's first message (at most {MESSAGE_BODY_MAX_CHARS} characters).",
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    queue = IdRelatedField(
        queryset=Queue.objects.all(), allow_null=True, required=False, default=None
    )
    tags = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, default=list, max_length=50
    )

    def validate_queue(self, queue: Queue | None) -> Queue | None:
        return queue_of_own_team(user=self.context["request"].user, queue=queue)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Only admins file a ticket without a queue: anyone else could never see it again."""
        if attrs.get("queue") is None and not self.context["request"].user.is_superuser:
            raise serializers.ValidationError({"queue": [QUEUE_REQUIRED]})
        return attrs


class TicketUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    assignee = IdRelatedField(
        queryset=Agent.objects.filter(is_active=True), allow_null=True, required=False
    )
    queue = IdRelatedField(queryset=Queue.objects.all(), allow_null=True, required=False)
    tags = serializers.ListField(
        child=serializers.SlugField(max_length=50), required=False, max_length=50
    )

    def validate_queue(self, queue: Queue | None) -> Queue | None:
        """Juniors and seniors move a ticket only between their team's queues, with or without
        an assignee in the same request; a lead may also hand it over to another team's queue
        (admins: any, and only they take a ticket out of every queue)."""
        user = self.context["request"].user
        if queue is None and not user.is_superuser:
            raise serializers.ValidationError(QUEUE_REQUIRED)
        if user.role == Role.LEAD:
            return queue
        return queue_of_own_team(user=user, queue=queue)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The assignee is an active member of the team of the ticket's queue (the new queue when
        it changes too), as on the ticket page: assigning to an outsider would show them the
        ticket. The view passes the ticket as ``context["ticket"]``."""
        assignee = attrs.get("assignee")
        if assignee is None:
            return attrs
        probe = copy(self.context["ticket"])
        if "queue" in attrs:
            probe.queue = attrs["queue"]
        if not ticket_assignee_choices(ticket=probe).filter(pk=assignee.pk).exists():
            raise serializers.ValidationError(
                {"assignee": ["Assign the ticket to an active member of its queue's team."]}
            )
        return attrs


class MessageDeliverySerializer(ModelSerializer):
    """How an agent's reply went out by mail (``tickets/mail/``)."""

    to = serializers.EmailField(source="to_address")

    class Meta:
        model = OutboundMail
        fields = ["state", "to", "attempts", "last_error", "sent_at"]
        read_only_fields = fields


class MessageSerializer(ModelSerializer):
    author_type = serializers.ChoiceField(choices=AuthorType.choices)
    delivery = MessageDeliverySerializer(
        source="outbound_mail",
        read_only=True,
        allow_null=True,
        help_text="Mail delivery of an agent's reply on a ticket whose queue has a mailbox "
        "(queued, sent, or failed with the reason); null otherwise.",
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author_type",
            "author_agent",
            "body",
            "sentiment",
            "sentiment_score",
            "sentiment_reasons",
            "sentiment_language",
            "delivery",
            "created_at",
        ]
        read_only_fields = [
            "ticket",
            "author_agent",
            "sentiment",
            "sentiment_score",
            "sentiment_reasons",
            "sentiment_language",
            "created_at",
        ]


class NoteSerializer(ModelSerializer):
    class Meta:
        model = Note
        fields = ["id", "ticket", "author", "body", "kind", "pinned", "addressed_to", "created_at"]
        read_only_fields = ["ticket", "author", "kind", "addressed_to", "created_at"]


class RefundRequestSerializer(ModelSerializer):
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=AMOUNT_MAX,
        coerce_to_string=True,
    )
    currency = serializers.CharField(
        min_length=3,
        max_length=3,
        required=False,
        help_text="ISO 4217 code; when omitted, the default currency of the ticket's team.",
    )

    class Meta:
        model = RefundRequest
        fields = ["id", "ticket", "amount", "currency", "reason", "requested_by", "created_at"]
        read_only_fields = ["ticket", "requested_by", "created_at"]

    def validate_currency(self, value: str) -> str:
        code = value.upper()
        try:
            currency_code_validate(code)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return code


class EscalateSerializer(serializers.Serializer):
    """The handoff note of a manual escalation: all three parts are required."""

    tried = serializers.CharField(
        max_length=HANDOFF_PART_MAX_CHARS, help_text="What has been tried already."
    )
    diagnosis = serializers.CharField(
        max_length=HANDOFF_PART_MAX_CHARS, help_text="What you think is wrong."
    )
    authority_needed = serializers.CharField(
        max_length=HANDOFF_PART_MAX_CHARS,
        help_text="What the receiver can do that you cannot.",
    )
    target = IdRelatedField(
        queryset=Target.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text=(
            "A target id (your team's or a shared one; a lead's: any team's); default: the lead "
            "of the ticket's team."
        ),
    )
    to_agent = IdRelatedField(
        queryset=Agent.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text=(
            "Instead of `target`: an agent id, a senior or the lead of the ticket's team (a "
            "lead's: also another team's lead), as offered on the escalate page."
        ),
    )
    add_tag = serializers.BooleanField(
        source="via_tag",
        default=False,
        help_text=(
            "Also tag the ticket `escalate` (the only way to add that tag); without `target`, "
            "the first matching `escalate_tag` rule picks the target."
        ),
    )
