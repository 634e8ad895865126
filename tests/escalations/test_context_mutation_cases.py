"""The ticket context the engine evaluates (``escalations/engine/context.py``): every field, built
by one query. The cases a mutation run of the module showed unguarded."""

from __future__ import annotations

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLWrapper

from escalations.engine.context import (
    TicketContext,
    ticket_context_build,
    ticket_context_from,
    ticket_context_queryset,
)
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


def test_a_ticket_not_loaded_for_a_context_is_refused_rather_than_read_without_tags(queue):
    ticket = factories.TicketFactory(queue=queue)
    ticket.tags.set([Tag.objects.create(name="vip")])

    with pytest.raises(AttributeError):
        ticket_context_from(type(ticket).objects.get(pk=ticket.pk))
    assert ticket_context_build(ticket_id=ticket.pk).tags == frozenset({"vip"})


def test_on_postgresql_the_tag_names_come_as_one_jsonb_array():
    # Compiled for PostgreSQL without connecting: the SQLite runs check this SQL too.
    settings = {**connections["default"].settings_dict, "ENGINE": "django.db.backends.postgresql"}
    postgresql = PostgreSQLWrapper({**settings, "NAME": "never_connected"}, alias="compile-only")

    query = ticket_context_queryset().filter(pk=7).query
    sql, params = query.get_compiler(connection=postgresql).as_sql()

    assert params == (7,)
    assert (
        '(SELECT JSONB_AGG(U2."name") AS "names" FROM "tickets_ticket_tags" U0 INNER JOIN '
        '"tickets_tag" U2 ON (U0."tag_id" = U2."id") WHERE U0."ticket_id" = '
        '("tickets_ticket"."id") GROUP BY U0."ticket_id") AS "context_tags"'
    ) in sql
