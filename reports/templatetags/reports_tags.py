"""Formatting for the report pages."""

from __future__ import annotations

from datetime import timedelta

from django import template
from django.conf.locale import LANG_INFO

register = template.Library()

NO_VALUE = "\u2013"  # an en dash: no figure


@register.filter
def pct(value: float | None, places: int = 0) -> str:
    """0.125 → "12.5%" with ``places`` decimals; None → an en dash."""
    if value is None:
        return NO_VALUE
    return f"{value * 100:.{int(places)}f}%"


@register.filter
def minutes(value: timedelta | None) -> str:
    """A duration in minutes (hours past 2 h); None → an en dash."""
    if value is None:
        return NO_VALUE
    total = value.total_seconds() / 60
    return f"{total:.0f} min" if total < 120 else f"{total / 60:.1f} h"


@register.filter
def ratio(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.2f}"


@register.filter
def language_label(code: str) -> str:
    """A language's name with its code, "German (de)"; a code Django does not know stays."""
    info = LANG_INFO.get(code)
    return f"{info['name']} ({code})" if info and "name" in info else code
