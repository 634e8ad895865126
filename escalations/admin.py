"""The admin console for rules, targets, SLA policies, calendars, deliveries and the audit log.

Thin adapters: validation lives in ``escalations.admin_forms`` (delegating to the engine and SLA
validators), audited writes in ``escalations.admin_services``, reads in ``admin_selectors``.
"""

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
from django.utils.html import format_html

from .admin_forms import (
    ActionRefused,
    CalendarAdminForm,
    LabelledRowsFormSet,
    OpeningHoursInlineForm,
    SLAPolicyAdminForm,
    SLATargetInlineForm,
    calendar_changed_notify,
    calendar_preview_run,
    overnight_spans,
    param_field_name,
    rule_form_class,
    sla_policy_changed_notify,
    sla_policy_preview_run,
    slack_delivery_retry_run,
    slack_target_test_run,
    target_destination,
    target_form_class,
    target_param_fieldsets,
    trigger_kind_of,
    trigger_kinds,
)
from .admin_mixins import (
    AuditedAdminMixin,
    ConditionPickersAdminMixin,
    ReadOnlyAdminMixin,
    SuperuserOnlyAdminMixin,
    TeamScopedAdminMixin,
    TeamScopedInlineMixin,
    is_admin,
    lead_team_id,
    object_missing_redirect,
    viewer_timezone,
)
from .admin_selectors import rule_preview_build, rule_warnings, rules_with_fired_count
from .admin_services import rules_set_enabled
from .models import (
    AuditEvent,
    Calendar,
    DeliveryStatus,
    Escalation,
    ExchangeRate,
    Holiday,
    OpeningHours,
    Rule,
    SlackDelivery,
    SLAPolicy,
    SLATarget,
    Target,
    TargetKind,
)
from .sla.preview import SLAPreview

PREVIEW_DEFAULT_DAYS = 30
PREVIEW_MAX_DAYS = 365


def _preview_days(raw: str | None) -> int:
    try:
        days = int(raw or PREVIEW_DEFAULT_DAYS)
    except ValueError:
        days = PREVIEW_DEFAULT_DAYS
    return max(1, min(days, PREVIEW_MAX_DAYS))


# --- Rules -----------------------------------------------------------------------------------
def titled_filter(title: str) -> type[admin.FieldListFilter]:
    """A field's usual list filter under another title (two "By kind" filters read as one)."""

    class TitledFilter(admin.FieldListFilter):
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            instance = admin.FieldListFilter.create(*args, **kwargs)
            instance.title = title
            return instance

    return TitledFilter


class TriggerKindFilter(admin.SimpleListFilter):
    """Rules by trigger, labelled from the trigger registry."""

    title = "trigger"
    parameter_name = "trigger_kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(trigger.key, trigger.label) for trigger in trigger_kinds()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(trigger_kind=value) if value else queryset


@admin.register(Rule)
class RuleAdmin(
    ConditionPickersAdminMixin, AuditedAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin
):
    change_form_template = "admin/escalations/rule/change_form.html"
    preview_template = "admin/escalations/rule/preview.html"
    list_display = (
        "name",
        "kind",
        "team",
        "trigger_label",
        "target",
        "target_kind",
        "enabled",
        "order",
        "fired_last_30_days",
    )
    list_filter = (
        ("kind", titled_filter("rule kind")),
        "enabled",
        TriggerKindFilter,
        ("target__kind", titled_filter("target kind")),
        "team",
    )
    list_select_related = ("team", "target")
    search_fields = ("name", "target__name")
    ordering = ("order", "id")
    actions = ("enable_rules", "disable_rules")

    class Media:
        js = ("js/admin-kinds.js",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["form"] = rule_form_class()
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets: list[tuple[str | None, dict[str, Any]]] = [
            (None, {"fields": ("name", "kind", "team", "enabled", "order")}),
            ("Trigger", {"fields": ("trigger_kind",)}),
        ]
        fieldsets.extend(
            (
                f"{trigger.label}: parameters",
                {
                    "fields": tuple(param_field_name(trigger.key, p.name) for p in trigger.params),
                    "classes": (
                        "kd-kind-params",
                        "kd-kind-of-trigger_kind",
                        f"kd-kind-{trigger.key}",
                    ),
                    "description": trigger.description,
                },
            )
            for trigger in trigger_kinds()
            if trigger.params
        )
        fieldsets += [
            ("Conditions", {"fields": ("conditions",)}),
            (
                "Action",
                {
                    "fields": (
                        "target",
                        "route_queue",
                        "route_assignee",
                        "cooldown_minutes",
                        "ack_limit_minutes",
                    )
                },
            ),
        ]
        return fieldsets

    def get_queryset(self, request: HttpRequest) -> QuerySet[Rule]:
        return rules_with_fired_count(super().get_queryset(request))

    @admin.display(description="Trigger", ordering="trigger_kind")
    def trigger_label(self, rule: Rule) -> str:
        trigger = trigger_kind_of(rule.trigger_kind)
        return trigger.label if trigger else rule.trigger_kind

    @admin.display(description="Target kind", ordering="target__kind")
    def target_kind(self, rule: Rule) -> str:
        return rule.target.get_kind_display() if rule.target else "—"

    @admin.display(description="Fired (30 days)", ordering="fired_recently")
    def fired_last_30_days(self, rule: Rule) -> int:
        return rule.fired_recently  # type: ignore[attr-defined]

    def config_saved(self, request: HttpRequest, obj: Rule) -> None:
        for warning in rule_warnings(rule=obj):
            messages.warning(request, warning)

    @admin.action(description="Enable the selected rules")
    def enable_rules(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        changed = rules_set_enabled(rules=queryset, enabled=True, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Enabled {changed} rule(s).")

    @admin.action(description="Disable the selected rules")
    def disable_rules(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        changed = rules_set_enabled(rules=queryset, enabled=False, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Disabled {changed} rule(s).")

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="escalations_rule_preview_unsaved"),
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_view),
                name="escalations_rule_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        """What the rule (saved, or the posted unsaved edits) would have escalated. Writes nothing."""
        if request.method not in ("GET", "POST") or (object_id is None and request.method == "GET"):
            return HttpResponseNotAllowed(["POST"] if object_id is None else ["GET", "POST"])
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and obj is None:
            return object_missing_redirect(request, self.opts, object_id)
        if request.method == "GET":
            allowed = self.has_view_permission(request, obj)
        elif obj is None:
            allowed = self.has_add_permission(request)
        else:
            allowed = self.has_change_permission(request, obj)
        if not allowed:
            raise PermissionDenied
        days = _preview_days(request.GET.get("days") or request.POST.get("preview_days"))
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Preview: {obj}" if obj else "Preview: unsaved rule",
            "subtitle": None,
            "original": obj,
            "days": days,
            "unsaved": request.method == "POST",
        }
        rule = obj
        if request.method == "POST":
            form = self.get_form(request, obj, change=obj is not None)(request.POST, instance=obj)
            if not form.is_valid():
                context["form_errors"] = form.errors
                return TemplateResponse(request, self.preview_template, context)
            rule = form.save(commit=False)
        assert rule is not None
        context["warnings"] = rule_warnings(rule=rule)
        context["preview"] = rule_preview_build(
            rule=rule,
            days=days,
            viewer=request.user,  # type: ignore[arg-type]
        )
        return TemplateResponse(request, self.preview_template, context)


# --- Targets ---------------------------------------------------------------------------------
@admin.register(Target)
class TargetAdmin(AuditedAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    form = target_form_class()
    list_display = ("name", "kind", "team", "destination")
    list_filter = ("kind", "team")
    list_select_related = ("team", "agent", "queue__team")
    search_fields = ("name",)
    actions = ("send_slack_test",)

    class Media:
        js = ("js/admin-kinds.js",)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return [(None, {"fields": ("name", "kind", "team")}), *target_param_fieldsets()]

    @admin.display(description="Escalates to")
    def destination(self, target: Target) -> str:
        return target_destination(target=target)

    @admin.action(description="Send a test message to the selected Slack targets")
    def send_slack_test(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        sent = 0
        for target in queryset:
            if target.kind != TargetKind.SLACK:
                messages.warning(request, f"{target} is not a Slack target: skipped.")
                continue
            try:
                slack_target_test_run(target=target, actor=request.user)  # type: ignore[arg-type]
            except ActionRefused as exc:
                messages.error(request, str(exc))
                continue
            sent += 1
        if sent:
            messages.success(request, f"Queued a test message to {sent} Slack target(s).")


# --- SLA policies and calendars --------------------------------------------------------------
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
        sla_policy_changed_notify(policy=obj)

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
        calendar_changed_notify(calendar=obj)

    def sla_preview_build(self, *, form: Any, team_id: int | None) -> SLAPreview:
        return calendar_preview_run(form=form, team_id=team_id)


# --- Exchange rates -------------------------------------------------------------------------
@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    """Rates are added, and a mistaken one deleted, never edited: a correction is a rate with a
    later date, so the history of what converted which refund stays readable."""

    revertible = False
    fields = ("team", "base", "quote", "rate", "valid_from")
    list_display = ("base", "quote", "rate", "valid_from", "team", "created_by")
    list_filter = ("team", "base", "quote")
    list_select_related = ("team", "created_by")
    date_hierarchy = "valid_from"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ExchangeRate, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


# --- Deliveries and the audit log ------------------------------------------------------------
@admin.register(SlackDelivery)
class SlackDeliveryAdmin(ReadOnlyAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    team_lookup = "target__team"
    list_display = ("id", "target", "status", "attempts", "escalation", "created_at", "sent_at")
    list_filter = ("status",)
    list_select_related = ("target",)
    search_fields = ("target__name", "last_error")
    exclude = ("payload",)
    readonly_fields = ("target", "escalation", "status", "attempts", "last_error", "sent_at")
    actions = ("retry_failed",)

    @admin.action(description="Retry the selected failed deliveries")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[SlackDelivery]) -> None:
        failed = list(queryset.filter(status=DeliveryStatus.FAILED))
        retried = 0
        for delivery in failed:
            try:
                slack_delivery_retry_run(delivery=delivery, actor=request.user)  # type: ignore[arg-type]
            except ActionRefused as exc:
                messages.error(request, str(exc))
                continue
            retried += 1
        skipped = queryset.count() - len(failed)
        messages.success(request, f"Queued {retried} failed delivery(ies) for a retry.")
        if skipped:
            messages.warning(request, f"Skipped {skipped} delivery(ies) that had not failed.")


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    """What escalated, why and to whom; written by the engine only."""

    team_lookup = "ticket__queue__team"
    list_display = (
        "id",
        "ticket_link",
        "trigger",
        "rule_name",
        "from_agent",
        "to_agent",
        "to_queue",
        "created_at",
        "acknowledged_at",
    )
    list_filter = ("trigger", "rule")
    list_select_related = ("ticket", "from_agent", "to_agent", "to_queue__team")
    search_fields = ("rule_name", "ticket__subject")
    date_hierarchy = "created_at"
    exclude = ("summary_note",)

    @admin.display(description="Ticket", ordering="ticket_id")
    def ticket_link(self, escalation: Escalation) -> str:
        return format_html(
            '<a href="/tickets/{}/">#{} {}</a>',
            escalation.ticket_id,
            escalation.ticket_id,
            escalation.ticket.subject,
        )

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ["trigger"] if not request.user.is_superuser else super().get_list_filter(request)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "actor_label", "object_type", "object_repr", "ticket_id")
    list_filter = ("kind", "object_type")
    search_fields = ("object_repr", "actor_label", "kind")
    date_hierarchy = "created_at"
