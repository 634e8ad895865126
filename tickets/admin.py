"""Admin for teams, agents, queues and the ticket data.

Only admins (superusers) manage teams and agents. Console access follows the role
(``kimondesk.console``): leads manage their own team's queues; seniors and juniors have no console
access (their own profile is not an admin page). ``is_staff`` grants nothing and is not shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin as BaseTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from kimondesk.admin_mixins import (
    ReadOnlyAdminMixin,
    SuperuserOnlyAdminMixin,
    TeamScopedAdminMixin,
)
from kimondesk.console import console_access_allowed

from . import models


@admin.register(models.Agent)
class AgentAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    list_display = (
        "username",
        "name",
        "team",
        "role",
        "console_access",
        "is_available",
        "is_active",
    )
    list_filter = ("role", "team", "is_available", "is_active", "is_superuser")
    list_select_related = ("team",)
    search_fields = ("username", "name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("KimonDesk", {"fields": ("name", "team", "role", "is_available", "is_active")}),
        ("Admin", {"fields": ("is_superuser",)}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("KimonDesk", {"fields": ("name", "email", "team", "role")}),
    )

    @admin.display(description="Console access", boolean=True)
    def console_access(self, agent: models.Agent) -> bool:
        return console_access_allowed(user=agent)


@admin.register(models.Team)
class TeamAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "lead", "timezone", "default_currency")
    list_select_related = ("lead",)
    search_fields = ("name",)


@admin.register(models.Queue)
class QueueAdmin(TeamScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "team", "specialist", "members_count")
    list_filter = ("specialist", "team")
    list_select_related = ("team",)
    search_fields = ("name",)
    filter_horizontal = ("members",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Queue]:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description="Members", ordering="member_count")
    def members_count(self, queue: models.Queue) -> int:
        return queue.member_count  # type: ignore[attr-defined]


@admin.register(models.Customer)
class CustomerAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "external_id", "email", "tier")
    list_filter = ("tier",)
    search_fields = ("name", "external_id", "email")


@admin.register(models.Ticket)
class TicketAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "subject", "status", "priority", "queue", "assignee", "created_at")
    list_filter = ("status", "priority")
    list_select_related = ("queue__team", "assignee")
    search_fields = ("subject",)
    raw_id_fields = ("customer", "assignee", "queue")


@admin.register(models.Tag)
class TagAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)


# API tokens are secrets shown once (``manage.py drf_create_token``). The admin lists who holds
# one and since when, never the key: no key column, and no page that would title itself with it
# (a token's str() is its key).
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, BaseTokenAdmin):
    list_display = ("user", "created")
    list_display_links = None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_view_permission(request, obj)


# Team macros are managed in the console too (``tickets/macros/admin.py``).
from tickets.macros import admin as macros_admin  # noqa: E402, F401
