import pytest
from django.db import IntegrityError

from tickets import services
from tickets.models import EventKind, TicketEvent


@pytest.mark.django_db
def test_ticket_create_records_created_and_message_events(customer, queue):
    ticket = services.ticket_create(
        subject="Broken invoice", customer=customer, body="Hello", queue=queue
    )

    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == [EventKind.TICKET_CREATED, EventKind.MESSAGE_ADDED]


@pytest.mark.django_db
def test_customer_tier_outside_choices_is_refused_by_the_database(customer):
    from tickets.models import Customer

    with pytest.raises(IntegrityError):
        Customer.objects.filter(pk=customer.pk).update(tier="platinum")
