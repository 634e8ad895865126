"""The queue pages: who sees what, filters and sorting, pagination, constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tickets.models import Priority, Status
from tickets.search.documents import ticket_search_documents_rebuild


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


# --- Workspace: open by default, queue filter and column, dates, sortable headers, paging ---


@pytest.mark.django_db
def test_queues_show_open_tickets_unless_asked_for_all(client, junior, queue):
    for status in (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED):
        factories.TicketFactory(subject=status, queue=queue, assignee=junior, status=status)
    factories.TicketFactory(subject="closed", queue=queue, assignee=junior, status=Status.CLOSED)
    client.force_login(junior)

    default = client.get(reverse("queue_mine"), {"ordering": "subject"})
    everything = client.get(reverse("queue_mine"), {"ordering": "subject", "status": "all"})
    solved = client.get(reverse("queue_mine"), {"status": Status.SOLVED})

    assert _subjects(default) == ["new", "on_hold", "open", "pending"]
    assert _subjects(everything) == ["closed", "new", "on_hold", "open", "pending", "solved"]
    assert _subjects(solved) == ["solved"]
    assert '<option value="open_any" selected>All open</option>' in (default.content.decode())


@pytest.mark.django_db
def test_queue_filter_offers_and_accepts_only_the_agents_team_queues(
    client, junior, queue, other_team_junior
):
    refunds = factories.QueueFactory(name="Refunds", team=queue.team)
    theirs = factories.QueueFactory(name="Theirs", team=other_team_junior.team)
    factories.TicketFactory(subject="General ticket", queue=queue)
    factories.TicketFactory(subject="Refund ticket", queue=refunds)
    client.force_login(junior)

    response = client.get(reverse("queue_team"), {"queue": refunds.pk})
    foreign = client.get(reverse("queue_team"), {"queue": theirs.pk})

    assert _subjects(response) == ["Refund ticket"]
    html = response.content.decode()
    assert f'<option value="{refunds.pk}" selected>Support / Refunds</option>' in html
    assert f'<option value="{theirs.pk}"' not in html
    assert '<td data-label="Queue">Refunds</td>' in html
    assert foreign.status_code == 400
    assert foreign.context["filter"].errors == {
        "queue": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert foreign.context["tickets"] == []


@pytest.mark.django_db
def test_rows_show_created_updated_and_last_customer_message_with_exact_time_on_hover(
    client, junior, queue
):
    from datetime import timedelta

    from django.utils import timezone

    from tickets.models import Message, Ticket

    ticket = factories.TicketFactory(subject="Dated", queue=queue)
    message = factories.MessageFactory(ticket=ticket, author_type="customer")
    written = timezone.now() - timedelta(hours=3)
    Message.objects.filter(pk=message.pk).update(created_at=written)
    created = timezone.now() - timedelta(days=2)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
    client.force_login(junior)

    html = client.get(reverse("queue_team")).content.decode()

    exact = timezone.localtime(written).strftime("%a %d %b %Y, %H:%M %Z")
    assert (
        f'<time class="when" datetime="{written.isoformat()}" title="{exact}">3 h ago</time>'
        in html
    )
    assert f'<time class="when" datetime="{created.isoformat()}"' in html
    assert ">2 d ago</time>" in html
    assert ">just now</time>" in html


@pytest.mark.django_db
def test_sorting_by_the_latest_customer_message_puts_silent_tickets_last(client, junior, queue):
    from datetime import timedelta

    from django.utils import timezone

    from tickets.models import Message

    old, recent = (factories.TicketFactory(subject=s, queue=queue) for s in ("Old", "Recent"))
    factories.TicketFactory(subject="Silent", queue=queue)
    for ticket, hours in ((old, 5), (recent, 1)):
        message = factories.MessageFactory(ticket=ticket, author_type="customer")
        Message.objects.filter(pk=message.pk).update(
            created_at=timezone.now() - timedelta(hours=hours)
        )
    client.force_login(junior)

    oldest_first = client.get(reverse("queue_team"), {"ordering": "customer_message"})
    newest_first = client.get(reverse("queue_team"), {"ordering": "-customer_message"})

    assert _subjects(oldest_first) == ["Old", "Recent", "Silent"]
    assert _subjects(newest_first) == ["Recent", "Old", "Silent"]


@pytest.mark.django_db
def test_column_headers_sort_and_announce_the_current_order(client, junior, queue):
    factories.TicketFactory(queue=queue)
    client.force_login(junior)

    unsorted = client.get(reverse("queue_team"), {"priority": "normal"}).content.decode()
    ascending = client.get(reverse("queue_team"), {"ordering": "created"}).content.decode()
    descending = client.get(reverse("queue_team"), {"ordering": "-created"}).content.decode()

    assert (
        '<th scope="col" aria-sort="none"><a href="?priority=normal&amp;ordering=created">'
        'Created<span aria-hidden="true"></span></a></th>'
    ) in unsorted
    assert (
        '<th scope="col" aria-sort="ascending"><a href="?ordering=-created">'
        'Created<span aria-hidden="true"> ▲</span></a></th>'
    ) in ascending
    assert '<th scope="col" aria-sort="descending"><a href="?ordering=created">' in descending


@pytest.mark.django_db
def test_page_size_and_numbered_pages(client, junior, queue):
    factories.TicketFactory.create_batch(120, queue=queue)
    client.force_login(junior)

    fifty = client.get(reverse("queue_team"), {"page_size": "50", "page": "2"})
    default = client.get(reverse("queue_team"))

    assert len(fifty.context["tickets"]) == 50
    assert [str(n) for n in fifty.context["page_links"]] == ["1", "2", "3"]
    html = fifty.content.decode()
    assert '<span aria-current="page" class="current">2</span>' in html
    assert '<a href="?page_size=50&amp;page=3" aria-label="Page 3">3</a>' in html
    assert len(default.context["tickets"]) == 25
    assert [str(n) for n in default.context["page_links"]] == ["1", "2", "3", "4", "5"]


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["1000", "0", "ten"])
def test_a_page_size_out_of_the_offered_ones_is_a_400_naming_it(client, junior, queue, page_size):
    factories.TicketFactory(queue=queue)
    client.force_login(junior)

    response = client.get(reverse("queue_team"), {"page_size": page_size})

    assert response.status_code == 400
    assert list(response.context["filter"].errors) == ["page_size"]
    assert response.context["tickets"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["queue_mine", "queue_team", "ticket_search"])
def test_every_ticket_table_tells_the_receiver_the_acknowledgement_is_theirs(
    client, senior, junior, queue, page
):
    mine = factories.TicketFactory(subject="Modem mine", queue=queue, assignee=senior)
    factories.EscalationFactory(ticket=mine, to_agent=senior)
    theirs = factories.TicketFactory(subject="Modem theirs", queue=queue, assignee=senior)
    factories.EscalationFactory(ticket=theirs, to_agent=junior)
    ticket_search_documents_rebuild()  # made around the services (PostgreSQL's search)

    client.force_login(senior)
    response = client.get(reverse(page), {"q": "modem"} if page == "ticket_search" else {})

    rows = {t.subject: t for t in response.context["tickets"]}
    assert (rows["Modem mine"].awaiting_my_ack, rows["Modem theirs"].awaiting_my_ack) == (
        True,
        False,
    )
    html = response.content.decode()
    assert f'<tr data-ticket-id="{mine.pk}" class="needs-ack">' in html
    assert f'<tr data-ticket-id="{theirs.pk}">' in html
    assert html.count("Awaiting your acknowledgement") == 1
    assert html.count("Escalated · awaiting acknowledgement") == 1
