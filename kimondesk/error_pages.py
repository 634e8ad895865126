"""Styled error pages with the reason and the navigation, under every settings module.

Django's own handlers render ``403.html``/``404.html``/``500.html`` when DEBUG is off; with DEBUG on
(the dev settings the demo runs with) it shows its technical 404 page instead. This middleware
renders the styled 403 and 404 pages for the agent pages whatever DEBUG says, so a junior who
opens a lead's page reads why, next to the navigation. The API keeps its JSON errors.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

NOT_FOUND_REASON = "There is no such page, or it is not one you can see."
FORBIDDEN_REASON = "Your role does not give access to this page."


class StyledErrorPagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, "styled_error_page", False)
            and _is_page(request)
        ):
            # An unknown URL never reaches a view: DEBUG's technical page replaced here.
            return _page(request, "404.html", NOT_FOUND_REASON, 404)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_page(request):
            return None
        if isinstance(exception, Http404):
            return _page(request, "404.html", _reason(exception, NOT_FOUND_REASON), 404)
        if isinstance(exception, PermissionDenied):
            return _page(request, "403.html", _reason(exception, FORBIDDEN_REASON), 403)
        return None


def _is_page(request: HttpRequest) -> bool:
    """Agent pages; the API keeps its JSON errors and the admin its own pages."""
    return not request.path.startswith(("/api/", "/admin/", "/static/"))


def _page(request: HttpRequest, template: str, reason: str, status: int) -> HttpResponse:
    response = render(request, template, {"reason": reason}, status=status)
    response.styled_error_page = True  # type: ignore[attr-defined]
    return response


def _reason(exception: Exception, default: str) -> str:
    text = str(exception).strip()
    # Django's own messages ("No Ticket matches the given query.") name models, not reasons.
    if not text or "matches the given query" in text:
        return default
    return text
