"""The queue pages: who sees what, filters and sorting, pagination, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tickets.models import Priority, Status


@pytest.fixture
def other_team_junior(db):
    return factories.AgentFactory(username="outsider", team=factories.TeamFactory(name="Billing"))


def _subjects(response) -> list[str]:
    return [t.subject for t in response.context["tickets"]]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["queue_mine", "queue_team", "queue_escalated"])
def test_queue_pages_require_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_home_is_my_queue(client, junior, queue):
    factories.TicketFactory(subject="Mine", queue=queue, assignee=junior)
    client.force_login(junior)

    response = client.get(reverse("home"))

    assert (response.status_code, response.context["queue"]) == (200, "mine")
    assert _subjects(response) == ["Mine"]


@pytest.mark.django_db
def test_my_tickets_lists_only_tickets_assigned_to_me(client, junior, senior, queue):
    mine = factories.TicketFactory(subject="Mine", queue=queue, assignee=junior)
    factories.TicketFactory(subject="Senior's", queue=queue, assignee=senior)
    client.force_login(junior)

    response = client.get(reverse("queue_mine"))

    assert response.status_code == 200
    assert _subjects(response) == ["Mine"]
    assert f'href="/tickets/{mine.pk}/"' in response.content.decode()


@pytest.mark.django_db
def test_team_queue_hides_other_teams_tickets(client, junior, queue, other_team_junior):
    factories.TicketFactory(subject="Ours", queue=queue)
    factories.TicketFactory(
        subject="Theirs", queue=factories.QueueFactory(team=other_team_junior.team)
    )
    client.force_login(junior)

    response = client.get(reverse("queue_team"))

    assert _subjects(response) == ["Ours"]


@pytest.mark.django_db
def test_escalated_to_me_lists_unacknowledged_first(client, senior, queue):
    from django.utils import timezone

    acked = factories.TicketFactory(subject="Acknowledged", queue=queue, assignee=senior)
    pending = factories.TicketFactory(subject="Pending", queue=queue, assignee=senior)
    factories.TicketFactory(subject="Not escalated", queue=queue, assignee=senior)
    factories.EscalationFactory(ticket=pending, to_agent=senior)
    factories.EscalationFactory(
        ticket=acked, to_agent=senior, acknowledged_at=timezone.now(), acknowledged_by=senior
    )
    client.force_login(senior)

    response = client.get(reverse("queue_escalated"))

    assert _subjects(response) == ["Pending", "Acknowledged"]
    assert "Awaiting your acknowledgement" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": Status.PENDING}, ["Pending low"]),
        ({"priority": Priority.URGENT}, ["Urgent premium"]),
        ({"tier": "premium"}, ["Urgent premium"]),
        ({"tag": "billing"}, ["Pending low"]),
        ({"ordering": "-priority"}, ["Urgent premium", "Open normal", "Pending low"]),
        ({"ordering": "priority"}, ["Pending low", "Open normal", "Urgent premium"]),
        ({"ordering": "subject"}, ["Open normal", "Pending low", "Urgent premium"]),
    ],
    ids=["status", "priority", "tier", "tag", "priority-desc", "priority-asc", "subject"],
)
def test_team_queue_filters_and_sorts(client, junior, queue, params, expected):
    from tickets.models import Tag

    premium = factories.CustomerFactory(tier="premium")
    factories.TicketFactory(subject="Open normal", queue=queue)
    factories.TicketFactory(
        subject="Urgent premium", queue=queue, priority=Priority.URGENT, customer=premium
    )
    low = factories.TicketFactory(
        subject="Pending low", queue=queue, priority=Priority.LOW, status=Status.PENDING
    )
    low.tags.add(Tag.objects.create(name="billing"))
    client.force_login(junior)

    response = client.get(reverse("queue_team"), params)

    assert _subjects(response) == expected


@pytest.mark.django_db
def test_team_queue_filters_by_sla_state(client, junior, queue):
    from django.utils import timezone

    from escalations.models import SLAClock

    amber = factories.TicketFactory(subject="Amber", queue=queue)
    factories.TicketFactory(subject="No clock", queue=queue)
    now = timezone.now()
    SLAClock.objects.create(
        ticket=amber,
        metric="first_response",
        policy=factories.SLAPolicyFactory(),
        target_minutes=60,
        state="amber",
        started_at=now,
        checkpoint_at=now,
        due_at=now + timezone.timedelta(minutes=10),
    )
    client.force_login(junior)

    response = client.get(reverse("queue_team"), {"sla_state": "amber"})

    assert _subjects(response) == ["Amber"]
    assert 'data-due="' in response.content.decode()
    by_due = client.get(reverse("queue_team"), {"ordering": "due"})
    assert _subjects(by_due)[0] == "Amber"


@pytest.mark.django_db
def test_queue_paginates_25_per_page(client, junior, queue):
    factories.TicketFactory.create_batch(27, queue=queue)
    client.force_login(junior)

    first = client.get(reverse("queue_team"))
    second = client.get(reverse("queue_team"), {"page": 2})

    assert len(first.context["tickets"]) == 25
    assert len(second.context["tickets"]) == 2
    assert {t.pk for t in first.context["tickets"]}.isdisjoint(
        {t.pk for t in second.context["tickets"]}
    )


def _grow_queue(queue, agent, n):
    from tickets.models import Tag

    tag = Tag.objects.get_or_create(name="vip")[0]
    for ticket in factories.TicketFactory.create_batch(n, queue=queue, assignee=agent):
        ticket.tags.add(tag)
        factories.EscalationFactory(ticket=ticket, to_agent=agent)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["queue_mine", "queue_team", "queue_escalated"])
def test_queue_page_query_count_does_not_grow_with_tickets(
    client, senior, queue, name, django_assert_num_queries
):
    client.force_login(senior)
    _grow_queue(queue, senior, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(name))
    _grow_queue(queue, senior, 6)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse(name))

    assert len(response.context["tickets"]) == 9
