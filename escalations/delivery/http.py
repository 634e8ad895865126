"""The one HTTP client of outbound deliveries (Slack and webhooks), behind the outbound guard.

``delivery_post`` checks the destination with ``escalations.outbound`` right before the request
(``OutboundRefused`` when it is not a public address), never follows a redirect (a 3xx is the
answer, recorded as a failed try), and reports what came back: the status code, an error text
with the URL masked, the ``Retry-After`` wait and how long it took. It never raises for a network
failure: timeouts, refused connections and DNS errors are a result with no status code.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from escalations.outbound import outbound_destination_check
from kimondesk.bounds import (
    DELIVERY_ERROR_MAX_CHARS,
    DELIVERY_RESPONSE_EXCERPT_MAX_CHARS,
    DELIVERY_RETRY_AFTER_MAX_SECONDS,
)

MASK = "<webhook>"


class _RequestLinesDropped(logging.Filter):
    """httpx logs every request's URL at INFO (``HTTP Request: POST <url> ...``): a Slack webhook
    URL is a secret. Every outcome is recorded as a ``DeliveryAttempt`` instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("HTTP Request:")


logging.getLogger("httpx").addFilter(_RequestLinesDropped())


@dataclass(frozen=True)
class OutboundRequest:
    """One POST: where, the exact body, the headers and how long to wait for an answer."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    timeout_seconds: float = 10


@dataclass(frozen=True)
class OutboundResult:
    status_code: int | None
    error: str
    retry_after_seconds: int | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def retry_after_parse(value: str | None, *, now: datetime) -> int | None:
    """Seconds to wait from a ``Retry-After`` header (RFC 9110 §10.2.3): delta-seconds or an
    HTTP date, clamped to ``[0, DELIVERY_RETRY_AFTER_MAX_SECONDS]``; ``None`` when absent or
    unreadable."""
    if value is None:
        return None
    raw = value.strip()
    if raw.isascii() and raw.isdigit():
        seconds = int(raw)
    else:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # "-0000": UTC, with no source named
            when = when.replace(tzinfo=UTC)
        seconds = math.ceil((when - now).total_seconds())
    return max(0, min(seconds, DELIVERY_RETRY_AFTER_MAX_SECONDS))


def url_mask(text: str, url: str) -> str:
    """Mask ``url`` in an error text: whole, its path, or its last segment (a Slack token), as a
    server or proxy may echo any of them. Parts shorter than 8 characters are left alone."""
    path = urlsplit(url).path.rstrip("/")
    for part in (url, path, path.rsplit("/", 1)[-1]):
        if len(part) >= 8:
            text = text.replace(part, MASK)
    return text


def delivery_post(request: OutboundRequest, *, now: datetime) -> OutboundResult:
    """POST once. Raises ``OutboundRefused`` (before connecting) for a forbidden destination."""
    outbound_destination_check(request.url)
    status_code: int | None = None
    error = ""
    retry_after: int | None = None
    started = time.monotonic()
    try:
        with httpx.Client(follow_redirects=False, timeout=request.timeout_seconds) as client:
            response = client.post(request.url, content=request.body, headers=request.headers)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            excerpt = response.text[:DELIVERY_RESPONSE_EXCERPT_MAX_CHARS]
            error = f"HTTP {status_code}: {excerpt}" if excerpt else f"HTTP {status_code}"
            retry_after = retry_after_parse(response.headers.get("Retry-After"), now=now)
    except httpx.HTTPError as exc:  # timeouts, refused connections, DNS: worth another try
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    return OutboundResult(
        status_code=status_code,
        error=url_mask(error, request.url)[:DELIVERY_ERROR_MAX_CHARS],
        retry_after_seconds=retry_after,
        duration_ms=duration_ms,
    )
