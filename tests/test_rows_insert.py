"""``rows_insert`` writes what ``bulk_create`` writes, in one statement built once per model and
row count, and refuses what it would not write the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.sql.compiler import SQLInsertCompiler
from django.test.utils import CaptureQueriesContext

from escalations.models import AuditEvent, Escalation, EventEvaluation
from kimondesk import compiled_queries
from kimondesk.compiled_queries import (
    compiled_statements_forget,
    insert_head,
    insert_values,
    row_update,
    rows_insert,
)
from tests import factories
from tickets.models import Customer, Note, NoteKind, Ticket, TicketEvent, TicketFollower

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _statements_built_afresh():
    """Each test builds its statements itself (the process keeps them once built)."""
    compiled_statements_forget()
    yield
    compiled_statements_forget()


def _columns(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_rows_read_back_as_bulk_create_writes_them(queue, junior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    built = [
        AuditEvent(kind="k1", actor=junior, actor_label="x", ticket=ticket, data={"a": [1, "é"]}),
        AuditEvent(kind="k2", actor=None, actor_label="rule", ticket=None, before={"n": None}),
    ]
    twins = [
        AuditEvent(kind="k1", actor=junior, actor_label="x", ticket=ticket, data={"a": [1, "é"]}),
        AuditEvent(kind="k2", actor=None, actor_label="rule", ticket=None, before={"n": None}),
    ]

    written = rows_insert(built)
    AuditEvent.objects.bulk_create(twins)

    assert written is built
    assert all(e.pk is not None and e._state.adding is False for e in written)
    assert all(e._state.db == "default" for e in written)
    assert written[0].pk < written[1].pk  # primary keys in the order of the rows
    for mine, theirs in zip(written, twins, strict=True):
        stored, expected = (
            _columns(AuditEvent.objects.get(pk=mine.pk)),
            _columns(AuditEvent.objects.get(pk=theirs.pk)),
        )
        # auto_now_add filled on the instance and stored as is
        assert stored.pop("created_at") == mine.created_at
        assert isinstance(mine.created_at, dt.datetime)
        expected.pop("created_at")
        assert stored.pop("id") == mine.pk
        expected.pop("id")
        assert stored == expected


def test_one_statement_compiled_once_per_model_and_row_count(queue, junior, monkeypatch):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    compiled: list[int] = []
    real = SQLInsertCompiler.as_sql
    monkeypatch.setattr(
        SQLInsertCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or real(self, *a, **k)
    )

    heads: list[tuple[type, int]] = []
    real_head = compiled_queries.insert_head
    monkeypatch.setattr(
        compiled_queries,
        "insert_head",
        lambda model, rows, using: heads.append((model, rows)) or real_head(model, rows, using),
    )

    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            rows_insert([Note(ticket=ticket, body=f"note {n}", kind=NoteKind.NOTE)])
            rows_insert(
                [
                    TicketEvent(ticket=ticket, kind="note_added", data={"n": n}),
                    TicketEvent(ticket=ticket, kind="note_added", data={"n": -n}),
                ]
            )

    assert compiled == []  # Django's insert compiler is never asked
    assert heads == [(Note, 1), (TicketEvent, 2)]  # built once per model and row count
    assert len(queries) == 6
    assert all(q["sql"].startswith("INSERT INTO") for q in queries.captured_queries)
    assert list(
        Note.objects.filter(ticket=ticket).order_by("pk").values_list("body", flat=True)
    ) == [
        "note 0",
        "note 1",
        "note 2",
    ]
    assert TicketEvent.objects.filter(ticket=ticket).count() == 6


def test_a_unique_key_refuses_the_row_as_a_create_would(queue, junior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    first = Escalation(ticket=ticket, trigger="manual", occurrence="once", from_agent=junior)
    rows_insert([first])

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(
            [Escalation(ticket=ticket, trigger="manual", occurrence="once", from_agent=junior)]
        )
    assert Escalation.objects.filter(ticket=ticket).count() == 1


def test_refusals(queue, junior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    saved = Note.objects.create(ticket=ticket, body="kept", kind=NoteKind.NOTE)

    with pytest.raises(ValueError, match="has a primary key already"):
        rows_insert([saved])
    with pytest.raises(ValueError, match="body: an expression is not compiled"):
        rows_insert([Note(ticket=ticket, body=F("kind"), kind=NoteKind.NOTE)])
    with pytest.raises(
        ImproperlyConfigured,
        match=r"^tickets\.Ticket\.version: a database default or a custom placeholder is not "
        r"compiled; use bulk_create$",
    ):
        rows_insert([Ticket(subject="s", customer=ticket.customer, queue=queue)])
    with pytest.raises(
        ValueError, match=r"rows_insert\(\) prohibited .* unsaved related object 'ticket'"
    ):
        rows_insert([Note(ticket=Ticket(subject="unsaved"), body="x", kind=NoteKind.NOTE)])
    assert rows_insert([]) == []
    assert list(Note.objects.filter(ticket=ticket).values_list("body", flat=True)) == ["kept"]


def test_a_field_with_its_own_placeholder_is_refused(monkeypatch):
    # A field that writes its value through SQL of its own (``get_placeholder``, as geometry
    # fields do) would need Django's compiler.
    monkeypatch.setattr(
        Note._meta.get_field("body"), "get_placeholder", lambda *a: "UPPER(%s)", raising=False
    )
    with pytest.raises(ImproperlyConfigured, match=r"^tickets\.Note\.body: a database default"):
        insert_head(Note, 1, "default")


def test_without_returning_it_is_bulk_create(queue, junior, monkeypatch):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)

    written = rows_insert([Note(ticket=ticket, body="one", kind=NoteKind.NOTE)])

    assert [n.body for n in written] == ["one"]
    assert list(Note.objects.filter(ticket=ticket).values_list("body", flat=True)) == ["one"]


def test_the_head_and_values_of_an_upsert_are_those_of_rows_insert(queue, junior):
    """What ``reports.services`` appends its ``ON CONFLICT`` clause to."""
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    head, fields = insert_head(TicketEvent, 2, "default")
    columns = [f.column for f in fields]
    assert "id" not in columns
    assert {"ticket_id", "kind", "data", "created_at"} <= set(columns)
    assert head.startswith(f"INSERT INTO {connection.ops.quote_name('tickets_ticketevent')} (")
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    assert head.endswith(f" VALUES {row}, {row}")
    at = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    values = {f.attname: None for f in fields}
    params = []
    for n in (1, 2):
        values.update(ticket_id=ticket.pk, kind="note_added", data={"n": n}, created_at=at)
        params += insert_values(fields, values)
    with connection.cursor() as cursor:
        cursor.execute(head, params)
    stored = TicketEvent.objects.filter(ticket=ticket, kind="note_added").order_by("pk")
    assert [(e.data, e.created_at) for e in stored] == [({"n": 1}, at), ({"n": 2}, at)]


def test_ignoring_conflicts_skips_the_rows_a_unique_key_refuses(queue, junior, senior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    first = rows_insert([TicketFollower(ticket=ticket, agent=junior)], ignore_conflicts=True)

    with CaptureQueriesContext(connection) as queries:
        again = rows_insert(
            [
                TicketFollower(ticket=ticket, agent=junior),
                TicketFollower(ticket=ticket, agent=senior),
            ],
            ignore_conflicts=True,
        )

    assert len(queries) == 1
    assert "ON CONFLICT DO NOTHING" in queries.captured_queries[0]["sql"]
    # As bulk_create(ignore_conflicts=True): nothing is read back, primary keys stay unset.
    assert [f.pk for f in first + again] == [None, None, None]
    followers = TicketFollower.objects.filter(ticket=ticket).order_by("pk")
    assert [f.agent_id for f in followers] == [junior.pk, senior.pk]


def test_a_declared_primary_key_is_written(queue, junior):
    """``EventEvaluation``'s key is its event (one-to-one), not one the database gives."""
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    event = TicketEvent.objects.create(ticket=ticket, kind="note_added")

    rows_insert([EventEvaluation(event=event)], ignore_conflicts=True)
    rows_insert([EventEvaluation(event=event)], ignore_conflicts=True)  # a second receipt: none
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert([EventEvaluation(event=event)])

    assert list(EventEvaluation.objects.values_list("event_id", flat=True)) == [event.pk]


def test_row_update_writes_the_named_fields_only_as_save_would(queue, junior):
    customer = factories.CustomerFactory(name="Before", email="before@example.com")
    stamp = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Customer.objects.filter(pk=customer.pk).update(updated_at=stamp)
    customer.name = "After"
    customer.email = "not-written@example.com"

    with CaptureQueriesContext(connection) as queries:
        assert row_update(customer, ["name", "updated_at"]) == 1

    stored = Customer.objects.get(pk=customer.pk)
    assert len(queries) == 1
    assert (stored.name, stored.email) == ("After", "before@example.com")
    assert stored.updated_at > stamp  # auto_now filled, as save(update_fields=…) fills it
    assert stored.updated_at == customer.updated_at


def test_row_update_of_a_missing_row_updates_nothing(queue):
    customer = factories.CustomerFactory()
    Customer.objects.filter(pk=customer.pk).delete()
    assert row_update(customer, ["name"]) == 0


def test_row_update_is_built_once_per_model_and_fields(queue, monkeypatch):
    customer = factories.CustomerFactory()
    fields_read = []
    real_get_field = Customer._meta.get_field
    monkeypatch.setattr(
        Customer._meta,
        "get_field",
        lambda name: fields_read.append(name) or real_get_field(name),
    )

    for n in range(3):
        customer.name = f"name {n}"
        row_update(customer, ["name"])
    row_update(customer, ["email"])

    assert fields_read == ["name", "email"]
    assert Customer.objects.get(pk=customer.pk).name == "name 2"


@pytest.mark.parametrize("name", ["id", "tickets"])
def test_row_update_refuses_what_is_not_a_column_it_writes(queue, name):
    customer = factories.CustomerFactory()
    with pytest.raises(ImproperlyConfigured, match=rf"^tickets\.Customer\.{name}: not a column"):
        row_update(customer, [name])


def test_row_update_leaves_a_creation_stamp_as_it_is(queue):
    """``pre_save`` of an update: ``auto_now_add`` fills only on insert."""
    customer = factories.CustomerFactory()
    created = dt.datetime(2021, 5, 6, 7, 8, tzinfo=dt.UTC)
    customer.created_at = created

    row_update(customer, ["created_at"])

    assert Customer.objects.get(pk=customer.pk).created_at == created


def test_without_returning_ignoring_conflicts_is_bulk_create_ignoring_them(
    queue, junior, monkeypatch
):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)

    rows_insert([TicketFollower(ticket=ticket, agent=junior)], ignore_conflicts=True)
    rows_insert([TicketFollower(ticket=ticket, agent=junior)], ignore_conflicts=True)

    assert TicketFollower.objects.filter(ticket=ticket).count() == 1
