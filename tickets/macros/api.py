"""``/api/v1/macros/``: team and personal macros, their text rendered for a ticket, and a reply
sent from one. Thin adapters over ``tickets.macros.selectors`` and ``services``; documented in
``docs/macros.md``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from kimondesk.api.idempotency import idempotent
from kimondesk.api.ids import IdRelatedField
from kimondesk.api.serializers import ModelSerializer
from kimondesk.api.viewsets import ApiViewSet
from kimondesk.bounds import (
    MACRO_SEARCH_MAX_CHARS,
    MACRO_TAGS_MAX_COUNT,
    MESSAGE_BODY_MAX_CHARS,
    TAG_MAX_CHARS,
)
from tickets.api.serializers import MessageSerializer
from tickets.models import Team, Ticket
from tickets.selectors import tickets_visible_to

from .models import MACRO_CONTENT_FIELDS, Macro
from .placeholders import placeholders_used
from .selectors import macro_render_for, macros_usable_on, macros_visible_to
from .services import macro_apply, macro_delete, macro_save

SCOPES = ("team", "personal")


class MacroSerializer(ModelSerializer):
    team = IdRelatedField(
        queryset=Team.objects.all(),
        allow_null=True,
        required=False,
        help_text="A team macro's team (set only when creating; leads: their own team). "
        "Leave out or null for a personal macro.",
    )
    scope = serializers.SerializerMethodField(help_text="`team` or `personal`.")
    add_tags = serializers.ListField(
        child=serializers.SlugField(max_length=TAG_MAX_CHARS),
        required=False,
        max_length=MACRO_TAGS_MAX_COUNT,
        help_text="Tags added when a reply is sent from the macro (never `escalate`).",
    )
    placeholders = serializers.SerializerMethodField(
        help_text="The placeholders the reply text uses, in order."
    )

    class Meta:
        model = Macro
        fields = [
            "id",
            "name",
            "scope",
            "team",
            "owner",
            *MACRO_CONTENT_FIELDS,
            "placeholders",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["owner", "created_at", "updated_at"]
        # The unique names per team and per owner are checked by the model in ``macro_save``.
        validators: list[Any] = []

    def get_scope(self, macro: Macro) -> str:
        return "personal" if macro.is_personal else "team"

    def get_placeholders(self, macro: Macro) -> list[str]:
        return placeholders_used(macro.body)

    def validate_team(self, team: Team | None) -> Team | None:
        if self.instance is not None and team != self.instance.team:
            raise serializers.ValidationError("A macro's team is set when it is created.")
        actor = self.context["request"].user
        own_lead = actor.is_lead and team is not None and team.pk == actor.team_id
        if team is not None and not actor.is_superuser and not own_lead:
            raise serializers.ValidationError(
                "Only the team's lead (or an admin) keeps team macros; leave team out for a "
                "personal macro."
            )
        return team


class MacroRenderQuerySerializer(serializers.Serializer):
    ticket = serializers.IntegerField(min_value=1, help_text="The ticket to fill the text in for.")


class MacroApplySerializer(serializers.Serializer):
    ticket = serializers.IntegerField(min_value=1, help_text="The ticket to reply on.")
    body = serializers.CharField(
        max_length=MESSAGE_BODY_MAX_CHARS,
        help_text="The reply as the agent edited it (start from `render`'s `text`).",
    )


MacroRenderingSerializer = inline_serializer(
    "MacroRendering",
    {
        "macro": serializers.IntegerField(),
        "ticket": serializers.IntegerField(),
        "text": serializers.CharField(help_text="The reply text, placeholders filled in."),
        "missing": serializers.ListField(
            child=serializers.CharField(),
            help_text="Placeholders with no value on this ticket (left as `[label]` gaps).",
        ),
        "actions": serializers.ListField(child=serializers.CharField()),
        "note": serializers.CharField(help_text="The internal note, filled in (or empty)."),
    },
)
MacroAppliedSerializer = inline_serializer(
    "MacroApplied",
    {
        "macro": serializers.IntegerField(),
        "ticket": serializers.IntegerField(),
        "use": serializers.IntegerField(help_text="The use record."),
        "message": MessageSerializer(),
    },
)


@extend_schema_view(
    list=extend_schema(
        description="Macros you can read: your team's and your personal ones (admins: every "
        "team's). Filter with `scope` (`team`/`personal`) and `search` (name contains).",
    ),
    render=extend_schema(
        parameters=[MacroRenderQuerySerializer],
        responses=MacroRenderingSerializer,
        description="The macro's text filled in for a ticket you can see; writes nothing. 404 "
        "for a macro you may not use on that ticket (another team's).",
    ),
    apply=extend_schema(
        request=MacroApplySerializer,
        responses={201: MacroAppliedSerializer},
        description="Send `body` as your reply on `ticket` and apply the macro's actions "
        "through the same checks as a manual edit; the ticket history says `via macro <name>` "
        "and the use is recorded. 404 for a ticket you cannot see or a macro you may not use "
        "on it; nothing is written then.",
    ),
)
class MacroViewSet(
    ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Team macros (written by the team's lead or an admin) and personal macros (their owner)."""

    serializer_class = MacroSerializer
    model = Macro
    ordering_fields = ["name", "id", "updated_at"]
    ordering = ["name", "id"]
    bad_query_actions = ("render",)

    def scoped_queryset(self) -> QuerySet[Macro]:
        macros = macros_visible_to(agent=self.agent)
        if self.action != "list":
            return macros
        scope = self.request.query_params.get("scope")
        if scope is not None and scope not in SCOPES:
            raise serializers.ValidationError({"scope": [f"One of {', '.join(SCOPES)}."]})
        if scope:
            macros = macros.filter(owner__isnull=scope == "team")
        search = self.request.query_params.get("search", "")
        if len(search) > MACRO_SEARCH_MAX_CHARS:
            raise serializers.ValidationError(
                {"search": [f"At most {MACRO_SEARCH_MAX_CHARS} characters."]}
            )
        return macros.filter(name__icontains=search) if search else macros

    def _saved(self, macro: Macro, code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=macro.pk)).data, status=code)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        if values.get("team") is None:
            values["team"] = None
            values["owner"] = self.agent
        macro = macro_save(macro=Macro(), actor=self.agent, values=values)
        return self._saved(macro, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        macro = self.get_object()
        payload = self.get_serializer(macro, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        values = {k: v for k, v in payload.validated_data.items() if k != "team"}
        return self._saved(macro_save(macro=macro, actor=self.agent, values=values), 200)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        macro_delete(macro=self.get_object(), actor=self.agent)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _usable(self, ticket_id: int) -> tuple[Macro, Ticket]:
        macro = self.get_object()
        ticket = (
            tickets_visible_to(agent=self.agent)
            .select_related("customer", "queue__team")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            raise NotFound("No such ticket.")
        if not macros_usable_on(agent=self.agent, ticket=ticket).filter(pk=macro.pk).exists():
            raise NotFound("No such macro for this ticket.")
        return macro, ticket

    @action(detail=True, methods=["get"])
    def render(self, request: Request, pk: str | None = None) -> Response:
        query = MacroRenderQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        macro, ticket = self._usable(query.validated_data["ticket"])
        rendering = macro_render_for(macro=macro, ticket=ticket, agent=self.agent)
        return Response(
            {
                "macro": macro.pk,
                "ticket": ticket.pk,
                "text": rendering.reply.text,
                "missing": list(rendering.reply.missing),
                "actions": rendering.actions,
                "note": rendering.note.text if rendering.note else "",
            }
        )

    @action(detail=True, methods=["post"])
    @idempotent
    def apply(self, request: Request, pk: str | None = None) -> Response:
        payload = MacroApplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        macro, ticket = self._usable(payload.validated_data["ticket"])
        try:
            applied = macro_apply(
                macro=macro, ticket=ticket, actor=self.agent, body=payload.validated_data["body"]
            )
        except PermissionDenied:
            raise NotFound("No such macro for this ticket.") from None
        return Response(
            {
                "macro": macro.pk,
                "ticket": ticket.pk,
                "use": applied.use.pk,
                "message": MessageSerializer(applied.message).data,
            },
            status=status.HTTP_201_CREATED,
        )
