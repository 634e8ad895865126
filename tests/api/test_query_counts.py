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


# --- Writes: queries per customer message and per new ticket (issue #18) ------------------------
@pytest.fixture
def write_setup(queue, customer, lead, monkeypatch):
    """An SLA policy with targets, a rule listening to customer messages, a ticket with its
    clocks and a first response; evaluations recorded instead of run, to count them apart."""
    from escalations.models import SLAPolicy, SLATarget
    from tickets.services import message_add, ticket_create

    policy = SLAPolicy.objects.create(name="Default", order=1)
    for metric, minutes in (("first_response", 60), ("next_response", 120), ("resolution", 960)):
        SLATarget.objects.create(policy=policy, metric=metric, minutes=minutes)
    factories.RuleFactory(team=queue.team, trigger_kind="sentiment_negative")
    ticket = ticket_create(subject="Invoice", customer=customer, body="Hello?", queue=queue)
    message_add(ticket=ticket, author_type="agent", body="On it.", author=lead)
    message_add(ticket=ticket, author_type="customer", body="Thanks, still waiting.")
    queued: list[int] = []
    monkeypatch.setattr(
        "escalations.engine.evaluate.task_enqueue_or_defer",
        lambda func, event_id, swept_by: queued.append(event_id),
    )
    return {"ticket": ticket, "queued": queued}


def _search_writes(n: int) -> int:
    """The full-text search document is written on PostgreSQL only."""
    return n if connection.vendor == "postgresql" else 0


def _evaluations_queries(queued: list[int]) -> int:
    from escalations.engine.evaluate import event_evaluate

    with CaptureQueriesContext(connection) as queries:
        for event_id in queued:
            event_evaluate(event_id=event_id)
    return len(queries)


def test_a_customer_message_runs_a_fixed_number_of_queries(
    client_for, lead, write_setup, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # Given a ticket in progress whose SLA setup this process has compiled
    ticket, queued = write_setup["ticket"], write_setup["queued"]
    client = client_for(lead)
    url = f"/api/v1/tickets/{ticket.pk}/messages/"

    # When the customer writes (the request with its after-commit push and queueing)
    # Then: token, ticket (with its queue), the message, ticket fields returning the version, the
    # event, the ticket for the SLA sync (with the setup version and its tags), its clocks (locked);
    # savepoint and release around the write; on PostgreSQL the search text too. The push on
    # commit reads nothing: it is built from the message and ticket just written.
    expected = 9 + _search_writes(1)
    with django_assert_num_queries(expected), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"author_type": "customer", "body": "Any news?"}, format="json")
    assert response.status_code == 201, response.content

    # and its evaluation: the event, the listening rules, the ticket with its tags, the message,
    # the receipt; savepoint and release
    assert len(queued) == 1
    assert _evaluations_queries(queued) == 7


def test_a_new_ticket_runs_a_fixed_number_of_queries(
    client_for,
    lead,
    queue,
    customer,
    write_setup,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    # Given a team with an SLA policy this process has compiled
    queued = write_setup["queued"]
    queued.clear()
    client = client_for(lead)
    body = {"subject": "Refund", "customer": customer.pk, "queue": queue.pk, "body": "Help."}

    # When a ticket is opened through the API (with its after-commit pushes and queueing)
    # Then: token, customer, queue and its team check; the ticket, its event, the ticket for the
    # SLA sync with its tags (no clock to read: it is new), the clocks and their ledger, the
    # message, ticket fields returning the version, its event, the webhooks; savepoint and
    # release; the response's ticket, tags and clocks (the pushes read nothing); on PostgreSQL
    # the search document and its text too
    expected = 18 + _search_writes(2)
    with django_assert_num_queries(expected), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201, response.content

    # Then its two events are evaluated with a fixed number of queries too
    assert len(queued) == 2
    assert _evaluations_queries(queued) == 12
