"""The audit log in the console: read-only, for leads and admins, scoped as the API scopes it
(``audit_events_visible_to``: leads read the configuration changes and the rows of the tickets
they can see). Tickets link to their workspace page and people are named, as on the escalation
page: the admin-only ticket and agent pages would refuse a lead."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from escalations.models import AuditEvent
from escalations.selectors import audit_events_visible_to
from kimondesk.admin_mixins import ReadOnlyAdminMixin, is_admin, lead_team_id, ticket_page_link


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "actor_label",
        "object_type",
        "object_repr",
        "ticket_page",
    )
    list_filter = ("kind", "object_type")
    search_fields = ("object_repr", "actor_label", "kind")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "kind",
        "actor_label",
        "ticket_page",
        "object_type",
        "object_id",
        "object_repr",
        "before_data",
        "after_data",
        "details",
    )
    readonly_fields = fields

    def _may(self, request: HttpRequest) -> bool:
        return is_admin(request) or lead_team_id(request) is not None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return audit_events_visible_to(agent=request.user)  # type: ignore[arg-type]

    @admin.display(description="Ticket", ordering="ticket_id")
    def ticket_page(self, event: AuditEvent) -> str:
        return ticket_page_link(event.ticket_id)

    @admin.display(description="Before")
    def before_data(self, event: AuditEvent) -> str:
        return json_shown(event.before)

    @admin.display(description="After")
    def after_data(self, event: AuditEvent) -> str:
        return json_shown(event.after)

    @admin.display(description="Details")
    def details(self, event: AuditEvent) -> str:
        return json_shown(event.data)


def json_shown(value: Any) -> str:
    """Stored JSON on one line, keys sorted; "-" when empty."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else "-"
