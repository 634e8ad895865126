"""The customer panel: tier, contact, other tickets open first, escalations, last sentiment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tickets.customer_context.selectors import PANEL_MAX_TICKETS, customer_context_for_ticket
from tickets.models import Message, Status, Ticket


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(
        name="Greta Lind", email="greta@example.com", external_id="CRM-77", tier="enterprise"
    )


def _aged(ticket, days):
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(days=days))
    return ticket


@pytest.mark.django_db
def test_other_tickets_open_first_then_newest_and_only_visible_ones(junior, queue, customer):
    current = factories.TicketFactory(queue=queue, customer=customer)
    solved_new = _aged(
        factories.TicketFactory(queue=queue, customer=customer, status=Status.SOLVED), 1
    )
    open_old = _aged(factories.TicketFactory(queue=queue, customer=customer), 9)
    open_new = _aged(
        factories.TicketFactory(queue=queue, customer=customer, status=Status.PENDING), 2
    )
    other_team = factories.QueueFactory(team=factories.TeamFactory(name="Billing"))
    factories.TicketFactory(queue=other_team, customer=customer)

    context = customer_context_for_ticket(agent=junior, ticket=current)

    assert [t.pk for t in context.other_tickets] == [open_new.pk, open_old.pk, solved_new.pk]
    assert (context.other_tickets_count, context.open_tickets_count) == (3, 2)


@pytest.mark.django_db
def test_escalations_and_last_sentiment_come_from_visible_tickets(junior, senior, queue, customer):
    current = factories.TicketFactory(queue=queue, customer=customer)
    earlier = factories.TicketFactory(queue=queue, customer=customer)
    hidden = factories.TicketFactory(
        queue=factories.QueueFactory(team=factories.TeamFactory(name="Billing")), customer=customer
    )
    escalation = factories.EscalationFactory(ticket=earlier, to_agent=senior)
    factories.EscalationFactory(ticket=hidden)
    angry = factories.MessageFactory(ticket=earlier, sentiment="negative", body="Furious!")
    Message.objects.filter(pk=angry.pk).update(created_at=timezone.now() - timedelta(hours=1))
    factories.MessageFactory(ticket=hidden, sentiment="positive")

    context = customer_context_for_ticket(agent=junior, ticket=current)

    assert [e.pk for e in context.escalations] == [escalation.pk]
    assert context.escalations_count == 1
    assert context.last_customer_message.pk == angry.pk


@pytest.mark.django_db
@pytest.mark.parametrize("history", [1, 12], ids=["short", "long"])
def test_panel_asks_the_same_queries_however_long_the_history(
    junior, senior, queue, customer, history
):
    current = factories.TicketFactory(queue=queue, customer=customer)
    for ticket in factories.TicketFactory.create_batch(history, queue=queue, customer=customer):
        factories.EscalationFactory(ticket=ticket, to_agent=senior)
        factories.MessageFactory(ticket=ticket)

    with CaptureQueriesContext(connection) as queries:
        context = customer_context_for_ticket(agent=junior, ticket=current)

    assert len(context.other_tickets) == min(history, PANEL_MAX_TICKETS)
    # other tickets, their counts, escalations, their count, the latest customer message
    assert len(queries) == 5


@pytest.mark.django_db
def test_ticket_page_shows_the_panel(client, junior, senior, queue, customer):
    current = factories.TicketFactory(queue=queue, customer=customer, subject="Now")
    earlier = factories.TicketFactory(queue=queue, customer=customer, subject="Before")
    factories.EscalationFactory(ticket=earlier, to_agent=senior, trigger="refund_threshold")
    factories.MessageFactory(ticket=earlier, sentiment="negative")
    client.force_login(junior)

    html = client.get(reverse("ticket_detail", args=[current.pk])).content.decode()

    assert '<h2 id="customer-h">Customer</h2>' in html
    assert '<span class="tier tier-enterprise">Enterprise</span>' in html
    assert '<a href="mailto:greta@example.com">greta@example.com</a>' in html
    assert "<dt>Customer id</dt><dd>CRM-77</dd>" in html
    assert '<span class="sentiment sentiment-negative">Negative</span>' in html
    assert f'<a href="/tickets/{earlier.pk}/">#{earlier.pk} Before</a>' in html
    assert (
        f'<a href="/tickets/{earlier.pk}/">#{earlier.pk}</a> Refund at or over a threshold → {senior}'
        in html
    )
