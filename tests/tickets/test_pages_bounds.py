"""The ticket page's forms apply the same bounds and tag rule as the API: a 400 page naming the
field, and nothing written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalations.models import Escalation
from kimondesk.bounds import (
    HANDOFF_PART_MAX_CHARS,
    MESSAGE_BODY_MAX_CHARS,
    NOTE_BODY_MAX_CHARS,
    REFUND_REASON_MAX_CHARS,
)
from tests import factories
from tickets.models import Message, Note, RefundRequest, TicketEvent

pytestmark = pytest.mark.django_db

HANDOFF = {"tried": "Restarted it", "diagnosis": "Bad config", "authority_needed": "Admin access"}


@pytest.fixture
def ticket(queue, junior):
    return factories.TicketFactory(subject="Invoice twice", queue=queue, assignee=junior)


def _written(ticket) -> tuple[int, int, int, int, int, list[str]]:
    return (
        Message.objects.filter(ticket=ticket).count(),
        Note.objects.filter(ticket=ticket).count(),
        RefundRequest.objects.filter(ticket=ticket).count(),
        Escalation.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
        sorted(ticket.tags.values_list("name", flat=True)),
    )


@pytest.mark.parametrize(
    ("view", "form_name", "data", "field", "limit"),
    [
        pytest.param("ticket_reply", "reply_form", {}, "body", MESSAGE_BODY_MAX_CHARS, id="reply"),
        pytest.param("ticket_note", "note_form", {}, "body", NOTE_BODY_MAX_CHARS, id="note"),
        pytest.param(
            "ticket_refund",
            "refund_form",
            {"amount": "10.00", "currency": "USD"},
            "reason",
            REFUND_REASON_MAX_CHARS,
            id="refund-reason",
        ),
        pytest.param(
            "ticket_escalate", "form", HANDOFF, "tried", HANDOFF_PART_MAX_CHARS, id="handoff"
        ),
    ],
)
def test_a_page_form_body_over_its_maximum_is_refused(
    client, ticket, junior, view, form_name, data, field, limit
):
    client.force_login(junior)

    response = client.post(reverse(view, args=[ticket.pk]), data | {field: "x" * (limit + 1)})

    assert response.status_code == 400
    assert response.context[form_name].errors[field] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]
    assert _written(ticket) == (0, 0, 0, 0, 0, [])


@pytest.mark.parametrize(
    ("tags", "error"),
    [
        pytest.param("<script>alert(1)</script>", "may hold only letters", id="markup"),
        pytest.param("javascript:alert(1)", "may hold only letters", id="scheme"),
        pytest.param("a" * 300, "is longer than 50 characters", id="300-chars"),
    ],
)
def test_the_tag_form_refuses_what_the_api_refuses(client, ticket, junior, tags, error):
    client.force_login(junior)

    response = client.post(reverse("ticket_tags", args=[ticket.pk]), {"tags": f"vip, {tags}"})

    assert response.status_code == 400
    messages = response.context["tags_form"].errors["tags"]
    assert len(messages) == 1
    assert error in messages[0]
    assert _written(ticket) == (0, 0, 0, 0, 0, [])


def test_the_tag_form_still_saves_valid_tags(client, ticket, junior):
    client.force_login(junior)

    response = client.post(reverse("ticket_tags", args=[ticket.pk]), {"tags": "VIP, billing_2"})

    assert response.status_code == 302
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing_2", "vip"]
