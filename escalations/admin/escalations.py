"""Escalations in the console: read-only (the engine writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from escalations.models import Escalation
from kimondesk.admin_mixins import ReadOnlyAdminMixin, TeamScopedAdminMixin


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
