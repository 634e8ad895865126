"""Ranked, permission-filtered ticket search.

A query matches the ticket number (``123`` or ``#123``), the subject, the customer's name, email
or external id, and the text of the messages. Only tickets the agent may see are searched, and
at most ``SEARCH_MAX_RESULTS`` of the best matches are returned, best first.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from tickets.models import OPEN_STATUSES, Agent, Customer, Message, Ticket, TicketSearchDocument
from tickets.selectors import tickets_visible_to

from .documents import SEARCH_CONFIG

# Bounds: the length of a query, how many tickets one search returns, how many customers a name
# may match (the closest first), and the shortest word searched as a prefix.
SEARCH_QUERY_MAX_CHARS = 200
SEARCH_MAX_RESULTS = 500
SEARCH_MAX_CUSTOMERS = 50
SEARCH_PREFIX_MIN_CHARS = 3
# PostgreSQL ranks the text matches among the newest this many matching tickets (more than the
# results it returns, fewer than a word in many tickets has), looked for in bands of ticket ids
# below the newest: the newest 5,000, then up to 15,000, ..., then all older ones
# (``_newest_matches``).
SEARCH_RANK_WINDOW = 600
SEARCH_ID_BANDS = (5_000, 15_000, 40_000, 100_000, 250_000)

_NUMBER = re.compile(r"^#?(\d{1,12})$")
# Characters kept in a search word: letters, digits and what emails and ids contain.
_WORD = re.compile(r"[\w@.+\-]+")

# How the kinds of match weigh against each other: the ticket number beats everything, a
# customer match beats a text match, and within each the closer match comes first.
_SCORE_NUMBER = 100.0
_SCORE_CUSTOMER = 2.0
_SCORE_TEXT = 1.0


class SearchQueryInvalid(ValueError):
    """The query cannot be searched (the message says why)."""


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    words: tuple[str, ...]
    number: int | None


def search_query_parse(*, query: str) -> ParsedQuery:
    """Split a query into words; ``SearchQueryInvalid`` if it is too long."""
    text = " ".join(query.split())
    if len(text) > SEARCH_QUERY_MAX_CHARS:
        raise SearchQueryInvalid(
            f"Ensure this value has at most {SEARCH_QUERY_MAX_CHARS} characters "
            f"(it has {len(text)})."
        )
    words = tuple(word.lower() for word in _WORD.findall(text) if any(ch.isalnum() for ch in word))
    number = _NUMBER.match(text)
    return ParsedQuery(text=text, words=words, number=int(number.group(1)) if number else None)


def ticket_search_ranked_ids(
    *,
    agent: Agent,
    query: str,
    statuses: Collection[str] | None = None,
    within: QuerySet[Ticket] | None = None,
) -> list[int]:
    """The ids of the visible tickets matching ``query``, best first (at most
    ``SEARCH_MAX_RESULTS``); a constant number of queries whatever the data size.

    ``statuses`` and ``within`` (tickets narrowed by other filters) narrow the search itself:
    the tickets they leave are ranked among themselves, so a bound filled by other tickets
    never hides them."""
    parsed = search_query_parse(query=query)
    if not parsed.words:
        return []
    visible = tickets_visible_to(agent=agent)
    if statuses is not None:
        visible = visible.filter(status__in=list(statuses))
    if within is not None:
        visible = visible.filter(pk__in=within.order_by().values("pk"))
    scores: dict[int, float] = {}
    if parsed.number is not None:
        for pk in visible.filter(pk=parsed.number).values_list("pk", flat=True):
            scores[pk] = _SCORE_NUMBER
    if connection.vendor == "postgresql":
        _score_postgres(scores, visible=visible, parsed=parsed)
    else:
        _score_like(scores, visible=visible, parsed=parsed)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
    return [pk for pk, _score in ranked[:SEARCH_MAX_RESULTS]]


def tickets_search(
    *,
    agent: Agent,
    query: str,
    tickets: QuerySet[Ticket] | None = None,
    statuses: Collection[str] | None = None,
    within: QuerySet[Ticket] | None = None,
) -> QuerySet[Ticket]:
    """``tickets`` (default: all the agent may see) matching ``query``, best first, annotated
    with ``search_position`` (1 is the best match). ``statuses`` and ``within`` narrow the
    search itself: the best matches among those tickets, not the best of all then filtered.
    (Pass ``within`` only when it narrows: it costs a subquery in the ranking.)"""
    ids = ticket_search_ranked_ids(agent=agent, query=query, statuses=statuses, within=within)
    rows = tickets if tickets is not None else tickets_visible_to(agent=agent)
    if not ids:
        return rows.none()
    position: Func | Case
    if connection.vendor == "postgresql":
        # One array parameter: a CASE with hundreds of branches costs more to build than to run.
        position = Func(
            Value(ids, output_field=ArrayField(IntegerField())),
            F("pk"),
            function="array_position",
            output_field=IntegerField(),
        )
    else:
        position = Case(
            *(When(pk=pk, then=Value(index + 1)) for index, pk in enumerate(ids)),
            output_field=IntegerField(),
        )
    return rows.filter(pk__in=ids).annotate(search_position=position).order_by("search_position")


def _tsquery(words: tuple[str, ...]) -> SearchQuery:
    """All words must match; the last one also as a prefix (the agent may still be typing)."""
    parts = [f"'{word}'" for word in words]
    if len(words[-1]) >= SEARCH_PREFIX_MIN_CHARS:
        parts[-1] += ":*"
    return SearchQuery(" & ".join(parts), search_type="raw", config=SEARCH_CONFIG)


def _score_postgres(
    scores: dict[int, float], *, visible: QuerySet[Ticket], parsed: ParsedQuery
) -> None:
    tsquery = _tsquery(parsed.words)
    matches = visible.filter(search_document__vector=tsquery)
    if parsed.number is None and "@" not in parsed.text:
        window = _newest_matches(matches)
    else:
        # A ticket number or an email address is in few tickets' text, if any: one GIN bitmap
        # over the whole table finds them at once, where the bands would ask the index in each
        # band. Ordered by an expression so that the planner never walks the ticket ids instead
        # (for a word found nowhere, that walk reads every ticket).
        window = matches.order_by(_NEWEST_FIRST).values("pk")[:SEARCH_RANK_WINDOW]
    text_hits = (
        TicketSearchDocument.objects.filter(ticket_id__in=Subquery(window))
        .annotate(rank=SearchRank(F("vector"), tsquery))
        .order_by("-rank", "-ticket_id")
        .values_list("ticket_id", "rank")[:SEARCH_MAX_RESULTS]
    )
    for pk, rank in text_hits:
        scores[pk] = scores.get(pk, 0.0) + _SCORE_TEXT + min(float(rank), 1.0)
    if "@" in parsed.text:
        # An email address: that customer exactly (an index on UPPER(email)).
        exact = Q(email__iexact=parsed.text)
        matching = exact
    else:
        # An external id exactly, or a name by trigram word similarity (typos, part of a name).
        exact = Q(external_id=parsed.text)
        matching = exact | Q(name__trigram_word_similar=parsed.text)
    customers = dict(
        Customer.objects.filter(matching)
        .annotate(
            closeness=Case(
                When(exact, then=Value(1.0)),
                default=TrigramWordSimilarity(parsed.text, "name"),
                output_field=FloatField(),
            )
        )
        .order_by("-closeness", "pk")
        .values_list("pk", "closeness")[:SEARCH_MAX_CUSTOMERS]
    )
    _score_customer_tickets(scores, visible=visible, customers=customers)


# Newest first by an expression, not by the id index: walking the ids and testing each ticket's
# vector is what the planner would otherwise pick for a word it thinks rare, and it reads every
# ticket (of the band) when the word is not there.
_NEWEST_FIRST = (F("id") + Value(0)).desc()


def _newest_matches(matches: QuerySet[Ticket]) -> QuerySet[Ticket, Any]:
    """The ids of the newest ``SEARCH_RANK_WINDOW`` of ``matches`` (the visible tickets matching
    the query's words): the only ones ranked, so a word in half a million tickets never means ranking half
    a million documents.

    Asked as one query over bands of ticket ids below the newest (``SEARCH_ID_BANDS``), newest
    band first, joined by ``UNION ALL`` under one ``LIMIT``: PostgreSQL reads the bands in order
    and stops as soon as the window is full. In each band the GIN index's matches are limited to
    the band's id range (a ``BitmapAnd`` with the primary key) before any row is read, so a word
    costs the matches of the bands it needs, not all of its matches (a word in a few thousand of
    1,000,000 tickets made the whole-table query read every match, or walk the ticket ids far
    looking for them: docs/benchmarks.md).
    """
    # The bounds are literals, so that the planner sees how many tickets each band holds.
    newest = (
        TicketSearchDocument.objects.order_by("-ticket_id")
        .values_list("ticket_id", flat=True)
        .first()
    ) or 0
    bands = []
    upper: int | None = None
    for lower in (*SEARCH_ID_BANDS, None):
        band = matches
        if lower is not None:
            band = band.filter(search_document__ticket_id__gt=newest - lower)
            if upper is not None:
                band = band.filter(search_document__ticket_id__lte=newest - upper)
        elif upper is not None:
            # The oldest band: its matches are few (the newer bands did not fill the window), so
            # they are read from the GIN index alone and the id bound is a filter; as an index
            # range it would cost a bitmap of most of the table for a word found nowhere.
            band = band.alias(doc_id=F("search_document__ticket_id") + Value(0)).filter(
                doc_id__lte=newest - upper
            )
        bands.append(band.order_by(_NEWEST_FIRST).values("pk")[:SEARCH_RANK_WINDOW])
        upper = lower
    first, *rest = bands
    return first.union(*rest, all=True)[:SEARCH_RANK_WINDOW]


def _score_customer_tickets(
    scores: dict[int, float], *, visible: QuerySet[Ticket], customers: dict[int, float]
) -> None:
    """Tickets of the matching customers, the closest customer first, open before closed."""
    if not customers:
        return
    rows = (
        visible.filter(customer_id__in=customers)
        .annotate(open_first=Case(When(status__in=OPEN_STATUSES, then=Value(1)), default=Value(0)))
        .order_by("-open_first", "-id")
        .values_list("pk", "customer_id", "open_first")[:SEARCH_MAX_RESULTS]
    )
    for pk, customer_id, is_open in rows:
        bonus = customers[customer_id] + 0.5 * is_open
        scores[pk] = scores.get(pk, 0.0) + _SCORE_CUSTOMER + bonus


def _score_like(
    scores: dict[int, float], *, visible: QuerySet[Ticket], parsed: ParsedQuery
) -> None:
    """SQLite: every word must appear (case-insensitively) in the subject, a message or the
    customer's name, email or external id; subject and customer matches rank first."""
    matches = visible
    for word in parsed.words:
        in_messages = Exists(Message.objects.filter(ticket=OuterRef("pk"), body__icontains=word))
        matches = matches.filter(
            Q(subject__icontains=word)
            | Q(customer__name__icontains=word)
            | Q(customer__email__icontains=word)
            | Q(customer__external_id__iexact=word)
            | in_messages
        )
    exact_customer = Q(customer__email__iexact=parsed.text) | Q(customer__external_id=parsed.text)
    rows = (
        matches.annotate(
            closeness=Case(
                When(exact_customer, then=Value(_SCORE_CUSTOMER + 1.0)),
                When(customer__name__icontains=parsed.text, then=Value(_SCORE_CUSTOMER + 0.5)),
                When(subject__icontains=parsed.text, then=Value(_SCORE_TEXT + 0.5)),
                default=Value(_SCORE_TEXT),
                output_field=FloatField(),
            )
        )
        .order_by("-closeness", "-id")
        .values_list("pk", "closeness")[:SEARCH_MAX_RESULTS]
    )
    for pk, closeness in rows:
        scores[pk] = scores.get(pk, 0.0) + closeness
