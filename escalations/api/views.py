"""Escalation-engine resources of the v1 API: thin adapters over the engine and the audited
configuration services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from escalations import services as escalation_services
from escalations.delivery import webhooks
from escalations.feedback.services import escalation_feedback_give
from escalations.models import (
    AuditEvent,
    Calendar,
    Escalation,
    ExchangeRate,
    Rule,
    SLAPolicy,
    Target,
    Webhook,
)
from escalations.questions import escalation_question_ask
from escalations.selectors import audit_events_visible_to, config_visible_to
from kimondesk.api.idempotency import idempotent
from kimondesk.api.permissions import LEAD
from kimondesk.api.viewsets import ApiViewSet
from tickets.api.serializers import NoteSerializer
from tickets.selectors import ticket_ids_visible_to, tickets_visible_to

from . import filters, serializers, services


@extend_schema_view(
    feedback=extend_schema(
        request=serializers.FeedbackInputSerializer,
        responses={200: serializers.EscalationSerializer, 201: serializers.EscalationSerializer},
        description=(
            "The receiver (or their lead, or an admin) says whether the escalation was needed: "
            "201 when first given, 200 when its author changes it. Others get 403 (404 if they "
            "cannot see the ticket). Only the author may change it, within "
            "ESCALATION_FEEDBACK_EDIT_HOURS (default 24) of giving it; 409 after."
        ),
    ),
    question=extend_schema(
        request=serializers.QuestionInputSerializer,
        responses={201: NoteSerializer},
        description=(
            "Ask the agent who escalated (who held the ticket, when a rule fired) a question: "
            'an internal note on the ticket with `kind: "question"` and `addressed_to` that '
            "agent, who gets an `escalation.question` notification (kept and pushed live). "
            "Anyone who can see the ticket may ask (404 otherwise). 409 when there is nobody to "
            "ask: nobody held the ticket, you escalated it yourself, or the agent can no longer "
            "see the ticket."
        ),
    ),
    acknowledge=extend_schema(
        request=None,
        responses=serializers.EscalationSerializer,
        description=(
            "The receiver (or a lead/admin of the team) acknowledges the handoff. "
            "409 if it was already acknowledged."
        ),
    ),
)
class EscalationViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Escalations of the tickets you can see."""

    serializer_class = serializers.EscalationSerializer
    filterset_class = filters.EscalationFilter
    ordering_fields = ["created_at", "id", "acknowledged_at"]
    ordering = ["-created_at", "-id"]
    conflict_actions = ("acknowledge", "feedback", "question")

    def scoped_queryset(self) -> QuerySet[Escalation]:
        visible = tickets_visible_to(agent=self.agent).values("pk")
        return serializers.escalation_read_queryset().filter(ticket__in=visible)

    @action(detail=True, methods=["post"])
    @idempotent
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        escalation = escalation_services.escalation_acknowledge(
            escalation=self.get_object(), actor=self.agent
        )
        escalation = self.get_queryset().get(pk=escalation.pk)
        return Response(self.get_serializer(escalation).data)

    @action(detail=True, methods=["post"])
    @idempotent
    def question(self, request: Request, pk: str | None = None) -> Response:
        payload = serializers.QuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = escalation_question_ask(
            escalation=self.get_object(), actor=self.agent, body=payload.validated_data["body"]
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def feedback(self, request: Request, pk: str | None = None) -> Response:
        payload = serializers.FeedbackInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        given = escalation_feedback_give(
            escalation=self.get_object(), actor=self.agent, **payload.validated_data
        )
        escalation = self.get_queryset().get(pk=given.feedback.escalation_id)
        code = status.HTTP_201_CREATED if given.created else status.HTTP_200_OK
        return Response(self.get_serializer(escalation).data, status=code)


class AuditedConfigViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Lead/admin-written configuration: every write goes through an audited service."""

    write_roles = LEAD
    team_scoped = True
    save_service: Callable[..., Any]
    delete_service: Callable[..., None] | None = None
    model: type[Any]

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        field = self.model._meta.model_name
        return type(self).save_service(**{field: instance, "actor": self.agent, "values": data})

    def write(self, instance: Any, request: Request, code: int) -> Response:
        payload = self.get_serializer(instance, data=request.data, partial=instance.pk is not None)
        payload.is_valid(raise_exception=True)
        saved = self.save(instance, dict(payload.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=saved.pk)).data, status=code)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(self.model(), request, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.write(self.get_object(), request, status.HTTP_200_OK)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        delete = type(self).delete_service
        assert delete is not None
        field = self.model._meta.model_name
        delete(**{field: instance, "actor": self.agent})
        return Response(status=status.HTTP_204_NO_CONTENT)


class TargetViewSet(AuditedConfigViewSet):
    """Where escalations go. `slack_webhook_url` is write-only."""

    model = Target
    serializer_class = serializers.TargetSerializer
    filterset_class = filters.TargetFilter
    save_service = services.target_save
    delete_service = services.target_delete
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def scoped_queryset(self) -> QuerySet[Target]:
        return config_visible_to(agent=self.agent, queryset=Target.objects.all())


@extend_schema_view(
    backtest=extend_schema(
        parameters=[serializers.BacktestQuerySerializer],
        responses=serializers.BacktestSerializer,
        description="What the rule would have escalated over the last `days` days; writes nothing.",
    )
)
class RuleViewSet(AuditedConfigViewSet):
    """Escalation rules: a trigger, conditions (all must hold; empty = every ticket), a target."""

    model = Rule
    serializer_class = serializers.RuleSerializer
    filterset_class = filters.RuleFilter
    save_service = services.rule_save
    delete_service = services.rule_delete
    ordering_fields = ["order", "name", "id"]
    ordering = ["order", "id"]
    bad_query_actions = ("backtest",)

    def scoped_queryset(self) -> QuerySet[Rule]:
        return config_visible_to(agent=self.agent, queryset=Rule.objects.filter(kind="escalation"))

    @action(detail=True, methods=["get"])
    def backtest(self, request: Request, pk: str | None = None) -> Response:
        rule = self.get_object()
        query = serializers.BacktestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = escalation_services.rule_backtest(rule=rule, days=query.validated_data["days"])
        judged = [*result.judged.unnecessary, *result.judged.missed_needed]
        visible = ticket_ids_visible_to(
            agent=self.agent,
            ticket_ids=[hit.ticket_id for hit in result.hits] + [j.ticket_id for j in judged],
        )
        return Response(
            serializers.BacktestSerializer(result, context={"visible_tickets": visible}).data
        )


class CalendarViewSet(AuditedConfigViewSet):
    """Business-hours calendars (no calendar on a policy = 24/7)."""

    model = Calendar
    serializer_class = serializers.CalendarSerializer
    delete_service = services.calendar_delete
    ordering_fields = ["name", "id"]
    ordering = ["name"]

    def scoped_queryset(self) -> QuerySet[Calendar]:
        calendars = Calendar.objects.prefetch_related("hours", "holidays")
        return config_visible_to(agent=self.agent, queryset=calendars)

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        hours = data.pop("hours", None)
        holidays = data.pop("holidays", None)
        return services.calendar_save(
            calendar=instance, actor=self.agent, values=data, hours=hours, holidays=holidays
        )


class SLAPolicyViewSet(AuditedConfigViewSet):
    """SLA policies: the first enabled policy (by `order`) whose conditions match applies."""

    model = SLAPolicy
    serializer_class = serializers.SLAPolicySerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = ["order", "name", "id"]
    ordering = ["order", "id"]

    def scoped_queryset(self) -> QuerySet[SLAPolicy]:
        policies = SLAPolicy.objects.prefetch_related("targets")
        return config_visible_to(agent=self.agent, queryset=policies)

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        targets = data.pop("targets", None)
        return services.sla_policy_save(
            policy=instance, actor=self.agent, values=data, targets=targets
        )


class ExchangeRateViewSet(AuditedConfigViewSet):
    """Exchange rates that convert refunds into a refund rule's currency: the latest rate on or
    before a refund's date applies (a team's own, else a shared one; direct or inverse). Everyone
    reads their team's and the shared rates; leads add their team's, admins any team's or shared
    ones. Rates are added, never edited: a correction is a rate with a later date; a mistaken
    rate is deleted (a lead their team's, an admin any), and the deletion is audited."""

    model = ExchangeRate
    serializer_class = serializers.ExchangeRateSerializer
    delete_service = services.exchange_rate_delete
    http_method_names = ["get", "post", "delete", "head", "options"]
    ordering_fields = ["valid_from", "id"]
    ordering = ["base", "quote", "-valid_from", "id"]

    def scoped_queryset(self) -> QuerySet[ExchangeRate]:
        return config_visible_to(agent=self.agent, queryset=ExchangeRate.objects.all())

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.exchange_rate_create(
            actor=self.agent,
            team=data.get("team"),
            base=data["base"],
            quote=data["quote"],
            rate=data["rate"],
            valid_from=data["valid_from"],
        )


class AuditEventViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The append-only audit log (leads and admins). Leads see configuration changes and the
    events of tickets they can see."""

    serializer_class = serializers.AuditEventSerializer
    filterset_class = filters.AuditEventFilter
    read_leads_only = True
    http_method_names = ["get", "head", "options"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def scoped_queryset(self) -> QuerySet[AuditEvent]:
        return audit_events_visible_to(agent=self.agent)


@extend_schema_view(
    create=extend_schema(
        request=serializers.WebhookSerializer,
        responses={201: serializers.WebhookCreatedSerializer},
        description="Register a webhook. The response carries `secret`: it is never shown again.",
    ),
    deliveries=extend_schema(
        responses=serializers.WebhookDeliverySerializer(many=True),
        parameters=[OpenApiParameter("status", str, enum=["pending", "sent", "failed"])],
    ),
)
class WebhookViewSet(AuditedConfigViewSet):
    """Outbound webhooks (leads: their team's; admins: all, including global ones)."""

    model = Webhook
    serializer_class = serializers.WebhookSerializer
    read_leads_only = True
    delete_service = webhooks.webhook_delete
    ordering_fields = ["id", "created_at"]
    ordering = ["id"]

    def scoped_queryset(self) -> QuerySet[Webhook]:
        user = self.agent
        hooks = Webhook.objects.all()
        if user.is_superuser:
            return hooks
        return hooks.filter(team_id=user.team_id) if user.team_id else hooks.none()

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        if "events" in data:
            data["events"] = list(data["events"])
        if instance.pk is None:
            return webhooks.webhook_create(actor=self.agent, **data)
        return webhooks.webhook_update(webhook=instance, actor=self.agent, values=data)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        webhook = self.save(Webhook(), dict(payload.validated_data))
        data = serializers.WebhookCreatedSerializer(
            webhook, context=self.get_serializer_context()
        ).data
        return Response(data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        webhook = self.get_object()
        rows = webhook.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
        wanted = request.query_params.get("status")
        if wanted in ("pending", "sent", "failed"):
            rows = rows.filter(status=wanted)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            serializers.WebhookDeliverySerializer(page, many=True).data
        )
