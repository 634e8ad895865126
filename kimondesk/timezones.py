"""Time zones: the names a team or calendar may use (IANA's geographic zones and UTC), and the
zone every page of a signed-in agent is shown in (their team's; UTC without a team).

``zoneinfo.available_timezones()`` also lists names that are not places: ``localtime`` (the
server's own zone, different per machine), ``Factory`` (a placeholder with the abbreviation
"-00"), ``posixrules`` and the ``posix/``/``right/`` copies (the latter count leap seconds).
Those are refused.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
_NOT_PLACE_PREFIXES = ("posix/", "right/")


@functools.cache
def timezone_names() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_PLACES and not name.startswith(_NOT_PLACE_PREFIXES)
    )


def zone_of_team(team: Any) -> zoneinfo.ZoneInfo | None:
    """A team's zone (None without a team or for a bad name)."""
    if team is None or team.timezone not in timezone_names():
        return None
    return zoneinfo.ZoneInfo(team.timezone)


def agent_zone(agent: Any) -> zoneinfo.ZoneInfo | None:
    """The zone an agent reads times in: their team's (None without a team or for a bad name)."""
    return zone_of_team(getattr(agent, "team", None))


class AgentTimezoneMiddleware:
    """Agent pages and the console show dates in the signed-in agent's team time zone (UTC
    without a team): templates and ``{% when %}`` read the active zone, and ``base.html`` hands
    it to the one JavaScript formatter (``data-timezone``)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        zone = agent_zone(user) if user is not None and user.is_authenticated else None
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)
