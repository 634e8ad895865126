"""Team macros in the console: the team's lead (and admins) write them; every save is audited,
with history and revert as for rules. Personal macros are their owners' (API) and not listed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from kimondesk.admin_mixins import AuditedAdminMixin, TeamScopedAdminMixin

from .forms import MacroFormBase
from .models import MACRO_CONTENT_FIELDS, Macro
from .selectors import macro_actions_text
from .services import macro_count_check

USES_RECENT_DAYS = 30


class MacroAdminForm(MacroFormBase):
    class Meta(MacroFormBase.Meta):
        fields = ["name", "team", *MACRO_CONTENT_FIELDS]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        team = (cleaned or {}).get("team")
        if team is not None:
            macro_count_check(macro=Macro(pk=self.instance.pk, team=team))
        return cleaned


@admin.register(Macro)
class MacroAdmin(AuditedAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    form = MacroAdminForm
    list_display = ("name", "team", "enabled", "actions_text", "uses_recent", "last_used")
    list_filter = ("enabled", "team")
    list_select_related = ("team",)
    search_fields = ("name", "body")
    ordering = ("name", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Macro]:
        since = timezone.now() - timedelta(days=USES_RECENT_DAYS)
        return (
            super()
            .get_queryset(request)
            .filter(team__isnull=False)
            .annotate(
                uses_recent_count=Count("uses", filter=Q(uses__created_at__gte=since)),
                last_used_at=Max("uses__created_at"),
            )
        )

    @admin.display(description="Actions")
    def actions_text(self, macro: Macro) -> str:
        return "; ".join(macro_actions_text(macro=macro)) or "—"

    @admin.display(description=f"Uses ({USES_RECENT_DAYS} days)", ordering="uses_recent_count")
    def uses_recent(self, macro: Macro) -> int:
        return macro.uses_recent_count  # type: ignore[attr-defined]

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used(self, macro: Macro) -> str:
        at = macro.last_used_at  # type: ignore[attr-defined]
        return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else "never"
