"""Filter fields shared by every API resource."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, normalised to UTC before it reaches the database.

    Python accepts UTC offsets up to ±23:59 and years up to 9999; PostgreSQL refuses offsets
    beyond ±15:59 and can't represent an instant past 9999-12-31 UTC. Both are the caller's
    bad input (a 400 naming the field), never a database error.
    """

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(
                "Enter a date/time between years 1 and 9999 in UTC.", code="invalid"
            ) from None


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField
