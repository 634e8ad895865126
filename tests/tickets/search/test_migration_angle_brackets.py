"""The migration that indexes words in angle brackets again, on the documents written before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import ON_POSTGRES

BEFORE = [("tickets", "0009_merge_0008_macros_0008_note_question")]
AFTER = [("tickets", "0010_search_angle_brackets")]

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="only PostgreSQL stores search vectors")


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def _lexemes(ticket_id: int) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT unnest(tsvector_to_array(vector)) FROM tickets_ticketsearchdocument "
            "WHERE ticket_id = %s",
            [ticket_id],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_documents_with_angle_brackets_are_written_again_and_others_left_alone():
    old = migrate(BEFORE)
    try:
        customer = old.get_model("tickets", "Customer").objects.create(name="Ana", email="a@x.io")
        Ticket = old.get_model("tickets", "Ticket")
        Message = old.get_model("tickets", "Message")
        bracketed = Ticket.objects.create(subject="Sync <ERR_TIMEOUT>", customer=customer)
        Message.objects.create(ticket=bracketed, author_type="customer", body="See <quota>.")
        plain = Ticket.objects.create(subject="Plain", customer=customer)
        Message.objects.create(ticket=plain, author_type="customer", body="Hello")
        with connection.cursor() as cursor:
            # The documents as the code before the migration wrote them; the plain one marked,
            # to show that it is not written again.
            cursor.execute(
                "INSERT INTO tickets_ticketsearchdocument (ticket_id, vector, indexed_chars) "
                "VALUES (%s, to_tsvector('simple', 'Sync <ERR_TIMEOUT> See <quota>.'), 12), "
                "(%s, to_tsvector('simple', 'marker'), 5)",
                [bracketed.pk, plain.pk],
            )
        assert "quota" not in _lexemes(bracketed.pk)

        migrate(AFTER)

        assert {"sync", "err", "timeout", "see", "quota"} <= _lexemes(bracketed.pk)
        assert _lexemes(plain.pk) == {"marker"}
    finally:
        migrate(AFTER)
