"""Small field validators shared by the API serializers."""

from __future__ import annotations

import functools
import zoneinfo

from rest_framework import serializers


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_validate(value: str) -> str:
    """An IANA zone name (``Europe/Berlin``), or a ``ValidationError`` saying so."""
    if value not in _timezones():
        raise serializers.ValidationError(
            f"'{value}' is not an IANA time zone (e.g. Europe/Berlin)."
        )
    return value
