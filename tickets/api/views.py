"""Ticket resources of the v1 API: thin adapters over ``tickets.services``/``selectors``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from escalations import services as escalation_services
from escalations.api.serializers import EscalationSerializer, escalation_read_queryset
from escalations.sla.selectors import sla_summaries
from kimondesk.api.conditional import IF_MATCH, etag_for, if_match_version
from kimondesk.api.idempotency import idempotent
from kimondesk.api.ids import id_parse
from kimondesk.api.permissions import ADMIN, LEAD
from kimondesk.api.viewsets import ApiViewSet, IdempotentCreateModelMixin
from tickets import services
from tickets.exceptions import TicketVersionConflict
from tickets.models import (
    Agent,
    AuthorType,
    Customer,
    Message,
    Note,
    Queue,
    RefundRequest,
    Team,
    Ticket,
)
from tickets.selectors import (
    customers_visible_to,
    queues_visible_to,
    teams_visible_to,
    ticket_as_committed,
    ticket_visible_with_queue,
    tickets_visible_to,
)

from . import filters, serializers

TICKET_ID = OpenApiParameter("ticket_id", OpenApiTypes.INT, OpenApiParameter.PATH)
IF_MATCH_HEADER = OpenApiParameter(
    IF_MATCH,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        'The `ETag` of your last read (e.g. `"3"`): the PATCH is refused with 409 if the ticket '
        "changed since. `*` or no header: no check."
    ),
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 409],
    description='The ticket\'s current version as a strong ETag, e.g. `"3"`.',
)


def _etag(ticket: Ticket) -> dict[str, str]:
    return {"ETag": etag_for(version=ticket.version)}


class TeamViewSet(
    ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, IdempotentCreateModelMixin
):
    """Teams; only admins create and change them (``PATCH``: name, lead, time zone, default
    currency; audited as ``team.changed``)."""

    serializer_class = serializers.TeamSerializer
    write_roles = ADMIN
    ordering_fields = ["name", "id", "created_at"]
    ordering = ["name"]

    def scoped_queryset(self) -> QuerySet[Team]:
        return teams_visible_to(agent=self.agent)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = self.get_object()
        payload = self.get_serializer(team, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.team_update(team=team, actor=self.agent, values=dict(payload.validated_data))
        return Response(self.get_serializer(self.get_queryset().get(pk=team.pk)).data)


class AgentViewSet(
    ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, IdempotentCreateModelMixin
):
    """Agents; only admins create them. ``password`` is write-only."""

    serializer_class = serializers.AgentSerializer
    filterset_class = filters.AgentFilter
    write_roles = ADMIN
    ordering_fields = ["username", "name", "id"]
    ordering = ["username"]

    def scoped_queryset(self) -> QuerySet[Agent]:
        if self.agent.is_superuser:
            return Agent.objects.all()
        return Agent.objects.filter(is_active=True)

    @extend_schema(
        request=serializers.AgentUpdateSerializer,
        responses=serializers.AgentSerializer,
        description="Admins change an agent's role, team, availability or active flag "
        "(audited as `agent.changed`). A team's lead keeps team, role and access until the "
        "team has another lead.",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        agent = self.get_object()
        payload = serializers.AgentUpdateSerializer(agent, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.agent_update(agent=agent, actor=self.agent, values=dict(payload.validated_data))
        return Response(serializers.AgentSerializer(self.get_queryset().get(pk=agent.pk)).data)


class QueueViewSet(
    ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, IdempotentCreateModelMixin
):
    """Queues of your team (admins: all); leads create their own team's queues."""

    serializer_class = serializers.QueueSerializer
    filterset_class = filters.QueueFilter
    write_roles = LEAD
    ordering_fields = ["name", "id"]
    ordering = ["team__name", "name"]

    def scoped_queryset(self) -> QuerySet[Queue]:
        return queues_visible_to(agent=self.agent)


@extend_schema_view(
    partial_update=extend_schema(
        request=serializers.CustomerUpdateSerializer,
        responses=serializers.CustomerSerializer,
        description="A PATCH that raises `tier` records a tier upgrade on the customer's open tickets.",
    )
)
class CustomerViewSet(
    ApiViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    IdempotentCreateModelMixin,
    mixins.UpdateModelMixin,
):
    serializer_class = serializers.CustomerSerializer
    filterset_class = filters.CustomerFilter
    ordering_fields = ["name", "id", "created_at", "tier"]
    ordering = ["name", "id"]

    def scoped_queryset(self) -> QuerySet[Customer]:
        return customers_visible_to(agent=self.agent)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        customer = self.get_object()
        payload = serializers.CustomerUpdateSerializer(customer, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        customer = services.customer_update(
            customer=customer, actor=self.agent, **payload.validated_data
        )
        return Response(serializers.CustomerSerializer(customer).data)


@extend_schema_view(
    create=extend_schema(
        request=serializers.TicketCreateSerializer,
        responses={201: serializers.TicketSerializer},
        description="Open a ticket with the customer's first message (`body`).",
    ),
    retrieve=extend_schema(parameters=[ETAG_HEADER]),
    partial_update=extend_schema(
        request=serializers.TicketUpdateSerializer,
        responses={200: serializers.TicketSerializer, 409: serializers.TicketConflictSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
        description=(
            "Change status, priority, assignee, queue or tags; only the fields sent are written. "
            "Adding the tag `escalate` without a handoff note is refused (400 on `tags`): use "
            "`POST .../escalate/`.\n\n"
            "**No lost updates:** send the `ETag` of your last read as `If-Match`. If the ticket "
            "changed since (any write raises its version), the PATCH is refused with 409, nothing "
            "is written, and the body carries the current ticket under `current` (with its "
            "`ETag`). Without `If-Match` (or with `*`) the fields sent are written over whatever "
            "is there; the other fields are left alone."
        ),
    ),
)
class TicketViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Tickets visible to you: your team's queues and what is assigned to you (admins: all)."""

    serializer_class = serializers.TicketSerializer
    filterset_class = filters.TicketFilter
    ordering_fields = ["created_at", "updated_at", "priority", "status", "id", "escalation_count"]
    conflict_actions = ("escalate",)

    @property
    def ordering(self) -> list[str] | None:
        """Newest first, except that search results keep their rank unless ``ordering`` asks."""
        if self.request is not None and self.request.query_params.get("search", "").strip():
            return None
        return ["-created_at", "-id"]

    def scoped_queryset(self) -> QuerySet[Ticket]:
        return tickets_visible_to(agent=self.agent).prefetch_related("tags")

    def _read(
        self, tickets: Any, *, many: bool = False, tag_names: list[str] | None = None
    ) -> serializers.TicketSerializer:
        """``tag_names``: one ticket's tags, already read (else the prefetched tags)."""
        ids = [t.pk for t in tickets] if many else [tickets.pk]
        context = self.get_serializer_context() | {"sla": sla_summaries(ticket_ids=ids)}
        if tag_names is not None:
            context["tag_names"] = {tickets.pk: tag_names}
        return serializers.TicketSerializer(tickets, many=many, context=context)

    def _reread(self, ticket: Ticket) -> tuple[dict[str, Any], dict[str, str]]:
        """The ticket as committed, read back after a write (compiled reads), and its ETag."""
        current, tag_names = ticket_as_committed(ticket_id=ticket.pk)
        return self._read(current, tag_names=tag_names).data, _etag(current)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._read(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()
        return Response(self._read(ticket).data, headers=_etag(ticket))

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = serializers.TicketCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        ticket = services.ticket_create(actor=self.agent, **payload.validated_data)
        data, _ = self._reread(ticket)
        return Response(data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = self.get_object()
        payload = serializers.TicketUpdateSerializer(
            data=request.data, context={**self.get_serializer_context(), "ticket": ticket}
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        expected = if_match_version(request=request)
        try:
            ticket = services.ticket_update(
                ticket=ticket,
                actor=self.agent,
                status=data.get("status"),
                priority=data.get("priority"),
                queue=data.get("queue", ...),
                assignee=data.get("assignee", ...),
                tags=data.get("tags"),
                expected_version=expected,
            )
        except TicketVersionConflict as exc:
            current, etag = self._reread(ticket)
            body = {"detail": str(exc), "current": current}
            return Response(body, status=status.HTTP_409_CONFLICT, headers=etag)
        data, etag = self._reread(ticket)
        return Response(data, headers=etag)

    @extend_schema(
        request=serializers.EscalateSerializer,
        responses={201: EscalationSerializer},
        description=(
            "Escalate by hand with a handoff note (`tried`, `diagnosis`, `authority_needed`, "
            "all non-blank). Without `target` the ticket goes to its team's lead. 409 when there "
            "is nowhere to escalate to or the handoff would bounce straight back."
        ),
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        ticket = self.get_object()
        payload = serializers.EscalateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        escalation = escalation_services.escalation_create_manual(
            ticket=ticket, actor=self.agent, **payload.validated_data
        )
        escalation = escalation_read_queryset().get(pk=escalation.pk)
        return Response(EscalationSerializer(escalation).data, status=status.HTTP_201_CREATED)


class TicketChildViewSet(ApiViewSet, mixins.ListModelMixin):
    """Rows that hang off one visible ticket (``/tickets/{ticket_id}/...``)."""

    ordering_fields = ["created_at", "id"]

    def ticket(self) -> Ticket:
        if not hasattr(self, "_ticket"):
            ticket_id = id_parse(self.kwargs["ticket_id"])
            if ticket_id is None:
                raise NotFound()
            # With its queue: a customer message's live push names the queue's team.
            ticket = ticket_visible_with_queue(agent=self.agent, ticket_id=ticket_id)
            if ticket is None:
                raise Http404("No Ticket matches the given query.")
            self._ticket = ticket
        return self._ticket

    def created(self, obj: Any) -> Response:
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[TICKET_ID]), create=extend_schema(parameters=[TICKET_ID])
)
class MessageViewSet(TicketChildViewSet):
    """Customer-visible messages; customer messages are scored for sentiment."""

    serializer_class = serializers.MessageSerializer
    ordering = ["created_at", "id"]

    def scoped_queryset(self) -> QuerySet[Message]:
        return Message.objects.filter(ticket=self.ticket()).select_related("outbound_mail")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        author_type = payload.validated_data["author_type"]
        message = services.message_add(
            ticket=self.ticket(),
            author_type=author_type,
            body=payload.validated_data["body"],
            author=self.agent if author_type == AuthorType.AGENT else None,
        )
        if author_type == AuthorType.CUSTOMER:
            # A customer's message is never mailed out: no delivery row to read back.
            Message.outbound_mail.related.set_cached_value(message, None)
        return self.created(message)


@extend_schema_view(
    list=extend_schema(parameters=[TICKET_ID]), create=extend_schema(parameters=[TICKET_ID])
)
class NoteViewSet(TicketChildViewSet):
    """Internal notes; escalation summaries are pinned notes of kind `escalation_summary`."""

    serializer_class = serializers.NoteSerializer
    ordering = ["-pinned", "-created_at", "-id"]

    def scoped_queryset(self) -> QuerySet[Note]:
        return Note.objects.filter(ticket=self.ticket())

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.note_add(
            ticket=self.ticket(),
            body=payload.validated_data["body"],
            author=self.agent,
            pinned=payload.validated_data.get("pinned", False),
        )
        return self.created(note)


@extend_schema_view(
    list=extend_schema(parameters=[TICKET_ID]), create=extend_schema(parameters=[TICKET_ID])
)
class RefundRequestViewSet(TicketChildViewSet):
    """Refund requests; each one feeds the refund-threshold trigger."""

    serializer_class = serializers.RefundRequestSerializer
    ordering = ["-created_at", "-id"]

    def scoped_queryset(self) -> QuerySet[RefundRequest]:
        return RefundRequest.objects.filter(ticket=self.ticket())

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        refund = services.refund_request_create(
            ticket=self.ticket(), actor=self.agent, **payload.validated_data
        )
        return self.created(refund)
