"""Rules in the console: the list (fired in the last 30 days), the form with one field per
trigger parameter, enable/disable actions and the preview of saved or unsaved edits."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from escalations.audit.config import rules_set_enabled
from escalations.models import Rule
from kimondesk.admin_mixins import AuditedAdminMixin, TeamScopedAdminMixin, object_missing_redirect

from .forms import param_field_name, rule_form_class, trigger_kind_of, trigger_kinds
from .mixins import ConditionPickersAdminMixin
from .selectors import (
    fired_window_start,
    rule_preview_build,
    rule_warnings,
    rules_with_fired_count,
)

PREVIEW_DEFAULT_DAYS = 30
PREVIEW_MAX_DAYS = 365


def _preview_days(raw: str | None) -> int:
    try:
        days = int(raw or PREVIEW_DEFAULT_DAYS)
    except ValueError:
        days = PREVIEW_DEFAULT_DAYS
    return max(1, min(days, PREVIEW_MAX_DAYS))


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
    def fired_last_30_days(self, rule: Rule) -> int | str:
        """The count, linked to those escalations in the console's escalation list."""
        fired: int = rule.fired_recently  # type: ignore[attr-defined]
        if not fired:
            return fired
        query = urlencode(
            {"rule__id__exact": rule.pk, "created_at__gte": fired_window_start().isoformat()}
        )
        return format_html(
            '<a href="{}?{}">{}</a>',
            reverse("admin:escalations_escalation_changelist"),
            query,
            fired,
        )

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
