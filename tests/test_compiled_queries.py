"""A compiled query returns what its queryset returns, compiles once per connection and shape,
and refuses what it cannot compile rather than run another query's SQL."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections, transaction
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from kimondesk.compiled_queries import CompiledQuery, compiled_statements_forget
from tests import factories
from tickets.models import Tag, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

_ticket_with_queue = CompiledQuery(
    lambda *, ticket_id: (
        Ticket.objects.select_related("queue__team", "assignee")
        .annotate(tag_count=Count("tags"))
        .filter(pk=ticket_id)
    ),
    ticket_id=int,
)
_subjects_of_queue = CompiledQuery(
    lambda *, queue_id, status: (
        Ticket.objects.filter(queue_id=queue_id, status=status)
        .order_by("pk")
        .values_list("pk", "subject")
    ),
    queue_id=int,
    status=str,
)
_subject_flat = CompiledQuery(
    lambda *, ticket_id: Ticket.objects.filter(pk=ticket_id).values_list("subject", flat=True),
    ticket_id=int,
)
_tags_named = CompiledQuery(lambda names: Tag.objects.filter(name__in=list(names)).order_by("name"))


def _count_compilations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def test_model_instances_with_related_rows_and_annotations_match_the_queryset(queue, junior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior, subject="Broken invoice")
    ticket.tags.add(Tag.objects.create(name="billing"), Tag.objects.create(name="vip"))
    other = factories.TicketFactory(queue=queue, assignee=None)

    got = _ticket_with_queue.get(ticket_id=ticket.pk)
    expected = Ticket.objects.get(pk=ticket.pk)
    with CaptureQueriesContext(connection) as loaded:
        # Every column is loaded (none deferred), converted as the queryset converts it.
        for field in Ticket._meta.concrete_fields:
            assert getattr(got, field.attname) == getattr(expected, field.attname), field
            assert type(getattr(got, field.attname)) is type(getattr(expected, field.attname))
        assert got.tag_count == 2
        assert got.queue.team.name == queue.team.name
        assert got.assignee == junior
    assert len(loaded) == 0  # select_related rows came with the statement
    assert got._state.adding is False
    assert got._state.db == "default"
    assert got.queue._state.db == "default"
    assert got.assignee._state.db == "default"
    # A second call runs the same statement with another value: the other ticket, no holder.
    unassigned = _ticket_with_queue.get(ticket_id=other.pk)
    assert (unassigned.pk, unassigned.assignee, unassigned.tag_count) == (other.pk, None, 0)


def test_deferred_columns_are_deferred_as_the_queryset_defers_them(queue):
    ticket = factories.TicketFactory(queue=queue, subject="Only this")
    compiled = CompiledQuery(
        lambda *, ticket_id: Ticket.objects.only("subject").filter(pk=ticket_id), ticket_id=int
    )
    got = compiled.get(ticket_id=ticket.pk)
    assert (
        got.get_deferred_fields()
        == Ticket.objects.only("subject").get(pk=ticket.pk).get_deferred_fields()
    )
    assert (got.pk, got.subject) == (ticket.pk, "Only this")


def test_values_list_rows_tuples_and_flat(queue):
    first = factories.TicketFactory(queue=queue, subject="One", status="open")
    second = factories.TicketFactory(queue=queue, subject="Two", status="open")
    factories.TicketFactory(queue=queue, subject="Closed", status="closed")

    assert _subjects_of_queue.rows(queue_id=queue.pk, status="open") == [
        (first.pk, "One"),
        (second.pk, "Two"),
    ]
    assert _subjects_of_queue.rows(queue_id=queue.pk, status="pending") == []
    assert _subject_flat.rows(ticket_id=second.pk) == ["Two"]


def test_values_are_converted_as_the_queryset_converts_them(queue):
    """Dates, JSON and booleans come back as Python values (SQLite returns text for some)."""
    ticket = factories.TicketFactory(queue=queue)
    event = factories.TicketEventFactory(ticket=ticket, kind="tags_changed", data={"added": ["x"]})
    columns = ("created_at", "data", "kind")
    compiled = CompiledQuery(
        lambda *, event_id: TicketEvent.objects.filter(pk=event_id).values_list(*columns),
        event_id=int,
    )
    (row,) = compiled.rows(event_id=event.pk)
    expected = TicketEvent.objects.filter(pk=event.pk).values_list(*columns).get()
    assert row == expected
    assert [type(v) for v in row] == [type(v) for v in expected]
    assert row[1] == {"added": ["x"]}


def test_get_and_first_answer_as_the_queryset_does(queue):
    ticket = factories.TicketFactory(queue=queue)
    assert _ticket_with_queue.first(ticket_id=ticket.pk + 1000) is None
    with pytest.raises(Ticket.DoesNotExist, match=r"^Ticket matching query does not exist\.$"):
        _ticket_with_queue.get(ticket_id=ticket.pk + 1000)
    Tag.objects.create(name="a")
    Tag.objects.create(name="b")
    with pytest.raises(Tag.MultipleObjectsReturned, match="it returned 2"):
        _tags_named.get(("a", "b"))
    assert [t.name for t in _tags_named.all(("b", "a"))] == ["a", "b"]
    # The shape reaches first() and get() too.
    assert _tags_named.first(("b",)).name == "b"
    assert _tags_named.get(("a",)).name == "a"


def test_compiled_once_per_process_and_shape(queue, monkeypatch):
    compiled_statements_forget()
    tickets = [factories.TicketFactory(queue=queue) for _ in range(3)]
    compilations = _count_compilations(monkeypatch)
    with CaptureQueriesContext(connection) as run:
        for ticket in tickets:
            _subject_flat.rows(ticket_id=ticket.pk)
    assert len(compilations) == 1
    assert len(run) == 3  # every statement still goes through the connection's cursor
    Tag.objects.create(name="a")
    _tags_named.all(("a",))
    _tags_named.all(("a",))
    _tags_named.all(("a", "b"))
    assert len(compilations) == 3  # one per shape


@pytest.mark.django_db(transaction=True)
def test_another_connection_object_uses_the_compiled_statement(queue, monkeypatch):
    """Under ASGI every request has its own connection object: the statement is not compiled
    again for each."""
    ticket = factories.TicketFactory(queue=queue, subject="Seen elsewhere")
    compiled_statements_forget()
    compilations = _count_compilations(monkeypatch)
    assert _subject_flat.rows(ticket_id=ticket.pk) == ["Seen elsewhere"]
    seen: list[object] = []

    def elsewhere() -> None:
        try:
            assert connections["default"] is not here
            seen.extend(_subject_flat.rows(ticket_id=ticket.pk))
        finally:
            connections.close_all()

    here = connections["default"]
    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert seen == ["Seen elsewhere"]
    assert len(compilations) == 1


def test_values_are_checked_before_anything_runs(queue):
    with pytest.raises(TypeError, match="ticket_id: expected int"):
        _subject_flat.rows(ticket_id="7")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ticket_id: expected int"):
        _subject_flat.rows(ticket_id=None)  # type: ignore[arg-type]  # would need IS NULL
    with pytest.raises(TypeError, match="ticket_id: expected int"):
        _subject_flat.rows(ticket_id=True)
    with pytest.raises(TypeError, match="expected the values"):
        _subject_flat.rows()
    with pytest.raises(TypeError, match="expected the values"):
        _subject_flat.rows(ticket_id=1, extra=2)


def test_the_wrong_reader_is_refused(queue):
    ticket = factories.TicketFactory(queue=queue)
    with pytest.raises(TypeError, match=r"^a values_list query: use rows\(\)$"):
        _subject_flat.all(ticket_id=ticket.pk)
    with pytest.raises(
        TypeError, match=r"^a query of model instances: use all\(\), first\(\) or get\(\)$"
    ):
        _ticket_with_queue.rows(ticket_id=ticket.pk)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # Django rewrites the value (into a LIKE pattern): what would be substituted is not it.
        (lambda *, n: Ticket.objects.filter(subject__startswith=str(n)), "exactly once"),
        # The value is written into the SQL text as well as passed.
        (
            lambda *, n: Ticket.objects.filter(pk=n).extra(where=[f"id <> {n}"]),  # noqa: S610
            "exactly once",
        ),
        # DISTINCT with an ordering outside the selected columns adds a column to the rows.
        (
            lambda *, n: (
                Ticket.objects.filter(pk=n)
                .values_list("pk", flat=True)
                .distinct()
                .order_by("subject")
            ),
            "an ordering outside the selected columns",
        ),
        # The value reaches the parameters twice.
        (lambda *, n: Ticket.objects.filter(pk=n, queue_id=n), "exactly once"),
        # The value never reaches the statement.
        (lambda *, n: Ticket.objects.all(), "exactly once"),
        (lambda *, n: Ticket.objects.filter(pk=n).values("subject"), "values_list compile"),
        (lambda *, n: Ticket.objects.filter(pk=n).prefetch_related("tags"), "values_list compile"),
    ],
)
def test_a_query_that_cannot_be_compiled_fails_at_once(db, build, message):
    # The message names the builder (here a lambda) so the faulty declaration is found.
    with pytest.raises(ImproperlyConfigured, match=f"^<lambda>: .*{message}"):
        CompiledQuery(build, n=int).all(n=5)


def test_only_int_and_str_values_are_declared():
    with pytest.raises(ImproperlyConfigured, match="only int and str"):
        CompiledQuery(lambda *, at: Ticket.objects.filter(created_at=at), at=object)  # type: ignore[arg-type]


@pytest.mark.postgres  # SQLite has no SELECT … FOR UPDATE: nothing to guard there
@pytest.mark.django_db(transaction=True)
def test_select_for_update_needs_a_transaction_on_every_call(queue):
    ticket = factories.TicketFactory(queue=queue)
    locked = CompiledQuery(
        lambda *, ticket_id: Ticket.objects.select_for_update().filter(pk=ticket_id),
        ticket_id=int,
    )
    with transaction.atomic():
        assert locked.get(ticket_id=ticket.pk).pk == ticket.pk  # compiled here
    with pytest.raises(
        TransactionManagementError,
        match=r"^select_for_update cannot be used outside of a transaction\.$",
    ):
        locked.get(ticket_id=ticket.pk)


def test_visible_ticket_with_queue_answers_as_tickets_visible_to(team, lead, junior, admin_user):
    from tickets.selectors import ticket_visible_with_queue, tickets_visible_to

    other_team = factories.TeamFactory(name="Other")
    own_queue = factories.QueueFactory(team=team)
    other_queue = factories.QueueFactory(team=other_team)
    teamless = factories.AgentFactory(team=None)
    tickets = [
        factories.TicketFactory(queue=own_queue),
        factories.TicketFactory(queue=other_queue),
        factories.TicketFactory(queue=other_queue, assignee=junior),
        factories.TicketFactory(queue=other_queue, assignee=teamless),
    ]
    seen = {}
    for agent in (lead, junior, admin_user, teamless):
        visible = set(tickets_visible_to(agent=agent).values_list("pk", flat=True))
        for ticket in tickets:
            got = ticket_visible_with_queue(agent=agent, ticket_id=ticket.pk)
            assert (got is not None) == (ticket.pk in visible), (agent, ticket)
            if got is not None:
                assert got.queue.pk == ticket.queue_id
        seen[agent.username] = len(visible & {t.pk for t in tickets})
    # Each way of seeing tickets is exercised: the team's, the team's plus own, all, own only.
    assert sorted(seen.values()) == [1, 1, 2, 4]
