"""``?ordering=``: an unknown field is a 400 naming the parameter, not silently ignored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from rest_framework import filters
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class StrictOrderingFilter(filters.OrderingFilter):
    def remove_invalid_fields(
        self, queryset: QuerySet[Any], fields: Iterable[str], view: Any, request: Request
    ) -> list[str]:
        fields = list(fields)
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [term for term in fields if term not in valid]
        if unknown:
            allowed = sorted(
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            )
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering {', '.join(repr(t) for t in unknown)}; "
                        f"use one of {', '.join(allowed)} (prefix '-' to reverse)."
                    ]
                }
            )
        return valid
