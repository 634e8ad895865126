"""Ticket resources: reads, writes through the services, filters, pagination, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from escalations.models import Delivery, Webhook
from tests import factories
from tickets import services
from tickets.models import CustomerTierChange, EventKind, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_ticket_create_opens_the_ticket_with_the_first_customer_message(
    client_for, junior, queue, customer
):
    # When an agent files a ticket through the API
    response = client_for(junior).post(
        "/api/v1/tickets/",
        {
            "subject": "Invoice wrong",
            "customer": customer.pk,
            "body": "You charged me twice.",
            "priority": "high",
            "queue": queue.pk,
            "tags": ["Billing", "vip"],
        },
        format="json",
    )

    # Then it exists with its first message, and the read carries the contract's fields
    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["subject"] == "Invoice wrong"
    assert body["status"] == "new"
    assert body["priority"] == "high"
    assert body["queue"] == queue.pk
    assert body["assignee"] is None
    assert body["tags"] == ["billing", "vip"]
    assert body["escalation_count"] == 0
    assert "sla" in body
    assert dt.datetime.fromisoformat(body["created_at"]) == ticket.created_at
    assert list(ticket.messages.values_list("author_type", "body")) == [
        ("customer", "You charged me twice.")
    ]


def test_ticket_create_announces_ticket_created_to_subscribed_webhooks(
    client_for, junior, queue, customer, django_capture_on_commit_callbacks, monkeypatch
):
    # Given a webhook of the team subscribed to ticket.created, one to another event only
    hook = Webhook.objects.create(
        url="http://127.0.0.1:8299/h", team=queue.team, events=["ticket.created"], secret="k"
    )
    Webhook.objects.create(
        url="http://127.0.0.1:8299/i", team=queue.team, events=["sla.breached"], secret="k"
    )
    queued = []
    monkeypatch.setattr(
        "escalations.delivery.engine.delivery_enqueue", lambda **kw: queued.append(kw)
    )

    # When a ticket is created
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(junior).post(
            "/api/v1/tickets/",
            {"subject": "S", "customer": customer.pk, "body": "B", "queue": queue.pk},
            format="json",
        )

    # Then one delivery is written for the subscribed webhook and queued after commit
    delivery = Delivery.objects.get()
    assert (delivery.webhook, delivery.event) == (hook, "ticket.created")
    assert delivery.payload["ticket"]["id"] == response.json()["id"]
    assert queued == [{"delivery_id": delivery.pk}]


def test_ticket_create_with_bad_fields_names_each_and_writes_nothing(
    client_for, junior, other_queue
):
    # When the body is wrong in several places
    response = client_for(junior).post(
        "/api/v1/tickets/",
        {
            "subject": "",
            "customer": 999999,
            "priority": "meh",
            "queue": other_queue.pk,
            "tags": ["no spaces"],
        },
        format="json",
    )

    # Then each bad field is named and nothing was created
    assert response.status_code == 400
    assert set(response.json()) == {"subject", "customer", "body", "priority", "queue", "tags"}
    assert Ticket.objects.count() == 0
    assert TicketEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[1, 2", id="broken-json"),
        pytest.param('"just a string"', id="not-an-object"),
    ],
)
def test_ticket_create_with_malformed_json_is_a_400(client_for, junior, body):
    response = client_for(junior).post("/api/v1/tickets/", body, content_type="application/json")

    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_other_teams_ticket_is_not_found(client_for, junior, other_queue, customer):
    # Given a ticket in another team's queue
    ticket = factories.TicketFactory(queue=other_queue, customer=customer)

    # When a junior agent asks for it or tries to change it
    client = client_for(junior)
    read = client.get(f"/api/v1/tickets/{ticket.pk}/")
    patch = client.patch(f"/api/v1/tickets/{ticket.pk}/", {"status": "solved"}, format="json")

    # Then it does not exist for them and stays unchanged
    assert (read.status_code, patch.status_code) == (404, 404)
    ticket.refresh_from_db()
    assert ticket.status == "open"


def _steady(body: dict) -> dict:
    """A ticket read without the SLA's seconds left, which tick between two requests."""
    sla = body["sla"] and {k: v for k, v in body["sla"].items() if k != "remaining_seconds"}
    return {**body, "sla": sla}


def test_a_writes_answer_is_the_ticket_as_a_read_gives_it(client_for, lead, queue, customer):
    # The answers of a create and a patch are read back after the write: the same fields, SLA
    # and tags (in name order) as a plain read of the ticket, and the patch's ETag its version.
    client = client_for(lead)
    created = client.post(
        "/api/v1/tickets/",
        {
            "subject": "Tags",
            "customer": customer.pk,
            "body": "Hi",
            "queue": queue.pk,
            "tags": ["zeta", "alpha"],
        },
        format="json",
    )
    assert created.status_code == 201
    ticket_id = created.json()["id"]
    assert _steady(created.json()) == _steady(client.get(f"/api/v1/tickets/{ticket_id}/").json())
    assert created.json()["tags"] == ["alpha", "zeta"]

    patched = client.patch(
        f"/api/v1/tickets/{ticket_id}/", {"tags": ["mid", "beta", "zeta"]}, format="json"
    )
    read = client.get(f"/api/v1/tickets/{ticket_id}/")
    assert patched.status_code == 200
    assert _steady(patched.json()) == _steady(read.json())
    assert patched.json()["tags"] == ["beta", "mid", "zeta"]
    assert patched["ETag"] == read["ETag"]


def test_ticket_patch_changes_through_ticket_update(client_for, lead, senior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer, status="open")

    response = client_for(lead).patch(
        f"/api/v1/tickets/{ticket.pk}/",
        {"status": "pending", "priority": "urgent", "assignee": senior.pk, "tags": ["refund"]},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["priority"], body["assignee"], body["tags"]) == (
        "pending",
        "urgent",
        senior.pk,
        ["refund"],
    )
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == {
        EventKind.STATUS_CHANGED,
        EventKind.PRIORITY_CHANGED,
        EventKind.ASSIGNED,
        EventKind.TAGS_CHANGED,
    }


def test_ticket_patch_refused_by_the_engine_is_a_400_on_tags(
    client_for, junior, queue, customer, monkeypatch
):
    # Given the engine refuses the tag `escalate` without a handoff (it raises in ticket_update)
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    message = "Adding the 'escalate' tag needs a handoff note: use the escalate action."

    def refuse(**kwargs):
        raise ValidationError({"tags": [message]})

    monkeypatch.setattr(services, "ticket_update", refuse)

    # When an agent adds the tag through PATCH
    response = client_for(junior).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"tags": ["escalate"]}, format="json"
    )

    # Then the answer is a 400 that says so, keyed on tags
    assert response.status_code == 400
    assert response.json() == {"tags": [message]}
    assert list(ticket.tags.all()) == []


def test_ticket_patch_with_unknown_values_names_the_fields(client_for, junior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    response = client_for(junior).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"status": "lost", "assignee": 424242}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"status", "assignee"}
    assert TicketEvent.objects.filter(ticket=ticket).count() == 0


def test_customer_patch_raising_tier_records_a_tier_upgrade(client_for, lead, queue, customer):
    # Given an open ticket of a standard customer
    ticket = factories.TicketFactory(queue=queue, customer=customer, status="open")

    # When the team's lead raises the tier through the API
    response = client_for(lead).patch(
        f"/api/v1/customers/{customer.pk}/", {"tier": "enterprise"}, format="json"
    )

    # Then the tier history and the ticket's events record an upgrade
    assert response.status_code == 200
    assert response.json()["tier"] == "enterprise"
    change = CustomerTierChange.objects.get()
    assert (change.from_tier, change.to_tier, change.is_upgrade) == ("standard", "enterprise", True)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TIER_CHANGED)
    assert event.data["upgrade"] is True


def test_customer_external_id_is_unique(client_for, junior, customer):
    response = client_for(junior).post(
        "/api/v1/customers/", {"external_id": customer.external_id, "name": "Dup"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["external_id"]


def test_customer_message_is_scored_and_agent_message_is_first_response(
    client_for, junior, queue, customer
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, status="new")
    client = client_for(junior)

    customer_reply = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {
            "author_type": "customer",
            "body": "This is terrible, I am furious and want my money back!",
        },
        format="json",
    )
    agent_reply = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"author_type": "agent", "body": "Sorry, fixing it now."},
        format="json",
    )

    assert (customer_reply.status_code, agent_reply.status_code) == (201, 201)
    assert customer_reply.json()["sentiment"] == "negative"
    assert agent_reply.json()["author_agent"] == junior.pk
    ticket.refresh_from_db()
    assert ticket.first_response_at == Message.objects.get(pk=agent_reply.json()["id"]).created_at
    assert ticket.status == "open"


def test_notes_list_shows_pinned_summaries_first(client_for, junior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    factories.NoteFactory(ticket=ticket, body="plain")
    factories.NoteFactory(ticket=ticket, body="summary", kind="escalation_summary", pinned=True)

    response = client_for(junior).get(f"/api/v1/tickets/{ticket.pk}/notes/")

    assert [(n["body"], n["kind"], n["pinned"]) for n in response.json()["results"]] == [
        ("summary", "escalation_summary", True),
        ("plain", "note", False),
    ]


def test_refund_amount_is_a_decimal_string_with_currency(client_for, junior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/refunds/",
        {"amount": "1200", "currency": "jpy", "reason": "Broken"},
        format="json",
    )

    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["currency"]) == ("1200.00", "JPY")


def test_refund_without_currency_is_in_the_team_currency(client_for, junior, queue, customer):
    queue.team.default_currency = "GBP"
    queue.team.save(update_fields=["default_currency"])
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/refunds/", {"amount": "80"}, format="json"
    )

    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["currency"]) == ("80.00", "GBP")
    event = TicketEvent.objects.get(ticket=ticket, kind="refund_requested")
    assert event.data["currency"] == "GBP"


def test_refund_without_currency_on_a_ticket_without_team_is_refused(client_for, admin_user):
    ticket = factories.TicketFactory(queue=None)

    response = client_for(admin_user).post(
        f"/api/v1/tickets/{ticket.pk}/refunds/", {"amount": "80"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"currency": ["The ticket has no team: give the currency."]}
    assert ticket.refund_requests.count() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == 0


def test_refund_with_bad_amount_and_currency_writes_nothing(client_for, junior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/refunds/",
        {"amount": "12.345", "currency": "EURO"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"amount", "currency"}
    assert ticket.refund_requests.count() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == 0


# --- Filters, ordering, pagination ---------------------------------------------------------
@pytest.fixture
def tickets(queue, customer, senior):
    other_customer = factories.CustomerFactory()
    vip = factories.TicketFactory(queue=queue, customer=customer, priority="urgent", status="open")
    vip.tags.set([factories_tag("vip")])
    escalated = factories.TicketFactory(
        queue=queue,
        customer=other_customer,
        priority="low",
        status="pending",
        assignee=senior,
        escalation_count=2,
    )
    solved = factories.TicketFactory(
        queue=queue, customer=customer, priority="normal", status="solved"
    )
    Ticket.objects.filter(pk=solved.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    return {"vip": vip, "escalated": escalated, "solved": solved, "other_customer": other_customer}


def factories_tag(name):
    from tickets.models import Tag

    return Tag.objects.get_or_create(name=name)[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("status=open", ["vip"], id="status"),
        pytest.param("status=open&status=pending", ["vip", "escalated"], id="status-many"),
        pytest.param("priority=low", ["escalated"], id="priority"),
        pytest.param("tag=vip", ["vip"], id="tag"),
        pytest.param("escalated=true", ["escalated"], id="escalated"),
        pytest.param("escalated=false", ["vip", "solved"], id="not-escalated"),
        pytest.param("assignee={senior}", ["escalated"], id="assignee"),
        pytest.param("customer={other_customer}", ["escalated"], id="customer"),
        pytest.param("created_before={five_days_ago}", ["solved"], id="created-before"),
        pytest.param("created_after={five_days_ago}", ["vip", "escalated"], id="created-after"),
        pytest.param("ordering=created_at", ["solved", "vip", "escalated"], id="ordering"),
    ],
)
def test_ticket_filters(client_for, junior, senior, tickets, query, expected):
    five_days_ago = (timezone.now() - dt.timedelta(days=5)).isoformat().replace("+00:00", "Z")
    url = "/api/v1/tickets/?" + query.format(
        senior=senior.pk, other_customer=tickets["other_customer"].pk, five_days_ago=five_days_ago
    )

    response = client_for(junior).get(url)

    assert response.status_code == 200
    ids = [t["id"] for t in response.json()["results"]]
    if query.startswith("ordering"):
        assert ids == [tickets[name].pk for name in expected]
    else:
        assert sorted(ids) == sorted(tickets[name].pk for name in expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        pytest.param("status=lost", "status", id="status"),
        pytest.param("created_after=yesterday", "created_after", id="date"),
        pytest.param("sla_state=purple", "sla_state", id="sla-state"),
        pytest.param("assignee=abc", "assignee", id="assignee"),
    ],
)
def test_bad_filter_values_are_a_400_naming_the_filter(client_for, junior, query, field):
    response = client_for(junior).get(f"/api/v1/tickets/?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_pagination_shape_and_page_size_cap(client_for, admin_user, queue, customer):
    factories.TicketFactory.create_batch(3, queue=queue, customer=customer)
    client = client_for(admin_user)

    first = client.get("/api/v1/tickets/?page_size=2").json()
    second = client.get("/api/v1/tickets/?page_size=2&page=2").json()
    capped = client.get("/api/v1/tickets/?page_size=5000")
    beyond = client.get("/api/v1/tickets/?page_size=2&page=9")

    assert list(first) == ["count", "next", "previous", "results"]
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert first["next"].endswith("/api/v1/tickets/?page=2&page_size=2")
    assert (len(second["results"]), second["next"]) == (1, None)
    assert capped.status_code == 200
    assert capped.wsgi_request.GET["page_size"] == "5000"
    assert beyond.status_code == 404


def test_a_constraint_violation_the_serializer_could_not_see_is_a_409(
    client_for, junior, queue, customer, monkeypatch
):
    from django.db import IntegrityError

    ticket = factories.TicketFactory(queue=queue, customer=customer)

    def collide(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "note_add", collide)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/notes/", {"body": "n"}, format="json"
    )

    assert response.status_code == 409
    assert "conflicts with existing data" in response.json()["detail"]


def test_team_timezone_must_be_an_iana_zone(client_for, admin_user):
    response = client_for(admin_user).post(
        "/api/v1/teams/", {"name": "Night shift", "timezone": "Moon/Base"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["timezone"]


def test_sla_state_filter(client_for, junior, queue, customer):
    from escalations.models import SLAClock

    now = timezone.now()
    amber = factories.TicketFactory(queue=queue, customer=customer)
    green = factories.TicketFactory(queue=queue, customer=customer)
    policy = factories.SLAPolicyFactory()
    for ticket, state in ((amber, "amber"), (green, "green")):
        SLAClock.objects.create(
            ticket=ticket,
            policy=policy,
            metric="first_response",
            target_minutes=60,
            state=state,
            started_at=now,
            checkpoint_at=now,
        )

    response = client_for(junior).get("/api/v1/tickets/?sla_state=amber")

    assert [t["id"] for t in response.json()["results"]] == [amber.pk]


def test_ticket_read_carries_the_sla_summary(client_for, junior, queue, customer):
    from escalations.sla.selectors import sla_summary

    ticket = factories.TicketFactory(queue=queue, customer=customer)

    body = client_for(junior).get(f"/api/v1/tickets/{ticket.pk}/").json()

    expected = sla_summary(ticket=ticket)
    assert set(body["sla"]) == {
        "state",
        "first_response_due_at",
        "remaining_seconds",
        "metric",
        "due_at",
    }
    assert body["sla"]["state"] == expected["state"]
