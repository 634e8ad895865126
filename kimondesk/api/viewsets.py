"""Base classes of every API viewset: role permissions and idempotent creation."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from tickets.models import Agent

from .idempotency import idempotent
from .ids import id_parse
from .permissions import ANY_AGENT, RoleWritePermission


class ApiViewSet(viewsets.GenericViewSet):
    permission_classes = [RoleWritePermission]
    write_roles = ANY_AGENT
    team_scoped = False
    read_leads_only = False
    conflict_actions: tuple[str, ...] = ()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @property
    def agent(self) -> Agent:
        """The signed-in agent (every view requires authentication)."""
        return cast(Agent, self.request.user)

    def get_object(self) -> Any:
        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if id_parse(lookup) is None:
            raise NotFound()
        return super().get_object()

    def scoped_queryset(self) -> QuerySet[Any]:
        """The rows this agent may see (every subclass defines it)."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define scoped_queryset().")

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation runs without a signed-in agent.
            return self.scoped_queryset_model()._default_manager.none()
        return self.scoped_queryset()

    def scoped_queryset_model(self) -> type[Model]:
        model: type[Model] = getattr(self, "model", None) or self.get_serializer_class().Meta.model  # type: ignore[attr-defined]
        return model


class IdempotentCreateModelMixin(mixins.CreateModelMixin):
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)
