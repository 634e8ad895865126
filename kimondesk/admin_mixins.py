"""Console building blocks for every app's admin: role-based permissions, team scoping,
read-only pages, audited saves, history and revert.

Permissions come from the agent's role, not from Django's permission tables or ``is_staff``:
admins (superusers) manage everything; an active team lead sees and edits only their own team's
configuration; seniors and juniors never reach the console (``kimondesk.console``). Audited saves
and reverts go through the configuration audit (``escalations.audit.config``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from escalations.audit import SECRET_FIELDS
from escalations.audit.config import (
    config_change_record,
    config_editable_by,
    config_revert,
    config_snapshot,
)
from escalations.audit.history import config_history
from escalations.models import AuditEvent
from tickets.models import Role, Team

if TYPE_CHECKING:
    from tickets.models import Agent

AUDIT_BEFORE_ATTR = "_kimondesk_audit_before"


def lead_team_id(request: HttpRequest) -> int | None:
    """The team of a signed-in, active lead; None for anyone else."""
    user = request.user
    if not (user.is_authenticated and user.is_active):
        return None
    agent: Agent = user
    return agent.team_id if agent.role == Role.LEAD else None


def viewer_timezone(request: HttpRequest) -> str:
    """The time zone dates are shown in to the signed-in agent: their team's (UTC without one)."""
    agent: Agent = request.user  # type: ignore[assignment]
    team = agent.team if agent.is_authenticated and agent.team_id else None
    return team.timezone if team else "UTC"


def object_missing_redirect(request: HttpRequest, opts: Any, object_id: str) -> HttpResponse:
    """The admin's answer to an id the user may not see: back to the index, as Django does."""
    messages.warning(
        request,
        f"{str(opts.verbose_name).capitalize()} with ID “{object_id}” does not exist. "
        "Perhaps it was deleted?",
    )
    return HttpResponseRedirect(reverse("admin:index"))


def ticket_page_link(ticket_id: int | None, text: str = "") -> str:
    """A ticket named in the console links to its workspace page, which checks who may see it:
    Django's link to the admin-only ticket page refused leads."""
    if ticket_id is None:
        return "-"
    return format_html(
        '<a href="{}">#{}{}</a>',
        reverse("ticket_detail", args=[ticket_id]),
        ticket_id,
        f" {text}" if text else "",
    )


def is_admin(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class SuperuserOnlyAdminMixin:
    """Only admins (superusers) see or change these models."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes these rows through the admin, superusers included."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _team_id_of(obj: Any, lookup: str) -> int | None:
    *path_parts, last = lookup.split("__")
    for part in path_parts:
        obj = getattr(obj, part)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


class TeamScopedAdminMixin:
    """Admins see everything; a lead sees and edits only rows of their own team.

    ``team_lookup`` is the ORM path from the model to its owning team.
    """

    team_lookup = "team"

    def _may(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_admin(request):
            return True
        if lead_team_id(request) is None:
            return False
        if obj is None:
            return True
        team_id = _team_id_of(obj, self.team_lookup)
        return config_editable_by(agent=request.user, team_id=team_id)  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if is_admin(request):
            return queryset
        team_id = lead_team_id(request)
        if team_id is None:
            return queryset.none()
        return queryset.filter(**{f"{self.team_lookup}_id": team_id})

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = super().get_list_filter(request)  # type: ignore[misc]
        if is_admin(request):
            return filters
        return [f for f in filters if f != "team"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        team_id = lead_team_id(request)
        if team_id is not None and not is_admin(request):
            initial.setdefault("team", team_id)
        return initial

    def _scoped_choices(
        self, request: HttpRequest, db_field: models.Field, kwargs: dict[str, Any]
    ) -> None:
        if is_admin(request):
            return
        team_id = lead_team_id(request)
        related = db_field.related_model
        if related is Team:
            kwargs["queryset"] = Team.objects.filter(pk=team_id or 0)
            kwargs["required"] = True
        elif any(f.name == "team" for f in related._meta.get_fields()):  # type: ignore[union-attr]
            kwargs["queryset"] = related._default_manager.filter(team_id=team_id)  # type: ignore[union-attr]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(request, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        self._scoped_choices(request, db_field, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class TeamScopedInlineMixin:
    """Inline rows follow their parent: whoever may edit the parent edits its rows."""

    def _may(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_admin(request):
            return True
        if lead_team_id(request) is None:
            return False
        return obj is None or config_editable_by(agent=request.user, team_id=obj.team_id)  # type: ignore[arg-type]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)


class AuditedAdminMixin:
    """Every save and delete through the admin is an audit event; history shows and reverts them.

    The before-picture is taken when the object is loaded (before the form mutates it); the
    after-picture once the inline rows are saved, in the same transaction.
    """

    history_template = "admin/kimondesk/config_history.html"
    # Objects that are never edited (only added or deleted) have history but nothing to revert.
    revertible = True

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None and request.method == "POST":
            setattr(request, AUDIT_BEFORE_ATTR, config_snapshot(obj))
        return obj

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        config_change_record(
            obj=obj,
            actor=request.user,  # type: ignore[arg-type]
            before=getattr(request, AUDIT_BEFORE_ATTR, None) if change else None,
            action="changed" if change else "created",
            secrets_changed=[f for f in form.changed_data if f in SECRET_FIELDS] if change else (),
        )
        self.config_saved(request, obj)

    def config_saved(self, request: HttpRequest, obj: Any) -> None:
        """Hook after an audited save (e.g. warnings, recomputing clocks)."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = config_snapshot(obj)
        config_change_record(obj=obj, actor=request.user, before=before, action="deleted")  # type: ignore[arg-type]
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def get_urls(self) -> list[Any]:
        opts = self.model._meta  # type: ignore[attr-defined]
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        revert = [
            path(
                "<path:object_id>/history/<int:event_id>/revert/",
                wrap(self.revert_view),
                name=f"{opts.app_label}_{opts.model_name}_revert",
            )
        ]
        return [*(revert if self.revertible else []), *super().get_urls()]  # type: ignore[misc]

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET"])
        model_admin: admin.ModelAdmin[Any] = self  # type: ignore[assignment]
        opts = model_admin.model._meta
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            return object_missing_redirect(request, opts, object_id)
        if not model_admin.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "opts": opts,
            "object": obj,
            "entries": config_history(obj=obj),
            "can_revert": self.revertible and model_admin.has_change_permission(request, obj),
            "revert_url_name": f"admin:{opts.app_label}_{opts.model_name}_revert",
            **(extra_context or {}),
        }
        request.current_app = model_admin.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def revert_view(self, request: HttpRequest, object_id: str, event_id: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        model_admin: admin.ModelAdmin[Any] = self  # type: ignore[assignment]
        opts = model_admin.model._meta
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None:
            return object_missing_redirect(request, opts, object_id)
        if not model_admin.has_change_permission(request, obj):
            raise PermissionDenied
        event = get_object_or_404(
            AuditEvent, pk=event_id, object_type=opts.label_lower, object_id=str(obj.pk)
        )
        try:
            config_revert(audit_event=event, actor=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, f"Not reverted: {' '.join(exc.messages)}")
        else:
            messages.success(request, f"Reverted “{obj}” to its state before that change.")
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history",
                args=[obj.pk],
                current_app=model_admin.admin_site.name,
            )
        )
