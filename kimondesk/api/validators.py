"""Small field validators shared by the API serializers."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kimondesk.timezones import timezone_names


def timezone_validate(value: str) -> str:
    """An IANA zone name (``Europe/Berlin``), or a ``ValidationError`` saying so."""
    if value not in timezone_names():
        raise serializers.ValidationError(
            f"'{value}' is not an IANA time zone (e.g. Europe/Berlin)."
        )
    return value


def json_nul_free(value: Any) -> Any:
    """Refuse NUL characters anywhere in submitted JSON (PostgreSQL's jsonb cannot store them)."""
    if isinstance(value, str) and "\x00" in value:
        raise serializers.ValidationError("Null characters are not allowed.")
    if isinstance(value, dict):
        for key, item in value.items():
            json_nul_free(key)
            json_nul_free(item)
    elif isinstance(value, list):
        for item in value:
            json_nul_free(item)
    return value
