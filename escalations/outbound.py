"""Where KimonDesk may send HTTP requests that users point it at (webhooks, Slack targets).

Those URLs are typed in by integrations and team leads, and a worker posts to them from inside
the deployment: without a check they could aim it at the machine itself or the private network
(cloud metadata, PostgreSQL, Redis, internal consoles). Only public addresses are allowed unless
``KIMONDESK["OUTBOUND_PRIVATE_NETWORKS"]`` is on (tests, or a receiver on the company network).

Validation (API, admin) checks the scheme and a literal host without DNS, so a request never
waits on a resolver; the sender resolves the host right before each request and refuses it if
any address is not public, and never follows redirects.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from kimondesk.conf import kimondesk_settings

SLACK_WEBHOOK_RE = re.compile(r"^https://hooks\.slack\.com/services/[A-Za-z0-9_\-/]+$")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SLACK_URL_MESSAGE = (
    "Enter a Slack incoming-webhook URL of the form https://hooks.slack.com/services/…"
)


class OutboundRefused(Exception):
    """The destination is not one KimonDesk may send to; retrying will not change that."""


def private_networks_allowed() -> bool:
    return kimondesk_settings().outbound_private_networks


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global


def outbound_url_problem(url: str) -> str | None:
    """Why ``url`` may not be sent to, judged without DNS; ``None`` if it may."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return "Enter a valid URL."
    if parts.scheme not in ("http", "https"):
        return "Only http and https URLs are allowed."
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "Enter a URL with a host name."
    if private_networks_allowed():
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine: use a public address."
    try:
        public = _is_public(host)
    except ValueError:
        return None  # a name: resolved and checked when sending
    return None if public else f"{host} is not a public address."


def outbound_url_validator(value: str) -> None:
    """Django/DRF field validator for user-supplied destination URLs."""
    problem = outbound_url_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="outbound_url")


def slack_webhook_url_validator(value: str) -> None:
    """A Slack incoming webhook (Slack's own host: its redirects can be trusted); where private
    networks are allowed, also a stand-in for Slack on this machine (tests, demos)."""
    if SLACK_WEBHOOK_RE.match(value):
        return
    try:
        host = urlsplit(value).hostname if value.startswith("http://") else None
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host = None
    if private_networks_allowed() and host in LOOPBACK_HOSTS:
        return
    # The URL is a secret: the message never repeats it.
    raise ValidationError(SLACK_URL_MESSAGE, code="slack_url")


def outbound_destination_check(url: str) -> None:
    """Right before sending: raise ``OutboundRefused`` unless every address of the host is public.

    A name that does not resolve passes: the request fails the same way and is retried.
    """
    problem = outbound_url_problem(url)
    if problem is not None:
        raise OutboundRefused(problem)
    if private_networks_allowed():
        return
    parts = urlsplit(url)
    outbound_host_check(
        host=parts.hostname or "", port=parts.port or (443 if parts.scheme == "https" else 80)
    )


def outbound_host_check(*, host: str, port: int) -> None:
    """Right before connecting to a user-configured server (a mailbox's IMAP host): raise
    ``OutboundRefused`` unless every address of ``host`` is public (or private networks are
    allowed). A name that does not resolve passes: the connection fails the same way."""
    if private_networks_allowed():
        return
    bare = host.rstrip(".").lower()
    if bare == "localhost" or bare.endswith(".localhost"):
        raise OutboundRefused(f"{bare} is this machine: use a public address.")
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    for *_, sockaddr in addresses:
        if not _is_public(str(sockaddr[0])):
            raise OutboundRefused(
                f"{host} resolves to {sockaddr[0]}, which is not a public address."
            )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the failure it is: following it would skip the address check."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def outbound_opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_NoRedirects())
