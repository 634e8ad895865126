"""Targets in the console: the form with each kind's parameters and the Slack test action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from escalations.models import Target, TargetKind
from kimondesk.admin_mixins import AuditedAdminMixin, TeamScopedAdminMixin

from .forms import (
    ActionRefused,
    slack_target_test_run,
    target_destination,
    target_form_class,
    target_param_fieldsets,
)


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
