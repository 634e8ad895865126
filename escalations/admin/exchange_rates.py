"""Exchange rates in the console: added or deleted, never edited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from escalations.models import ExchangeRate
from kimondesk.admin_mixins import AuditedAdminMixin, TeamScopedAdminMixin


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
