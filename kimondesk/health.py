"""Liveness and readiness probes for process managers and load balancers.

``/healthz`` answers as long as the process serves requests. ``/readyz`` checks what a request
needs: the database, Redis (when configured: channel layer and task broker) and the task queue,
and that the periodic work runs (its schedules exist and the SLA sweeper renewed its lease lately).
``/readyz?scope=web`` leaves the periodic check out, for a load balancer that should keep serving
pages while the workers are down.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker
from django_q.status import Stat

from escalations.schedules import schedules_health
from kimondesk.conf import kimondesk_settings


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _check_redis() -> dict[str, Any]:
    redis_url = kimondesk_settings().redis_url
    if not redis_url:
        return {"configured": False}
    client = redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"configured": True}


def _check_queue() -> dict[str, Any]:
    broker = get_broker()
    if not broker.ping():
        raise ConnectionError("task broker did not answer")
    return {
        "broker": type(broker).__name__,
        "queued": broker.queue_size(),
        # Cluster heartbeats are visible across processes only with the Redis broker.
        "clusters": len(Stat.get_all(broker)) if kimondesk_settings().redis_url else None,
    }


def _check_periodic() -> dict[str, Any]:
    return schedules_health(stall_seconds=kimondesk_settings().sla_sweeper_stall_seconds)


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _check_database,
    "redis": _check_redis,
    "queue": _check_queue,
    "periodic": _check_periodic,
}
# What a web process needs to serve a request, without the workers.
WEB_CHECKS = ("database", "redis", "queue")


def readiness_report(*, web_only: bool = False) -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {}
    ready = True
    for name, check in CHECKS.items():
        if web_only and name not in WEB_CHECKS:
            continue
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as exc:
            ready = False
            # The exception's class only: messages can carry connection strings.
            result = {"ok": False, "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        report[name] = result
    return ready, report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    ready, report = readiness_report(web_only=request.GET.get("scope") == "web")
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": report},
        status=200 if ready else 503,
    )
