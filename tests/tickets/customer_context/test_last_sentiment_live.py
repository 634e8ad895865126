"""The panel's "last sentiment" after a page missed pushes: the catch-up carries it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets import services

pytestmark = pytest.mark.django_db


def test_the_catch_up_carries_the_last_sentiment_of_a_visible_ticket(
    client, queue, customer, junior
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    services.message_add(ticket=ticket, author_type="customer", body="Thanks, that is great!")
    hidden = factories.TicketFactory(
        customer=customer, queue=factories.QueueFactory(team=factories.TeamFactory(name="Billing"))
    )
    client.force_login(junior)
    url = reverse("ticket_live", args=[ticket.pk])

    before = client.get(url, {"since": 0}).json()["customer_sentiment_html"]
    services.message_add(ticket=ticket, author_type="customer", body="I want to cancel, a lawyer!")
    services.message_add(ticket=hidden, author_type="customer", body="Wonderful, thank you!")
    after = client.get(url, {"since": 0}).json()["customer_sentiment_html"]

    assert '<span class="sentiment sentiment-positive">Positive</span>' in before
    # The newest message the agent may see: another team's ticket does not count.
    assert '<span class="sentiment sentiment-negative">Negative</span>' in after
    assert '<time class="when"' in after


def test_without_a_customer_message_the_catch_up_says_so(client, queue, junior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    client.force_login(junior)

    data = client.get(reverse("ticket_live", args=[ticket.pk]), {"since": 0}).json()

    assert data["customer_sentiment_html"].strip() == '<span class="muted">no message yet</span>'
