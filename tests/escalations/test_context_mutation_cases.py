"""The ticket context the engine evaluates (``escalations/engine/context.py``): every field, built
by two queries. The cases a mutation run of the module showed unguarded."""

from __future__ import annotations

import pytest

from escalations.engine.context import TicketContext, ticket_context_build
from tests import factories
from tickets.models import Tag

pytestmark = pytest.mark.django_db


def test_the_context_of_a_ticket_in_a_specialist_queue(
    team, lead, junior, django_assert_num_queries
):
    specialist = factories.QueueFactory(name="Specialists", team=team, specialist=True)
    customer = factories.CustomerFactory(tier="premium")
    ticket = factories.TicketFactory(
        subject="Refund stuck",
        status="pending",
        priority="urgent",
        queue=specialist,
        assignee=junior,
        customer=customer,
        customer_sentiment="negative",
        escalation_count=2,
    )
    ticket.tags.set([Tag.objects.create(name="vip"), Tag.objects.create(name="billing")])

    # One query: the ticket with its queue, team, customer and tag names
    with django_assert_num_queries(1):
        ctx = ticket_context_build(ticket_id=ticket.pk)

    assert ctx == TicketContext(
        ticket_id=ticket.pk,
        subject="Refund stuck",
        status="pending",
        priority="urgent",
        queue_id=specialist.pk,
        queue_specialist=True,
        team_id=team.pk,
        team_lead_id=lead.pk,
        assignee_id=junior.pk,
        customer_id=customer.pk,
        tier="premium",
        tags=frozenset({"vip", "billing"}),
        customer_sentiment="negative",
        escalation_count=2,
        created_at=ticket.created_at,
    )


def test_the_context_of_a_ticket_without_a_queue():
    ticket = factories.TicketFactory(queue=None, assignee=None)

    ctx = ticket_context_build(ticket_id=ticket.pk)

    assert (ctx.queue_id, ctx.queue_specialist, ctx.team_id, ctx.team_lead_id) == (
        None,
        False,
        None,
        None,
    )
    assert ctx.assignee_id is None
    assert ctx.tags == frozenset()


def test_the_context_of_a_ticket_in_a_plain_queue_of_a_team_without_lead(queue):
    ticket = factories.TicketFactory(queue=queue)

    ctx = ticket_context_build(ticket_id=ticket.pk)

    assert (ctx.queue_id, ctx.queue_specialist, ctx.team_id, ctx.team_lead_id) == (
        queue.pk,
        False,
        queue.team_id,
        None,
    )
