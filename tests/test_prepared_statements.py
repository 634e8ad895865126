"""On PostgreSQL the hot statements (compiled queries, ``rows_insert``, the write path's fixed
SQL) are prepared on their connection; everything else the ORM runs is not."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kimondesk.compiled_queries import CompiledQuery, _prepares, rows_insert
from tests import factories
from tickets.models import Note, NoteKind, Ticket, TicketFollower

_ticket_with_queue = CompiledQuery(
    lambda *, ticket_id: Ticket.objects.select_related("queue", "customer").filter(pk=ticket_id),
    ticket_id=int,
)


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_compiled_query_is_prepared_once_per_connection_and_answers_as_the_orm(queue):
    tickets = [factories.TicketFactory(queue=queue) for _ in range(3)]

    found = [_ticket_with_queue.get(ticket_id=t.pk) for t in tickets * 2]

    mine = [s for s in _prepared() if '"tickets_customer"' in s and "$1" in s]
    assert len(mine) == 1  # six runs, one statement parsed and planned
    by_orm = {t.pk: t for t in Ticket.objects.select_related("queue", "customer")}
    assert [(t.pk, t.queue.name, t.customer.name, t.created_at) for t in found] == [
        (t.pk, by_orm[t.pk].queue.name, by_orm[t.pk].customer.name, by_orm[t.pk].created_at)
        for t in tickets * 2
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_rest_of_the_orm_is_never_prepared(queue):
    ticket = factories.TicketFactory(queue=queue)
    before = _prepared()

    for _ in range(20):  # far past psycopg's default threshold of 5
        assert Ticket.objects.filter(pk=ticket.pk, subject=ticket.subject).exists()

    assert _prepared() == before


@pytest.mark.postgres
@pytest.mark.django_db
def test_prepared_statements_keep_their_text_in_the_query_log(queue):
    ticket = factories.TicketFactory(queue=queue)

    with CaptureQueriesContext(connection) as queries:
        _ticket_with_queue.get(ticket_id=ticket.pk)
        _ticket_with_queue.get(ticket_id=ticket.pk)
        rows_insert([Note(ticket=ticket, body="logged", kind=NoteKind.NOTE)])

    logged = [q["sql"] for q in queries.captured_queries]
    assert [sql.split(" ", 1)[0] for sql in logged] == ["SELECT", "SELECT", "INSERT"]
    assert all('"tickets_' in sql for sql in logged)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_prepared_insert_raises_django_integrity_error(queue, junior):
    ticket = factories.TicketFactory(queue=queue)
    rows_insert([TicketFollower(ticket=ticket, agent=junior)])

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert([TicketFollower(ticket=ticket, agent=junior)])

    assert TicketFollower.objects.filter(ticket=ticket).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_without_a_threshold_in_the_options_nothing_is_prepared(queue, monkeypatch):
    """``DB_PREPARED_STATEMENTS=false`` (a proxy that pools by transaction): plain cursors."""
    ticket = factories.TicketFactory(queue=queue)
    options = dict(connection.settings_dict["OPTIONS"])
    options.pop("prepare_threshold", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    before = _prepared()

    for _ in range(3):
        assert _ticket_with_queue.get(ticket_id=ticket.pk).pk == ticket.pk
    rows_insert([Note(ticket=ticket, body="unprepared", kind=NoteKind.NOTE)])

    assert _prepared() == before


@pytest.mark.parametrize(
    ("vendor", "options", "prepares"),
    [
        ("postgresql", {"prepare_threshold": 2**31 - 1}, True),
        ("postgresql", {"prepare_threshold": 0}, True),  # psycopg's "prepare at once"
        ("postgresql", {"prepare_threshold": None}, False),
        ("postgresql", {}, False),  # DB_PREPARED_STATEMENTS=false
        ("sqlite", {"prepare_threshold": 2**31 - 1}, False),
    ],
)
def test_which_databases_prepare(vendor, options, prepares):
    db = SimpleNamespace(vendor=vendor, settings_dict={"OPTIONS": options})
    assert _prepares(db) is prepares
