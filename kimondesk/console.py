"""The KimonDesk console: the Django admin site, opened by role rather than by ``is_staff``.

Team leads and admins (superusers) use the console; seniors and juniors do not. The check reads
the agent's role every request, so an agent made by ``seed_demo``, the API or the admin has the
access their role gives them with no flag to set by hand. A signed-in agent without access gets
a page saying so (with the normal navigation), never the sign-in form again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from tickets.models import Role


def console_access_allowed(*, user: Any) -> bool:
    """Active leads and admins open the console; nobody else does."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role == Role.LEAD)
    )


@never_cache
def console_refused(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "admin/kimondesk/no_access.html", status=403)


class KimonDeskAdminSite(admin.AdminSite):
    site_header = "KimonDesk console"
    site_title = "KimonDesk console"
    index_title = "Rules, targets, SLAs and calendars"
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        return console_access_allowed(user=request.user)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                return console_refused(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)
