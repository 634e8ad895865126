"""``Idempotency-Key`` on POST: replay, mismatch, expiry, errors, and two requests at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kimondesk.api.idempotency import idempotency_records_purge
from tickets.models import IdempotencyRecord, Message, Ticket

pytestmark = pytest.mark.django_db


def ticket_body(customer, queue, subject="Broken"):
    return {"subject": subject, "customer": customer.pk, "body": "Help", "queue": queue.pk}


def test_same_key_and_body_replays_the_first_response(client_for, junior, customer, queue):
    client = client_for(junior)

    first = client.post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    second = client.post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_same_key_with_another_body_is_a_422_and_creates_nothing(
    client_for, junior, customer, queue
):
    client = client_for(junior)
    client.post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )

    other = client.post(
        "/api/v1/tickets/",
        ticket_body(customer, queue, subject="Other"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )

    assert other.status_code == 422
    assert "different request" in other.json()["detail"]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Broken"]


def test_keys_belong_to_one_agent(client_for, junior, senior, customer, queue):
    client_for(junior).post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    response = client_for(senior).post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )

    assert response.status_code == 201
    assert Ticket.objects.count() == 2


def test_a_key_older_than_24_hours_is_replaced(client_for, junior, customer, queue):
    client = client_for(junior)
    client.post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-4"
    )
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))

    again = client.post(
        "/api/v1/tickets/",
        ticket_body(customer, queue, "New"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-4",
    )

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert Ticket.objects.count() == 2
    assert IdempotencyRecord.objects.get().response_body["subject"] == "New"


def test_a_rejected_request_stores_nothing_and_frees_the_key(client_for, junior, customer, queue):
    client = client_for(junior)

    bad = client.post(
        "/api/v1/tickets/", {"subject": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-5"
    )
    good = client.post(
        "/api/v1/tickets/", ticket_body(customer, queue), format="json", HTTP_IDEMPOTENCY_KEY="k-5"
    )

    assert (bad.status_code, good.status_code) == (400, 201)
    assert IdempotencyRecord.objects.count() == 1


def test_an_overlong_key_is_a_400(client_for, junior, customer, queue):
    response = client_for(junior).post(
        "/api/v1/tickets/",
        ticket_body(customer, queue),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k" * 256,
    )

    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert Ticket.objects.count() == 0


def test_nested_creates_replay_too(client_for, junior, customer, queue):
    from tests import factories

    ticket = factories.TicketFactory(queue=queue, customer=customer)
    client = client_for(junior)
    url = f"/api/v1/tickets/{ticket.pk}/notes/"

    first = client.post(url, {"body": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="k-6")
    second = client.post(url, {"body": "n"}, format="json", HTTP_IDEMPOTENCY_KEY="k-6")

    assert second.json()["id"] == first.json()["id"]
    assert ticket.notes.count() == 1


def test_purge_deletes_only_expired_records(junior):
    fresh = IdempotencyRecord.objects.create(
        key="a", user=junior, method="POST", path="/x", request_hash="h"
    )
    old = IdempotencyRecord.objects.create(
        key="b", user=junior, method="POST", path="/x", request_hash="h"
    )
    IdempotencyRecord.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )

    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.all()) == [fresh]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_at_once_create_one_ticket(client_for, junior, customer, queue):
    # Given two clients that will send the same request with the same key at the same moment
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict, str | None]] = []
    body = ticket_body(customer, queue)
    token_client = client_for(junior)
    auth = token_client._credentials["HTTP_AUTHORIZATION"]

    def send():
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=auth)
        barrier.wait()
        try:
            response = client.post(
                "/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="race"
            )
            results.append(
                (response.status_code, response.json(), response.headers.get("Idempotent-Replayed"))
            )
        finally:
            connection.close()

    # When both run concurrently
    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then one ticket exists and both got its response
    assert [code for code, _, _ in results] == [201, 201]
    assert sorted(str(replayed) for _, _, replayed in results) == ["None", "true"]
    assert results[0][1]["id"] == results[1][1]["id"]
    assert Ticket.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
