"""Writes of the search documents: called by the ticket write services, inside their transaction.

Only PostgreSQL stores vectors; on SQLite these functions do nothing (search uses ``LIKE``).
"""

from __future__ import annotations

from django.db import connection

from kimondesk.compiled_queries import statement_cursor
from tickets.models import Message, Ticket, TicketSearchDocument

# The text search configuration: no stemming and no stop words, so names, product words and
# identifiers match as typed, in any language. Queries use the same one.
SEARCH_CONFIG = "simple"
# Message text indexed per ticket, in characters: enough for long threads, and a ``tsvector``
# stays far below PostgreSQL's 1 MB limit. Later text is not searchable.
SEARCH_DOCUMENT_MAX_CHARS = 100_000


def _words_of(text_sql: str) -> str:
    """The SQL of ``text_sql``'s search vector. PostgreSQL's parser drops whatever looks like
    an XML tag, so "<ERR_TIMEOUT>" or "<modem>" would never be found: a "<" is read as a space."""
    return f"to_tsvector(%s, replace({text_sql}, '<', ' '))"


_DOC = TicketSearchDocument._meta.db_table
_TICKET = Ticket._meta.db_table
_MESSAGE = Message._meta.db_table


def _stores_vectors() -> bool:
    return connection.vendor == "postgresql"


def ticket_search_documents_rebuild(*, ticket_ids: list[int] | None = None) -> None:
    """(Re)write the search documents of ``ticket_ids`` (``None``: every ticket) in one
    statement: the subject (weight A) and the messages' text, oldest first (weight C)."""
    if not _stores_vectors():
        return
    where, params = ("", []) if ticket_ids is None else ("WHERE t.id = ANY(%s)", [ticket_ids])
    sql = f"""
        INSERT INTO {_DOC} (ticket_id, vector, indexed_chars)
        SELECT t.id,
               setweight({_words_of("t.subject")}, 'A')
               || setweight({_words_of("coalesce(m.body, '')")}, 'C'),
               coalesce(length(m.body), 0)
        FROM {_TICKET} t
        LEFT JOIN LATERAL (
            SELECT left(string_agg(body, ' ' ORDER BY created_at, id), %s) AS body
            FROM {_MESSAGE} WHERE ticket_id = t.id
        ) m ON true
        {where}
        ON CONFLICT (ticket_id) DO UPDATE
        SET vector = EXCLUDED.vector, indexed_chars = EXCLUDED.indexed_chars
    """  # noqa: S608 (table names come from the models; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [SEARCH_CONFIG, SEARCH_CONFIG, SEARCH_DOCUMENT_MAX_CHARS, *params])


def ticket_search_document_append(*, ticket_id: int, text: str) -> None:
    """Add a new message's text to the ticket's document (one statement, no read first).

    A ticket written without a document (bulk-loaded data) gets its whole document built.
    """
    if not _stores_vectors():
        return
    sql = f"""
        UPDATE {_DOC}
        SET vector = coalesce(vector, ''::tsvector) || setweight(
                {_words_of("left(%s, greatest(%s - indexed_chars, 0))")}, 'C'),
            indexed_chars = least(indexed_chars + length(%s), %s)
        WHERE ticket_id = %s
    """  # noqa: S608 (the table name comes from the model; values are parameters)
    with statement_cursor(connection) as cursor:
        cursor.execute(
            sql,
            [
                SEARCH_CONFIG,
                text,
                SEARCH_DOCUMENT_MAX_CHARS,
                text,
                SEARCH_DOCUMENT_MAX_CHARS,
                ticket_id,
            ],
        )
        updated = cursor.rowcount
    if updated == 0:
        ticket_search_documents_rebuild(ticket_ids=[ticket_id])
