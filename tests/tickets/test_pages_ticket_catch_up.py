"""The catch-up endpoint's missed messages and notes (a page reconnecting after a drop)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tickets import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(queue, junior):
    return factories.TicketFactory(queue=queue, assignee=junior)


def _live(client, ticket, **params):
    return client.get(reverse("ticket_live", args=[ticket.pk]), {"since": 0, **params})


def test_only_messages_and_notes_newer_than_the_page_shows_come_back_oldest_first(
    client, ticket, senior
):
    seen_message = factories.MessageFactory(ticket=ticket, body="seen")
    seen_note = factories.NoteFactory(ticket=ticket, author=senior, body="seen note")
    missed_message = factories.MessageFactory(ticket=ticket, body="Still <b>charged</b> twice")
    missed_note = factories.NoteFactory(ticket=ticket, author=senior, body="Refund approved.")
    client.force_login(senior)

    data = _live(client, ticket, messages_after=seen_message.pk, notes_after=seen_note.pk).json()

    assert [e["id"] for e in data["entries"]] == [
        f"message-{missed_message.pk}",
        f"note-{missed_note.pk}",
    ]
    assert "Still &lt;b&gt;charged&lt;/b&gt; twice" in data["entries"][0]["html"]
    assert ticket.customer.name in data["entries"][0]["html"]
    assert f"{senior}" in data["entries"][1]["html"]
    assert data["entries_left"] is False


def test_without_the_ids_the_answer_has_no_timeline(client, ticket, senior):
    factories.MessageFactory(ticket=ticket)
    client.force_login(senior)

    data = _live(client, ticket).json()

    assert ("entries" in data, "entries_left" in data) == (False, False)


def test_at_most_the_bound_comes_back_and_the_page_is_told_more_wait(
    client, ticket, senior, monkeypatch
):
    monkeypatch.setattr(selectors, "CATCH_UP_MAX_ENTRIES", 2)
    messages = factories.MessageFactory.create_batch(3, ticket=ticket)
    client.force_login(senior)

    data = _live(client, ticket, messages_after=0, notes_after=0).json()

    assert [e["id"] for e in data["entries"]] == [f"message-{m.pk}" for m in messages[:2]]
    assert data["entries_left"] is True


@pytest.mark.parametrize(
    ("field", "value"),
    [("messages_after", "x"), ("notes_after", "-1"), ("messages_after", "9" * 19)],
    ids=["not-a-number", "negative", "too-long"],
)
def test_a_bad_id_is_refused_naming_the_field(client, ticket, senior, field, value):
    client.force_login(senior)

    response = _live(client, ticket, **{field: value})

    assert (response.status_code, response.json()) == (
        400,
        {field: ["Must be a message or note id (0 or more)."]},
    )


def test_another_teams_agent_gets_nothing_of_the_timeline(client, ticket):
    factories.MessageFactory(ticket=ticket, body="private")
    outsider = factories.AgentFactory(username="outsider", team=factories.TeamFactory(name="B"))
    client.force_login(outsider)

    response = _live(client, ticket, messages_after=0, notes_after=0)

    assert response.status_code == 404
    assert b"private" not in response.content


def test_the_catch_up_costs_the_same_queries_for_3_or_9_missed_entries(
    client, ticket, senior, django_assert_num_queries
):
    client.force_login(senior)

    def grow(n):
        factories.MessageFactory.create_batch(n, ticket=ticket)
        factories.MessageFactory.create_batch(
            n, ticket=ticket, author_type="agent", author_agent=senior
        )
        factories.NoteFactory.create_batch(n, ticket=ticket, author=senior)

    grow(1)
    with CaptureQueriesContext(connection) as small:
        _live(client, ticket, messages_after=0, notes_after=0)
    grow(3)

    with django_assert_num_queries(len(small.captured_queries)):
        data = _live(client, ticket, messages_after=0, notes_after=0).json()

    assert len(data["entries"]) == 12
