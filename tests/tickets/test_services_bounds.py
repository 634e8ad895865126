"""Ticket services: bodies are bounded, and a customer message is scored before any transaction
opens (no lock is held while it is scored)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from escalations.engine.sentiment import sentiment_score_message
from kimondesk.bounds import MESSAGE_BODY_MAX_CHARS, NOTE_BODY_MAX_CHARS, REFUND_REASON_MAX_CHARS
from tests import factories
from tickets import services
from tickets.models import AuthorType, Message, Note, RefundRequest, Ticket, TicketEvent


@pytest.fixture
def scoring_seen(monkeypatch):
    """Whether a transaction was open each time a message was scored."""
    seen: list[bool] = []

    def spy(text: str):
        seen.append(connection.in_atomic_block)
        return sentiment_score_message(text)

    monkeypatch.setattr(services, "sentiment_score_message", spy)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_customer_message_is_scored_outside_any_transaction(scoring_seen, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    message = services.message_add(
        ticket=ticket, author_type=AuthorType.CUSTOMER, body="This is awful, I am furious."
    )

    assert scoring_seen == [False]
    assert (message.sentiment, Message.objects.get().sentiment) == ("negative", "negative")


@pytest.mark.django_db(transaction=True)
def test_a_new_tickets_first_message_is_scored_outside_any_transaction(
    scoring_seen, queue, customer
):
    ticket = services.ticket_create(
        subject="Broken", customer=customer, queue=queue, body="Terrible, furious, awful."
    )

    assert scoring_seen == [False]
    assert Ticket.objects.get(pk=ticket.pk).customer_sentiment == "negative"


@pytest.mark.django_db(transaction=True)
def test_an_agent_message_is_not_scored(scoring_seen, queue, customer, junior):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    services.message_add(ticket=ticket, author_type=AuthorType.AGENT, body="Hi", author=junior)

    assert scoring_seen == []


@pytest.mark.django_db
def test_an_over_long_message_is_refused_before_it_is_scored(scoring_seen, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    with pytest.raises(ValidationError) as caught:
        services.message_add(
            ticket=ticket, author_type=AuthorType.CUSTOMER, body="a" * (MESSAGE_BODY_MAX_CHARS + 1)
        )

    assert caught.value.message_dict == {
        "body": [
            f"Ensure this field has no more than {MESSAGE_BODY_MAX_CHARS} characters "
            f"(it has {MESSAGE_BODY_MAX_CHARS + 1})."
        ]
    }
    assert scoring_seen == []
    assert (Message.objects.count(), TicketEvent.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_over_long_notes_and_refund_reasons_are_refused(queue, customer, junior):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    with pytest.raises(ValidationError) as note_error:
        services.note_add(ticket=ticket, body="n" * (NOTE_BODY_MAX_CHARS + 1), author=junior)
    with pytest.raises(ValidationError) as refund_error:
        services.refund_request_create(
            ticket=ticket,
            amount=1,
            currency="USD",
            reason="r" * (REFUND_REASON_MAX_CHARS + 1),
            actor=junior,
        )

    assert list(note_error.value.message_dict) == ["body"]
    assert list(refund_error.value.message_dict) == ["reason"]
    assert (Note.objects.count(), RefundRequest.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_ticket_cannot_be_opened_with_the_escalate_tag(queue, customer):
    with pytest.raises(ValidationError) as caught:
        services.ticket_create(
            subject="Tagged", customer=customer, queue=queue, body="Hi", tags=["escalate"]
        )

    assert list(caught.value.message_dict) == ["tags"]
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("tags", "message"),
    [
        pytest.param(["<script>x</script>"], "'<script>x</script>' may hold only", id="markup"),
        pytest.param(["javascript:alert(1)"], "'javascript:alert(1)' may hold only", id="scheme"),
        pytest.param(["a" * 51], "'aaaaaaaaaaaaaaaaaaaa…' is longer than 50", id="too-long"),
        pytest.param([f"t{n}" for n in range(51)], "At most 50 tags (got 51).", id="too-many"),
    ],
)
def test_ticket_update_refuses_tags_the_api_refuses(queue, customer, tags, message):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    with pytest.raises(ValidationError) as caught:
        services.ticket_update(ticket=ticket, actor=None, tags=tags)

    assert [m[: len(message)] for m in caught.value.message_dict["tags"]] == [message]
    assert ticket.tags.count() == 0
