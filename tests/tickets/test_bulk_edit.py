"""Bulk edits: the same services and checks as single edits, all or nothing, each audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalations.models import AuditEvent
from tests import factories
from tickets.bulk_edit import BULK_AUDIT_KIND, BULK_MAX_TICKETS, tickets_bulk_update
from tickets.models import EventKind, Priority, Status, Tag, Ticket, TicketEvent


@pytest.fixture
def other_team_ticket(db):
    other = factories.QueueFactory(team=factories.TeamFactory(name="Billing"))
    return factories.TicketFactory(subject="Theirs", queue=other)


def _events(kind):
    return list(TicketEvent.objects.filter(kind=kind).values_list("ticket_id", "data"))


@pytest.mark.django_db
def test_bulk_assign_status_priority_and_tags_go_through_the_ticket_service(junior, senior, queue):
    first, second = factories.TicketFactory.create_batch(2, queue=queue, status=Status.NEW)
    second.tags.add(Tag.objects.create(name="old"))

    result = tickets_bulk_update(
        actor=junior,
        ticket_ids=[first.pk, second.pk],
        status=Status.PENDING,
        priority=Priority.HIGH,
        assignee=senior,
        add_tags=["vip", " VIP "],
        remove_tags=["old"],
    )

    assert result.changed == (first.pk, second.pk)
    rows = Ticket.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk")
    assert [(t.status, t.priority, t.assignee_id) for t in rows] == [
        (Status.PENDING, Priority.HIGH, senior.pk)
    ] * 2
    assert [sorted(t.tags.values_list("name", flat=True)) for t in rows] == [["vip"], ["vip"]]
    assert _events(EventKind.ASSIGNED) == [
        (first.pk, {"from": None, "to": senior.pk, "reason": "bulk"}),
        (second.pk, {"from": None, "to": senior.pk, "reason": "bulk"}),
    ]
    assert _events(EventKind.TAGS_CHANGED) == [
        (first.pk, {"added": ["vip"], "removed": []}),
        (second.pk, {"added": ["vip"], "removed": ["old"]}),
    ]


@pytest.mark.django_db
def test_each_changed_ticket_is_audited_in_one_batch(junior, queue):
    changes, already = (
        factories.TicketFactory(queue=queue),
        factories.TicketFactory(queue=queue, priority=Priority.URGENT),
    )

    result = tickets_bulk_update(
        actor=junior, ticket_ids=[changes.pk, already.pk], priority=Priority.URGENT
    )

    assert (result.changed, result.unchanged) == ((changes.pk,), (already.pk,))
    audit = AuditEvent.objects.get(kind=BULK_AUDIT_KIND)
    assert (audit.actor_id, audit.ticket_id) == (junior.pk, changes.pk)
    assert (audit.before["priority"], audit.after["priority"]) == ("normal", "urgent")
    assert audit.data["tickets"] == 2


@pytest.mark.django_db
def test_a_ticket_of_another_team_refuses_the_whole_request(junior, queue, other_team_ticket):
    ours = factories.TicketFactory(queue=queue)

    with pytest.raises(ValidationError) as refused:
        tickets_bulk_update(
            actor=junior, ticket_ids=[ours.pk, other_team_ticket.pk], status=Status.SOLVED
        )

    assert refused.value.message_dict == {
        "tickets": [f"Not found or not yours to edit: #{other_team_ticket.pk}."]
    }
    assert Ticket.objects.get(pk=ours.pk).status == Status.OPEN
    assert TicketEvent.objects.count() == 0
    assert AuditEvent.objects.filter(kind=BULK_AUDIT_KIND).count() == 0


@pytest.mark.django_db
def test_an_assignee_outside_a_tickets_team_is_refused(admin_user, queue, other_team_ticket):
    ours = factories.TicketFactory(queue=queue)
    member = factories.AgentFactory(username="member", team=queue.team)

    with pytest.raises(ValidationError) as refused:
        tickets_bulk_update(
            actor=admin_user, ticket_ids=[ours.pk, other_team_ticket.pk], assignee=member
        )

    assert refused.value.message_dict == {
        "assignee": [f"{member} cannot hold #{other_team_ticket.pk}: not in its team."]
    }
    assert Ticket.objects.filter(assignee=member).count() == 0


@pytest.mark.django_db
def test_the_escalate_tag_needs_a_handoff_in_bulk_too(junior, queue):
    first, second = factories.TicketFactory.create_batch(2, queue=queue)

    with pytest.raises(ValidationError) as refused:
        tickets_bulk_update(actor=junior, ticket_ids=[first.pk, second.pk], add_tags=["escalate"])

    assert list(refused.value.message_dict) == ["tags"]
    assert Tag.objects.filter(name="escalate", tickets__isnull=False).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"ticket_ids": []}, {"tickets": ["Select at least one ticket."]}),
        (
            {"ticket_ids": list(range(1, BULK_MAX_TICKETS + 2))},
            {"tickets": [f"Select at most {BULK_MAX_TICKETS} tickets at a time (101)."]},
        ),
        ({"status": None}, {"action": ["Choose what to change."]}),
        ({"status": "gone"}, {"status": ["Unknown status 'gone'."]}),
        (
            {"add_tags": ["x" * 51]},
            {"add_tags": ["A tag has at most 50 characters: xxxxxxxxxxxxxxxxxxxx…"]},
        ),
    ],
    ids=["none", "too-many", "no-change", "bad-status", "long-tag"],
)
def test_bad_input_is_refused_naming_the_field(junior, queue, kwargs, errors):
    ticket = factories.TicketFactory(queue=queue)
    arguments = {"ticket_ids": [ticket.pk], "status": Status.SOLVED} | kwargs

    with pytest.raises(ValidationError) as refused:
        tickets_bulk_update(actor=junior, **arguments)

    assert refused.value.message_dict == errors
    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


# --- The queue page's bulk bar ---


@pytest.mark.django_db
def test_bulk_bar_changes_the_ticked_tickets_and_returns_to_the_view(client, junior, senior, queue):
    first, second, untouched = factories.TicketFactory.create_batch(3, queue=queue)
    client.force_login(junior)

    response = client.post(
        reverse("tickets_bulk_update"),
        {
            "tickets": [first.pk, second.pk],
            "assignee": str(senior.pk),
            "status": "",
            "priority": "",
            "page": "team",
            "query": "priority=normal",
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/queues/team/?priority=normal")
    assert list(
        Ticket.objects.filter(assignee=senior).order_by("pk").values_list("pk", flat=True)
    ) == [
        first.pk,
        second.pk,
    ]
    assert Ticket.objects.get(pk=untouched.pk).assignee_id is None
    page = client.get(response["Location"]).content.decode()
    assert "2 tickets updated." in page


@pytest.mark.django_db
def test_bulk_bar_offers_only_the_teams_agents_and_checkboxes_per_row(
    client, junior, senior, queue, other_team_ticket
):
    ticket = factories.TicketFactory(queue=queue)
    client.force_login(junior)

    html = client.get(reverse("queue_team")).content.decode()

    assert f'<option value="{senior.pk}">{senior}</option>' in html
    assert f'value="{other_team_ticket.assignee_id}"' not in html
    assert (
        f'<input type="checkbox" name="tickets" value="{ticket.pk}" form="bulk-form" '
        f'class="bulk-pick" aria-label="Select #{ticket.pk}">'
    ) in html


@pytest.mark.django_db
def test_a_refused_bulk_edit_is_a_400_that_says_why_and_changes_nothing(
    client, junior, queue, other_team_ticket
):
    ours = factories.TicketFactory(queue=queue)
    client.force_login(junior)

    response = client.post(
        reverse("tickets_bulk_update"),
        {"tickets": [ours.pk, other_team_ticket.pk], "status": "solved", "page": "team"},
    )

    assert response.status_code == 400
    assert (
        f"<p>Not found or not yours to edit: #{other_team_ticket.pk}.</p>"
        in response.content.decode()
    )
    assert Ticket.objects.filter(status=Status.SOLVED).count() == 0
