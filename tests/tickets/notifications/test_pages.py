"""The notification centre's pages: the header count, the list, mark one / all read."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tickets.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(queue, junior):
    return factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)


def _signed_in(agent, *, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(agent)
    return client


def _at(minutes_ago):
    return timezone.now() - timezone.timedelta(minutes=minutes_ago)


@pytest.mark.parametrize(
    "url",
    [
        reverse("notification_list"),
        reverse("notification_unread"),
    ],
    ids=["list", "unread"],
)
def test_notification_pages_need_sign_in(client, url):
    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"/login/?next={url}")


def test_the_header_shows_the_agents_unread_count(ticket, senior, junior):
    factories.NotificationFactory.create_batch(2, agent=senior, ticket=ticket)
    factories.NotificationFactory(agent=senior, ticket=ticket, read_at=timezone.now())
    factories.NotificationFactory(agent=junior, ticket=ticket)

    page = _signed_in(senior).get(reverse("queue_mine")).content.decode()
    count = _signed_in(senior).get(reverse("notification_unread")).json()

    assert 'id="unread-count" data-count="2">2<span class="visually-hidden"> unread' in page
    assert count == {"unread": 2}


def test_the_list_shows_only_the_agents_own_newest_first(ticket, senior, junior):
    factories.NotificationFactory(agent=senior, ticket=ticket, message="older", created_at=_at(9))
    factories.NotificationFactory(agent=senior, ticket=ticket, message="newer", created_at=_at(1))
    factories.NotificationFactory(agent=junior, ticket=ticket, message="not yours")

    response = _signed_in(senior).get(reverse("notification_list"))

    page = response.context["page"]
    assert [n.message for n in page.object_list] == ["newer", "older"]
    assert "not yours" not in response.content.decode()


def test_the_list_is_paginated_25_a_page(ticket, senior, django_assert_num_queries):
    for n in range(30):
        factories.NotificationFactory(
            agent=senior, ticket=ticket, message=f"n{n}", created_at=_at(n)
        )
    client = _signed_in(senior)
    client.get(reverse("notification_list"))  # warm the session and the user

    # The list's five queries, and the agent's team (the time zone the page is shown in).
    with django_assert_num_queries(6):
        first = client.get(reverse("notification_list"))
    second = client.get(reverse("notification_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert [n.message for n in second.context["page"].object_list] == [
        "n25",
        "n26",
        "n27",
        "n28",
        "n29",
    ]


@pytest.mark.parametrize(
    ("page", "status"),
    [("abc", 400), ("0", 404), ("3", 404)],
    ids=["not-a-number", "zero", "past-the-end"],
)
def test_a_bad_page_is_refused_naming_the_field(ticket, senior, page, status):
    factories.NotificationFactory(agent=senior, ticket=ticket)

    response = _signed_in(senior).get(reverse("notification_list"), {"page": page})

    assert response.status_code == status
    if status == 400:
        assert response.content.decode() == "page: must be a whole number."


def test_an_empty_list_says_so(senior):
    response = _signed_in(senior).get(reverse("notification_list"))

    assert response.status_code == 200
    assert "No notifications yet." in response.content.decode()


def test_marking_one_read_opens_its_ticket_or_returns_to_the_list(ticket, senior):
    first, second = factories.NotificationFactory.create_batch(2, agent=senior, ticket=ticket)
    client = _signed_in(senior)

    opened = client.post(reverse("notification_read", args=[first.pk]), {"open": "1"})
    listed = client.post(reverse("notification_read", args=[second.pk]))

    assert (opened.status_code, opened["Location"]) == (302, f"/tickets/{ticket.pk}/")
    assert (listed.status_code, listed["Location"]) == (302, "/notifications/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_an_agent_cannot_mark_someone_elses_notification(ticket, senior, junior):
    theirs = factories.NotificationFactory(agent=junior, ticket=ticket)

    response = _signed_in(senior).post(reverse("notification_read", args=[theirs.pk]))

    theirs.refresh_from_db()
    assert (response.status_code, theirs.read_at) == (404, None)


def test_mark_all_read_marks_only_the_agents_own(ticket, senior, junior):
    factories.NotificationFactory.create_batch(3, agent=senior, ticket=ticket)
    theirs = factories.NotificationFactory(agent=junior, ticket=ticket)

    response = _signed_in(senior).post(reverse("notification_read_all"))

    theirs.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    assert Notification.objects.filter(agent=senior, read_at__isnull=True).count() == 0
    assert theirs.read_at is None


@pytest.mark.parametrize("name", ["read-one", "read-all"])
def test_marking_read_needs_post_and_a_csrf_token(ticket, senior, name):
    notification = factories.NotificationFactory(agent=senior, ticket=ticket)
    url = (
        reverse("notification_read", args=[notification.pk])
        if name == "read-one"
        else reverse("notification_read_all")
    )

    by_get = _signed_in(senior).get(url)
    without_token = _signed_in(senior, csrf=True).post(url)

    notification.refresh_from_db()
    assert (by_get.status_code, without_token.status_code) == (405, 403)
    assert notification.read_at is None
