"""The time zone names a team or calendar may use: IANA's geographic zones and UTC.

``zoneinfo.available_timezones()`` also lists names that are not places: ``localtime`` (the
server's own zone, different per machine), ``Factory`` (a placeholder with the abbreviation
"-00"), ``posixrules`` and the ``posix/``/``right/`` copies (the latter count leap seconds).
Those are refused.
"""

from __future__ import annotations

import functools
import zoneinfo

_NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})
_NOT_PLACE_PREFIXES = ("posix/", "right/")


@functools.cache
def timezone_names() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_PLACES and not name.startswith(_NOT_PLACE_PREFIXES)
    )
