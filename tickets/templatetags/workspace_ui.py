"""Template helpers of the agent pages: sortable column headers and the one way a time is shown.

``{% when moment %}`` is how every agent page shows a time: relative ("5 min ago"), the exact time
in the agent's zone on hover ("Sun 06 Dec 2026, 16:05 CET"), and ``datetime`` for the one
JavaScript formatter (``KimonDesk.formatWhen`` in ``static/js/kimondesk.js``), which renders times
that arrive live the same way and keeps relative times current."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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


def exact_time(moment: datetime) -> str:
    """``Sun 06 Dec 2026, 16:05 CET``: the exact time in the active (the agent's) time zone."""
    return timezone.localtime(moment).strftime(EXACT_FORMAT)


@register.simple_tag
def when(moment: datetime | str | None, empty: str = "—") -> SafeString:
    """A relative time with the exact one (in the active time zone) on hover; given a datetime
    or an ISO 8601 string."""
    if isinstance(moment, str):
        moment = parse_datetime(moment) if moment else None
    if moment is None:
        return format_html('<span class="muted">{}</span>', empty)
    return format_html(
        '<time class="when" datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        exact_time(moment),
        relative_time(moment=moment, now=timezone.now()),
    )


@register.simple_tag
def exact(moment: datetime | None) -> SafeString:
    """The exact time as the text (in the active time zone): where a relative time is shown
    beside it already, e.g. the SLA line's due time next to the badge's time left."""
    if moment is None:
        return format_html("")
    return format_html(
        '<time class="exact" datetime="{}">{}</time>', moment.isoformat(), exact_time(moment)
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
