"""Sign-in with brute-force protection.

Per account: django-axes counts failed sign-ins per **normalised user name** (NFKC, then
casefold: ``Billing-Senior2``, ``billing-senior2`` and the same name typed in fullwidth letters are one
account), from every address, in the database (``AxesDatabaseHandler``: every web process sees
the same count, with or without Redis). After ``SIGNIN_MAX_FAILURES_PER_USER`` failures in
``WINDOW_SECONDS`` the account's sign-in answers 429 from anywhere, even with the right
password, until the window has passed; a success resets the count.

Per address: a coarse flood guard (``SIGNIN_MAX_FAILURES_PER_IP`` failures of any user names
from one address) counted in the cache, shared through Redis when configured (per process
without it).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kimondesk.conf import kimondesk_settings

WINDOW_SECONDS = 15 * 60


def signin_username_normalise(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The key axes counts failures under (``AXES_USERNAME_CALLABLE``)."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "") if request is not None else ""
    return unicodedata.normalize("NFKC", str(raw)).casefold().strip()


def signin_client_ip(request: HttpRequest) -> str:
    """``AXES_CLIENT_IP_CALLABLE``. Behind the proxy named in the deployment docs, REMOTE_ADDR
    is set by the ASGI server from the proxy headers (uvicorn --proxy-headers); never trust
    X-Forwarded-For here directly."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def signin_failure_limit(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """``AXES_FAILURE_LIMIT``: read when it is needed, so tests and deployments can change it."""
    return kimondesk_settings().signin_max_failures_per_user


def _ip_key(request: HttpRequest) -> str:
    return f"signin:fail-ip:{signin_client_ip(request)}"


def signin_address_is_flooding(*, request: HttpRequest) -> bool:
    per_ip = kimondesk_settings().signin_max_failures_per_ip
    return int(cache.get(_ip_key(request), 0)) >= per_ip


def signin_address_failure_record(*, request: HttpRequest) -> None:
    key = _ip_key(request)
    # add() creates the counter with the window as its lifetime; incr() never extends it.
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)


def signin_lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the same 429 page as the address guard."""
    return signin_refused(request)


def signin_refused(request: HttpRequest) -> HttpResponse:
    response = render(request, "registration/too_many_attempts.html", status=429)
    response["Retry-After"] = str(WINDOW_SECONDS)
    return response


class RateLimitedLoginView(auth_views.LoginView):
    """The sign-in page (and the admin's): axes refuses a locked account inside
    ``authenticate`` (its middleware answers with ``signin_refused``); the address guard is
    checked here."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if signin_address_is_flooding(request=request):
            return signin_refused(request)
        response = super().post(request, *args, **kwargs)
        if not request.user.is_authenticated:
            signin_address_failure_record(request=request)
        return response
