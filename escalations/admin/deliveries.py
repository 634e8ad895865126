"""Slack deliveries in the console: read-only, with a retry action for failed ones."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from escalations.models import DeliveryStatus, SlackDelivery
from kimondesk.admin_mixins import ReadOnlyAdminMixin, TeamScopedAdminMixin

from .forms import ActionRefused, slack_delivery_retry_run


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
