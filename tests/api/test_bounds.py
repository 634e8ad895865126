"""Every text body has a documented maximum (``kimondesk.bounds``): one character over is a
400 naming the field, and nothing is written."""

from __future__ import annotations

import pytest

from escalations.models import Escalation
from kimondesk.bounds import (
    AMOUNT_MAX,
    HANDOFF_PART_MAX_CHARS,
    MESSAGE_BODY_MAX_CHARS,
    NOTE_BODY_MAX_CHARS,
    REFUND_REASON_MAX_CHARS,
)
from tests import factories
from tickets.models import Message, Note, RefundRequest, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HANDOFF = {"tried": "Restarted it", "diagnosis": "Bad config", "authority_needed": "Admin access"}


@pytest.fixture
def ticket(queue, customer):
    return factories.TicketFactory(queue=queue, customer=customer)


def _rows(ticket) -> tuple[int, int, int, int, int]:
    return (
        Message.objects.filter(ticket=ticket).count(),
        Note.objects.filter(ticket=ticket).count(),
        RefundRequest.objects.filter(ticket=ticket).count(),
        Escalation.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


@pytest.mark.parametrize(
    ("route", "payload", "field", "limit"),
    [
        pytest.param(
            "messages",
            {"author_type": "customer"},
            "body",
            MESSAGE_BODY_MAX_CHARS,
            id="customer-message",
        ),
        pytest.param(
            "messages", {"author_type": "agent"}, "body", MESSAGE_BODY_MAX_CHARS, id="agent-message"
        ),
        pytest.param("notes", {}, "body", NOTE_BODY_MAX_CHARS, id="note"),
        pytest.param(
            "refunds",
            {"amount": "10.00", "currency": "USD"},
            "reason",
            REFUND_REASON_MAX_CHARS,
            id="refund-reason",
        ),
        pytest.param(
            "escalate", dict(HANDOFF), "tried", HANDOFF_PART_MAX_CHARS, id="handoff-tried"
        ),
        pytest.param(
            "escalate", dict(HANDOFF), "diagnosis", HANDOFF_PART_MAX_CHARS, id="handoff-diagnosis"
        ),
        pytest.param(
            "escalate",
            dict(HANDOFF),
            "authority_needed",
            HANDOFF_PART_MAX_CHARS,
            id="handoff-authority",
        ),
    ],
)
def test_a_body_over_its_maximum_is_a_400_naming_the_field(
    client_for, junior, ticket, route, payload, field, limit
):
    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/{route}/", payload | {field: "x" * (limit + 1)}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {field: [f"Ensure this field has no more than {limit} characters."]}
    assert _rows(ticket) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("route", "payload", "field", "limit", "written"),
    [
        pytest.param(
            "messages",
            {"author_type": "customer"},
            "body",
            MESSAGE_BODY_MAX_CHARS,
            Message,
            id="message",
        ),
        pytest.param("notes", {}, "body", NOTE_BODY_MAX_CHARS, Note, id="note"),
        pytest.param(
            "refunds",
            {"amount": "10.00", "currency": "USD"},
            "reason",
            REFUND_REASON_MAX_CHARS,
            RefundRequest,
            id="refund-reason",
        ),
    ],
)
def test_a_body_at_its_maximum_is_accepted(
    client_for, junior, ticket, route, payload, field, limit, written
):
    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/{route}/", payload | {field: "y" * limit}, format="json"
    )

    assert response.status_code == 201
    assert len(getattr(written.objects.get(ticket=ticket), field)) == limit


def test_a_ticket_whose_first_message_is_over_the_maximum_is_not_opened(
    client_for, junior, queue, customer
):
    response = client_for(junior).post(
        "/api/v1/tickets/",
        {
            "subject": "Long",
            "customer": customer.pk,
            "queue": queue.pk,
            "body": "z" * (MESSAGE_BODY_MAX_CHARS + 1),
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "body": [f"Ensure this field has no more than {MESSAGE_BODY_MAX_CHARS} characters."]
    }
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("amount", ["10000000000.00", "1e400", "99999999999"])
def test_a_refund_amount_over_the_maximum_is_a_400_naming_amount(
    client_for, junior, ticket, amount
):
    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/refunds/",
        {"amount": amount, "currency": "USD"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["amount"]
    assert _rows(ticket) == (0, 0, 0, 0, 0)


def test_the_largest_refund_amount_is_accepted(client_for, junior, ticket):
    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/refunds/",
        {"amount": str(AMOUNT_MAX), "currency": "USD"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["amount"] == "9999999999.99"
