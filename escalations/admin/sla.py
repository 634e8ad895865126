"""SLA policies and calendars in the console, with the preview of unsaved edits."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path

from escalations.models import Calendar, Holiday, OpeningHours, SLAPolicy, SLATarget
from escalations.sla.preview import SLAPreview
from escalations.sla.services import sla_calendar_changed, sla_policy_changed
from kimondesk.admin_mixins import (
    AuditedAdminMixin,
    TeamScopedAdminMixin,
    TeamScopedInlineMixin,
    is_admin,
    lead_team_id,
    object_missing_redirect,
    viewer_timezone,
)

from .forms import (
    CalendarAdminForm,
    LabelledRowsFormSet,
    OpeningHoursInlineForm,
    SLAPolicyAdminForm,
    SLATargetInlineForm,
    calendar_preview_run,
    overnight_spans,
    sla_policy_preview_run,
)
from .mixins import ConditionPickersAdminMixin


class SLAPreviewAdminMixin:
    """A "Preview" of the posted, unsaved form: which open tickets' deadlines would move.

    POST only (CSRF-checked by the admin view); a lead's preview covers their team's tickets.
    """

    preview_template = "admin/escalations/sla_preview.html"

    @abstractmethod
    def sla_preview_build(self, *, form: Any, team_id: int | None) -> SLAPreview:
        """The preview of the posted form's unsaved values (each admin its own)."""

    def get_urls(self) -> list[Any]:
        opts = self.opts  # type: ignore[attr-defined]
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path("preview/", wrap(self.sla_preview_view), name=f"{name}_preview_unsaved"),
            path("<path:object_id>/preview/", wrap(self.sla_preview_view), name=f"{name}_preview"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def sla_preview_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        model_admin: admin.ModelAdmin[Any] = self  # type: ignore[assignment]
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = model_admin.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return object_missing_redirect(request, model_admin.opts, object_id)
        if obj is None:
            allowed = model_admin.has_add_permission(request)
        else:
            allowed = model_admin.has_change_permission(request, obj)
        if not allowed:
            raise PermissionDenied
        form = model_admin.get_form(request, obj, change=obj is not None)(
            request.POST, instance=obj
        )
        context: dict[str, Any] = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "title": f"Preview: {obj}"
            if obj
            else f"Preview: unsaved {model_admin.opts.verbose_name}",
            "subtitle": None,
            "original": obj,
            "viewer_timezone": viewer_timezone(request),
        }
        if form.is_valid():
            team_id = None if is_admin(request) else lead_team_id(request)
            context["preview"] = self.sla_preview_build(form=form, team_id=team_id)
        else:
            context["form_errors"] = form.errors
        return TemplateResponse(request, self.preview_template, context)


class SLATargetInline(TeamScopedInlineMixin, admin.TabularInline):
    model = SLATarget
    form = SLATargetInlineForm
    formset = LabelledRowsFormSet
    extra = 1


@admin.register(SLAPolicy)
class SLAPolicyAdmin(
    SLAPreviewAdminMixin,
    ConditionPickersAdminMixin,
    AuditedAdminMixin,
    TeamScopedAdminMixin,
    admin.ModelAdmin,
):
    form = SLAPolicyAdminForm
    change_form_template = "admin/escalations/sla_change_form.html"
    inlines = (SLATargetInline,)
    list_display = ("name", "team", "enabled", "order", "calendar", "amber_percent", "targets")
    list_filter = ("enabled", "team")
    list_select_related = ("team", "calendar")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SLAPolicy]:
        return super().get_queryset(request).annotate(target_count=Count("targets"))

    @admin.display(description="Targets", ordering="target_count")
    def targets(self, policy: SLAPolicy) -> int:
        return policy.target_count  # type: ignore[attr-defined]

    def config_saved(self, request: HttpRequest, obj: SLAPolicy) -> None:
        sla_policy_changed(policy=obj)

    def sla_preview_build(self, *, form: Any, team_id: int | None) -> SLAPreview:
        return sla_policy_preview_run(form=form, team_id=team_id)


class OpeningHoursInline(TeamScopedInlineMixin, admin.TabularInline):
    model = OpeningHours
    form = OpeningHoursInlineForm
    formset = LabelledRowsFormSet
    extra = 1


class HolidayInline(TeamScopedInlineMixin, admin.TabularInline):
    model = Holiday
    formset = LabelledRowsFormSet
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(
    SLAPreviewAdminMixin, AuditedAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin
):
    form = CalendarAdminForm
    change_form_template = "admin/escalations/sla_change_form.html"
    inlines = (OpeningHoursInline, HolidayInline)
    list_display = ("name", "team", "timezone", "holiday_country")
    list_filter = ("team",)
    list_select_related = ("team",)
    search_fields = ("name",)

    def config_saved(self, request: HttpRequest, obj: Calendar) -> None:
        for span in overnight_spans(calendar=obj):
            messages.info(request, span)
        sla_calendar_changed(calendar=obj)

    def sla_preview_build(self, *, form: Any, team_id: int | None) -> SLAPreview:
        return calendar_preview_run(form=form, team_id=team_id)
