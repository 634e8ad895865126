"""No lost updates through the API: ``ETag`` on reads, ``If-Match`` on ``PATCH``."""

from __future__ import annotations

import pytest

from tests import factories
from tickets import services
from tickets.models import EventKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(queue, junior):
    return factories.TicketFactory(queue=queue, assignee=junior, priority="normal", status="open")


def _url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/"


def test_a_read_carries_the_version_as_etag(client_for, junior, ticket):
    reply = client_for(junior).get(_url(ticket))

    assert reply.status_code == 200
    assert reply.headers["ETag"] == '"1"'
    assert reply.json()["version"] == 1


def test_patch_with_the_current_etag_writes_and_returns_the_next_etag(client_for, junior, ticket):
    reply = client_for(junior).patch(
        _url(ticket), {"status": "pending"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert reply.status_code == 200
    assert reply.headers["ETag"] == '"2"'
    assert (reply.json()["status"], reply.json()["version"]) == ("pending", 2)
    assert Ticket.objects.get(pk=ticket.pk).status == "pending"


def test_patch_with_a_stale_etag_is_a_409_with_the_current_ticket_and_writes_nothing(
    client_for, junior, lead, ticket
):
    # given the lead raised the priority after the junior read the ticket (version 1)
    services.ticket_update(ticket=ticket, actor=lead, priority="urgent")
    events_before = TicketEvent.objects.count()

    # when the junior changes the status based on version 1
    reply = client_for(junior).patch(
        _url(ticket),
        {"status": "pending", "priority": "normal"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    # then nothing is written and the reply shows the ticket as it is now
    assert reply.status_code == 409
    assert reply.headers["ETag"] == '"2"'
    body = reply.json()
    assert body["detail"] == (
        f"Ticket {ticket.pk} changed since you read it (you had version 1, it is now 2)."
    )
    assert (body["current"]["priority"], body["current"]["status"]) == ("urgent", "open")
    assert body["current"]["version"] == 2
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.priority, fresh.status, fresh.version) == ("urgent", "open", 2)
    assert TicketEvent.objects.count() == events_before


@pytest.mark.parametrize(
    "header",
    [pytest.param(None, id="no-header"), pytest.param("*", id="star")],
)
def test_patch_without_if_match_writes_only_the_fields_sent(
    client_for, junior, lead, ticket, header
):
    # given the lead raised the priority meanwhile
    services.ticket_update(ticket=ticket, actor=lead, priority="urgent")
    extra = {"HTTP_IF_MATCH": header} if header else {}

    reply = client_for(junior).patch(_url(ticket), {"status": "pending"}, format="json", **extra)

    assert reply.status_code == 200
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.priority, fresh.version) == ("pending", "urgent", 3)
    assert reply.headers["ETag"] == '"3"'


@pytest.mark.parametrize("header", ['W/"1"', "1", '"1"'], ids=["weak", "bare", "strong"])
def test_if_match_accepts_the_etag_forms(client_for, junior, ticket, header):
    reply = client_for(junior).patch(
        _url(ticket), {"priority": "high"}, format="json", HTTP_IF_MATCH=header
    )

    assert reply.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).priority == "high"


@pytest.mark.parametrize("header", ["abc", '"1", "2"', '"-1"', '"99999999999"'])
def test_a_malformed_if_match_is_a_400_naming_the_header(client_for, junior, ticket, header):
    reply = client_for(junior).patch(
        _url(ticket), {"priority": "high"}, format="json", HTTP_IF_MATCH=header
    )

    assert reply.status_code == 400
    assert reply.json() == {
        "If-Match": ['Must be one ETag from a read of this resource, e.g. "3", or *.']
    }
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_every_ticket_write_raises_the_version(ticket, junior, lead):
    services.message_add(ticket=ticket, author_type="agent", body="Hello", author=junior)
    assert Ticket.objects.get(pk=ticket.pk).version == 2  # first response stamped
    services.ticket_update(ticket=ticket, actor=lead, tags=["vip"])
    services.ticket_update(ticket=ticket, actor=lead, tags=["vip"])  # no change: no write
    services.ticket_escalation_apply(
        ticket=Ticket.objects.select_for_update().get(pk=ticket.pk),
        escalation=factories.EscalationFactory(ticket=ticket),
        actor=lead,
        summary=lambda _: "Summary",
        data={},
        add_escalate_tag=True,
    )

    assert Ticket.objects.get(pk=ticket.pk).version == 4
    assert TicketEvent.objects.filter(kind=EventKind.TAGS_CHANGED).count() == 1


def test_another_teams_ticket_is_a_404_whatever_the_if_match(client_for, other_lead, ticket):
    reply = client_for(other_lead).patch(
        _url(ticket), {"priority": "high"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert reply.status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_the_schema_documents_etag_and_if_match(client_for, junior):
    schema = client_for(junior).get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/tickets/{id}/"]["patch"]
    read = schema["paths"]["/api/v1/tickets/{id}/"]["get"]

    assert [p["name"] for p in patch["parameters"] if p["in"] == "header"] == ["If-Match"]
    assert set(patch["responses"]["200"]["headers"]) == {"ETag"}
    assert set(patch["responses"]["409"]["headers"]) == {"ETag"}
    assert set(read["responses"]["200"]["headers"]) == {"ETag"}
    assert "No lost updates" in patch["description"]


def test_a_message_on_a_ticket_read_before_another_write_gets_the_rows_next_version(ticket, lead):
    # Given a ticket read by one writer, then changed by another (version 1 → 2)
    stale = Ticket.objects.get(pk=ticket.pk)
    services.ticket_update(ticket=ticket, actor=lead, priority="high")

    # When the first writer adds a customer message through its stale copy
    services.message_add(ticket=stale, author_type="customer", body="Any news?")

    # Then the row's version moved on from the other write's, and the copy learnt it with the
    # fields the message wrote (and kept the other write's priority)
    row = Ticket.objects.get(pk=ticket.pk)
    assert (row.version, row.priority, row.customer_sentiment) == (3, "high", "neutral")
    assert (stale.version, stale.customer_sentiment) == (3, "neutral")
    assert stale.updated_at == row.updated_at
