"""The audit log in the console: read-only, for admins only."""

from __future__ import annotations

from django.contrib import admin

from escalations.models import AuditEvent
from kimondesk.admin_mixins import ReadOnlyAdminMixin, SuperuserOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "actor_label", "object_type", "object_repr", "ticket_id")
    list_filter = ("kind", "object_type")
    search_fields = ("object_repr", "actor_label", "kind")
    date_hierarchy = "created_at"
