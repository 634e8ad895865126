"""Ids in URLs and query strings: positive integers that fit a database ``bigint``.

Anything else is "not found" (paths) or a 400 naming the parameter (filters), never a database
error from an out-of-range value.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_ID = 2**63 - 1


def id_parse(value: Any) -> int | None:
    text = str(value)
    # ASCII only: "²".isdigit() is true, but int("²") raises.
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdFormField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """An id filter (``?ticket=12``): a positive integer."""

    field_class = IdFormField


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row by id: a JSON integer (or a string of ASCII digits), never ``1.5`` or
    ``true`` silently read as ``1``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str) or id_parse(data) is None:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)
