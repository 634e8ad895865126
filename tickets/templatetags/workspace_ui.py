"""Template helpers of the workspace tables: sortable column headers and timestamps."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

EXACT_FORMAT = "%a %d %b %Y, %H:%M %Z"


def relative_time(*, moment: datetime, now: datetime) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 d ago`` (or ``in …`` for the future)."""
    seconds = int((now - moment).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        amount = f"{seconds // 60} min"
    elif seconds < 86400:
        amount = f"{seconds // 3600} h"
    else:
        amount = f"{seconds // 86400} d"
    return f"in {amount}" if future else f"{amount} ago"


@register.simple_tag
def when(moment: datetime | None, empty: str = "—") -> SafeString:
    """A relative time with the exact one (in the active time zone) on hover."""
    if moment is None:
        return format_html('<span class="muted">{}</span>', empty)
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        local.strftime(EXACT_FORMAT),
        relative_time(moment=moment, now=timezone.now()),
    )


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, label: str, key: str) -> SafeString:
    """A column header that sorts by ``key`` (ascending first, then descending); the current
    sort is announced with ``aria-sort``."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    query: QueryDict = request.GET.copy()
    query.pop("page", None)
    if current == key:
        query["ordering"], state, arrow = f"-{key}", "ascending", " ▲"
    elif current == f"-{key}":
        query["ordering"], state, arrow = key, "descending", " ▼"
    else:
        query["ordering"], state, arrow = key, "none", ""
    return format_html(
        '<th scope="col" aria-sort="{}"><a href="?{}">{}<span aria-hidden="true">{}</span></a></th>',
        state,
        query.urlencode(),
        label,
        arrow,
    )
