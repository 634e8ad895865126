"""Sign-in with brute-force protection: failed attempts are counted per user name and per
client address in the cache (Redis when configured, so every web process shares the count)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

WINDOW_SECONDS = 15 * 60


def _limits() -> tuple[int, int]:
    conf = getattr(settings, "KIMONDESK", {})
    return conf.get("SIGNIN_MAX_FAILURES_PER_USER", 5), conf.get("SIGNIN_MAX_FAILURES_PER_IP", 30)


def _client_ip(request: HttpRequest) -> str:
    # Behind the proxy named in the deployment docs, REMOTE_ADDR is set by the ASGI server from
    # the proxy headers (uvicorn --proxy-headers); never trust X-Forwarded-For here directly.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _keys(request: HttpRequest, username: str) -> tuple[str, str]:
    ip = _client_ip(request)
    return f"signin:fail:{ip}:{username.strip().lower()}", f"signin:fail-ip:{ip}"


def signin_is_blocked(*, request: HttpRequest, username: str) -> bool:
    per_user, per_ip = _limits()
    user_key, ip_key = _keys(request, username)
    counts = cache.get_many([user_key, ip_key])
    return counts.get(user_key, 0) >= per_user or counts.get(ip_key, 0) >= per_ip


def signin_failure_record(*, request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        # add() creates the counter with the window as its lifetime; incr() never extends it.
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)


def signin_success_record(*, request: HttpRequest, username: str) -> None:
    cache.delete(_keys(request, username)[0])


class RateLimitedLoginView(auth_views.LoginView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if signin_is_blocked(request=request, username=username):
            response = render(request, "registration/too_many_attempts.html", status=429)
            response["Retry-After"] = str(WINDOW_SECONDS)
            return response
        response = super().post(request, *args, **kwargs)
        if request.user.is_authenticated:
            signin_success_record(request=request, username=username)
        else:
            signin_failure_record(request=request, username=username)
        return response
