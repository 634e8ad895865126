"""Every list endpoint runs the same number of queries for 3 rows as for 15."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalations.models import AuditEvent, Delivery, DeliveryAttempt, Webhook
from escalations.sla.selectors import sla_calendar_cache_clear
from tests import factories
from tickets.models import Tag

pytestmark = pytest.mark.django_db


def _ticket(ctx):
    from django.utils import timezone

    from escalations.models import SLAClock

    ticket = factories.TicketFactory(queue=ctx["queue"], customer=ctx["customer"])
    ticket.tags.set([ctx["tag"]])
    now = timezone.now()
    SLAClock.objects.create(
        ticket=ticket,
        policy=ctx["policy"],
        metric="first_response",
        target_minutes=60,
        started_at=now,
        checkpoint_at=now,
        due_at=now,
    )
    return ticket


def _calendar(ctx):
    calendar = factories.CalendarFactory()
    factories.OpeningHoursFactory(calendar=calendar)
    return calendar


def _policy(ctx):
    policy = factories.SLAPolicyFactory()
    factories.SLATargetFactory(policy=policy)
    return policy


def _delivery(ctx):
    delivery = Delivery.objects.create(
        kind="webhook", webhook=ctx["webhook"], event="sla.amber", payload={}
    )
    DeliveryAttempt.objects.create(delivery=delivery, status_code=500)
    return delivery


def _escalation(ctx):
    ticket = ctx["ticket"]
    note = factories.NoteFactory(ticket=ticket, kind="escalation_summary", pinned=True)
    return factories.EscalationFactory(ticket=ticket, summary_note=note)


LISTS = {
    "teams": ("/api/v1/teams/", lambda ctx: factories.TeamFactory()),
    "agents": ("/api/v1/agents/", lambda ctx: factories.AgentFactory(team=ctx["team"])),
    "queues": ("/api/v1/queues/", lambda ctx: factories.QueueFactory(team=ctx["team"])),
    "customers": ("/api/v1/customers/", lambda ctx: factories.CustomerFactory()),
    "tickets": ("/api/v1/tickets/", _ticket),
    "messages": (
        "/api/v1/tickets/{ticket}/messages/",
        lambda ctx: factories.MessageFactory(ticket=ctx["ticket"]),
    ),
    "notes": (
        "/api/v1/tickets/{ticket}/notes/",
        lambda ctx: factories.NoteFactory(ticket=ctx["ticket"]),
    ),
    "refunds": (
        "/api/v1/tickets/{ticket}/refunds/",
        lambda ctx: factories.RefundRequestFactory(ticket=ctx["ticket"]),
    ),
    "escalations": ("/api/v1/escalations/", _escalation),
    "targets": ("/api/v1/targets/", lambda ctx: factories.TargetFactory(team=ctx["team"])),
    "rules": ("/api/v1/rules/", lambda ctx: factories.RuleFactory(team=ctx["team"])),
    "calendars": ("/api/v1/calendars/", _calendar),
    "sla-policies": ("/api/v1/sla-policies/", _policy),
    "audit-events": (
        "/api/v1/audit-events/",
        lambda ctx: AuditEvent.objects.create(kind="x", actor_label="y"),
    ),
    "webhooks": (
        "/api/v1/webhooks/",
        lambda ctx: Webhook.objects.create(
            url="https://a.example.com", events=["sla.amber"], secret="s"
        ),
    ),
    "webhook-deliveries": ("/api/v1/webhooks/{webhook}/deliveries/", _delivery),
}


def _count(client, url):
    # The SLA engine caches business calendars per process: measure both runs cold.
    sla_calendar_cache_clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_does_not_grow_with_rows(client_for, admin_user, queue, customer, name):
    # Given the rows a list needs
    ctx = {
        "team": queue.team,
        "queue": queue,
        "customer": customer,
        "tag": Tag.objects.create(name="vip"),
        "policy": factories.OpeningHoursFactory(
            calendar=factories.CalendarFactory()
        ).calendar.policies.create(name="Business hours"),
        "ticket": factories.TicketFactory(queue=queue, customer=customer),
        "webhook": Webhook.objects.create(
            url="https://h.example.com", events=["sla.amber"], secret="s"
        ),
    }
    path, make = LISTS[name]
    url = path.format(ticket=ctx["ticket"].pk, webhook=ctx["webhook"].pk)
    client = client_for(admin_user)
    for _ in range(3):
        make(ctx)
    small_queries, small_count = _count(client, url)

    # When the list grows by twelve rows
    for _ in range(12):
        make(ctx)
    large_queries, large_count = _count(client, url)

    # Then it has more rows but runs exactly the same queries
    assert large_count - small_count == 12
    assert large_queries == small_queries
