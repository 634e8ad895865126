"""Where a search matched in the conversation: one excerpt per listed ticket, its query words
marked, so that an agent sees why a ticket is listed before opening it.

The message shown is the ticket's newest one holding every word of the query, else its newest
one holding any of them; a ticket that matched only by number, subject or customer has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import and_, or_

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from tickets.models import AuthorType, Message, Ticket

from .selectors import search_query_parse

# Bounds: the characters an excerpt shows (about two lines of the results table) and how many
# of them come before the first marked word.
SEARCH_EXCERPT_MAX_CHARS = 200
SEARCH_EXCERPT_CHARS_BEFORE = 60


@dataclass(frozen=True)
class ExcerptPart:
    text: str
    matched: bool


@dataclass(frozen=True)
class SearchExcerpt:
    message_id: int
    # The agent who wrote it, or "Customer".
    author: str
    created_at: datetime
    parts: tuple[ExcerptPart, ...]
    # Whether the message goes on before or after the excerpt (shown as an ellipsis).
    cut_before: bool
    cut_after: bool


def search_excerpts(*, ticket_ids: list[int], query: str) -> dict[int, SearchExcerpt]:
    """The excerpt of each of ``ticket_ids`` whose messages hold a word of ``query`` (one query).

    The caller has already limited ``ticket_ids`` to tickets the agent may see.
    """
    words = search_query_parse(query=query).words
    if not ticket_ids or not words:
        return {}
    holds = [Q(body__icontains=word) for word in words]
    chosen = (
        Ticket.objects.filter(pk__in=ticket_ids)
        .annotate(
            excerpt_message=Coalesce(
                _newest_message(reduce(and_, holds)), _newest_message(reduce(or_, holds))
            )
        )
        .values("excerpt_message")
    )
    messages = Message.objects.filter(pk__in=chosen).select_related("author_agent")
    excerpts = {}
    for message in messages:
        excerpt = excerpt_build(message=message, words=words)
        if excerpt is not None:
            excerpts[message.ticket_id] = excerpt
    return excerpts


def _newest_message(holds: Q) -> Subquery:
    newest = (
        Message.objects.filter(holds, ticket=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    return Subquery(newest)


def excerpt_build(*, message: Message, words: tuple[str, ...]) -> SearchExcerpt | None:
    """The part of ``message`` around its first query word, every query word in it marked;
    ``None`` if none of the words is in it."""
    text = " ".join(message.body.split())
    pattern = _words_pattern(words, text)
    if pattern is None:
        return None
    first = pattern.search(text)
    assert first is not None
    start = max(0, first.start() - SEARCH_EXCERPT_CHARS_BEFORE)
    if start > 0:
        # Begin at a word, not inside one.
        space = text.find(" ", start, first.start())
        start = space + 1 if space != -1 else first.start()
    end = min(len(text), start + SEARCH_EXCERPT_MAX_CHARS)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space != -1 else end
    window = text[start:end]
    parts: list[ExcerptPart] = []
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            parts.append(ExcerptPart(window[position : match.start()], matched=False))
        parts.append(ExcerptPart(match.group(), matched=True))
        position = match.end()
    if position < len(window):
        parts.append(ExcerptPart(window[position:], matched=False))
    return SearchExcerpt(
        message_id=message.pk,
        author=str(message.author_agent or AuthorType(message.author_type).label),
        created_at=message.created_at,
        parts=tuple(parts),
        cut_before=start > 0,
        cut_after=end < len(text),
    )


def _words_pattern(words: tuple[str, ...], text: str) -> re.Pattern[str] | None:
    """The words where they begin a word of ``text`` ("error" marks "errors", as the search
    takes the last word as a prefix); else anywhere (SQLite matches inside words too)."""
    # Two words match at one place only if one begins the other: in reverse order the longer
    # comes first, so that it is marked whole.
    alternatives = "|".join(re.escape(word) for word in sorted(words, reverse=True))
    for pattern in (rf"(?<!\w)(?:{alternatives})", alternatives):
        compiled = re.compile(pattern, re.IGNORECASE)
        if compiled.search(text):
            return compiled
    return None
