"""Every ticket write pushes its live events, after commit, in the contract's exact shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from escalations import services as escalation_services
from escalations.sla.selectors import sla_calendar_cache_clear
from tests import factories
from tickets import realtime, services
from tickets.models import EventKind, NoteKind, Ticket

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(monkeypatch):
    """Every ``(group, payload)`` the services hand to the channel layer, in order."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "push_many", lambda pushes: sent.extend(pushes))
    return sent


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: T0)
    return T0


@pytest.fixture
def ticket(queue, junior):
    return factories.TicketFactory(
        subject="Charged twice", queue=queue, assignee=junior, status="open", priority="normal"
    )


def _fields(ticket, *, status="open", priority="normal", assignee=None, tags=()):
    return {
        "status": status,
        "status_display": dict(Ticket._meta.get_field("status").choices)[status],
        "priority": priority,
        "priority_display": dict(Ticket._meta.get_field("priority").choices)[priority],
        "assignee": assignee,
        "queue": {"id": ticket.queue.pk, "name": "General"},
        "tags": list(tags),
    }


def _queue_pushes(ticket, kind):
    event = {
        "type": "queue.ticket_changed",
        "ticket": ticket.pk,
        "team": ticket.queue.team_id,
        "event": kind,
    }
    return [(f"team.{ticket.queue.team_id}", event), ("team.all", event)]


def test_a_customer_message_pushes_message_created_and_moves_the_queue_row(
    pushed, now, ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_add(
            ticket=ticket, author_type="customer", body="Thanks, that worked."
        )

    assert pushed == [
        (
            f"ticket.{ticket.pk}",
            {
                "type": "message.created",
                "ticket": ticket.pk,
                "message": {
                    "id": message.pk,
                    "author_type": "customer",
                    "author": None,
                    "body": "Thanks, that worked.",
                    "sentiment": {
                        "label": message.sentiment,
                        "display": message.get_sentiment_display(),
                        "score": message.sentiment_score,
                        "reasons": message.sentiment_reasons,
                    },
                    "created_at": "2026-03-02T10:00:00+00:00",
                },
            },
        ),
        *_queue_pushes(ticket, "message_added"),
    ]


def test_an_agent_reply_on_a_new_ticket_pushes_the_message_and_the_status_change(
    pushed, now, queue, senior, django_capture_on_commit_callbacks
):
    ticket = factories.TicketFactory(queue=queue, status="new")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_add(
            ticket=ticket, author_type="agent", body="On it.", author=senior
        )

    senior_ref = {"id": senior.pk, "name": str(senior)}
    assert [group for group, _ in pushed] == [
        f"ticket.{ticket.pk}",
        f"ticket.{ticket.pk}",
        f"team.{queue.team_id}",
        "team.all",
    ]
    assert pushed[0][1]["message"] == {
        "id": message.pk,
        "author_type": "agent",
        "author": senior_ref,
        "body": "On it.",
        "sentiment": None,
        "created_at": "2026-03-02T10:00:00+00:00",
    }
    assert pushed[1][1] == {
        "type": "ticket.updated",
        "ticket": ticket.pk,
        "version": 2,
        "event": "status_changed",
        "actor": senior_ref,
        "changes": {"status": {"from": "new", "to": "open"}},
        "ticket_fields": _fields(ticket),
        "sla": None,
    }


def test_a_note_pushes_note_created_but_a_summary_note_is_left_to_the_summary_event(
    pushed, now, ticket, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = services.note_add(ticket=ticket, body="Called the bank.", author=lead)
        services.note_add(
            ticket=ticket, body="summary", author=None, kind=NoteKind.ESCALATION_SUMMARY
        )

    assert pushed == [
        (
            f"ticket.{ticket.pk}",
            {
                "type": "note.created",
                "ticket": ticket.pk,
                "note": {
                    "id": note.pk,
                    "kind": "note",
                    "author": {"id": lead.pk, "name": str(lead)},
                    "addressed_to": None,
                    "body": "Called the bank.",
                    "pinned": False,
                    "created_at": "2026-03-02T10:00:00+00:00",
                },
            },
        )
    ]


def test_field_changes_push_one_ticket_updated_each_and_tell_the_previous_assignee(
    pushed, now, ticket, junior, senior, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(
            ticket=ticket, actor=lead, priority="urgent", assignee=senior, tags=["vip", "billing"]
        )

    to_ticket = [event for group, event in pushed if group == f"ticket.{ticket.pk}"]
    senior_ref = {"id": senior.pk, "name": str(senior)}
    fields = _fields(ticket, priority="urgent", assignee=senior_ref, tags=["billing", "vip"])
    lead_ref = {"id": lead.pk, "name": str(lead)}
    assert to_ticket == [
        {
            "type": "ticket.updated",
            "ticket": ticket.pk,
            "version": 2,
            "event": kind,
            "actor": lead_ref,
            "changes": changes,
            "ticket_fields": fields,
            "sla": None,
        }
        for kind, changes in [
            ("priority_changed", {"priority": {"from": "normal", "to": "urgent"}}),
            (
                "assigned",
                {"assignee": {"from": {"id": junior.pk, "name": str(junior)}, "to": senior_ref}},
            ),
            ("tags_changed", {"tags": {"from": [], "to": ["billing", "vip"]}}),
        ]
    ]
    assert [event for group, event in pushed if group == f"agent.{junior.pk}"] == [
        {
            "type": "ticket.reassigned",
            "ticket": ticket.pk,
            "message": f"#{ticket.pk} was reassigned from you to {senior} by {lead}.",
        }
    ]
    assert [group for group, _ in pushed].count("team.all") == 3
    assert Ticket.objects.get(pk=ticket.pk).version == 2


def test_an_agent_who_reassigns_their_own_ticket_is_not_notified(
    pushed, now, ticket, junior, senior, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(ticket=ticket, actor=junior, assignee=senior)

    assert [group for group, _ in pushed] == [
        f"ticket.{ticket.pk}",
        f"team.{ticket.queue.team_id}",
        "team.all",
    ]


def test_a_queue_change_names_both_queues(
    pushed, now, ticket, team, lead, django_capture_on_commit_callbacks
):
    other = factories.QueueFactory(name="Refunds", team=team)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_update(ticket=ticket, actor=lead, queue=other)

    assert pushed[0][1]["changes"] == {
        "queue": {
            "from": {"id": ticket.queue.pk, "name": "General"},
            "to": {"id": other.pk, "name": "Refunds"},
        }
    }
    assert pushed[0][1]["ticket_fields"]["queue"] == {"id": other.pk, "name": "Refunds"}


def test_a_refund_pushes_refund_created(
    pushed, now, ticket, junior, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = services.refund_request_create(
            ticket=ticket, amount=Decimal("750.00"), currency="usd", reason="Double", actor=junior
        )

    assert pushed == [
        (
            f"ticket.{ticket.pk}",
            {
                "type": "refund.created",
                "ticket": ticket.pk,
                "refund": {
                    "id": refund.pk,
                    "amount": "750.00",
                    "currency": "USD",
                    "reason": "Double",
                    "created_at": "2026-03-02T10:00:00+00:00",
                },
            },
        )
    ]


def test_an_acknowledgement_pushes_to_the_page_and_tells_the_escalating_agent(
    pushed, now, ticket, junior, senior, django_capture_on_commit_callbacks
):
    escalation = factories.EscalationFactory(
        ticket=ticket, from_agent=junior, to_agent=senior, initiated_by=junior
    )
    with django_capture_on_commit_callbacks(execute=True):
        escalation_services.escalation_acknowledge(escalation=escalation, actor=senior)

    assert pushed == [
        (
            f"ticket.{ticket.pk}",
            {
                "type": "escalation.acknowledged",
                "ticket": ticket.pk,
                "escalation": escalation.pk,
                "by": {"id": senior.pk, "name": str(senior)},
                "on_behalf_of": None,
                "at": "2026-03-02T10:00:00+00:00",
            },
        ),
        (
            f"agent.{junior.pk}",
            {
                "type": "escalation.acknowledged",
                "ticket": ticket.pk,
                "escalation": escalation.pk,
                # The words of the notification kept for it.
                "message": f"#{ticket.pk}: your escalation was acknowledged by {senior}.",
            },
        ),
    ]


def test_an_sla_crossing_pushes_ticket_updated_with_the_sla_and_no_changes(
    pushed, now, queue, customer, django_capture_on_commit_callbacks
):
    sla_calendar_cache_clear()
    policy = factories.SLAPolicyFactory(name="Standard", order=10)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(
            subject="Slow", customer=customer, body="Hello?", queue=queue
        )
    pushed.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_event_record(
            ticket=ticket,
            kind=EventKind.SLA_STATE_CHANGED,
            data={"metric": "first_response", "from": "green", "to": "amber"},
        )

    assert pushed == [
        (
            f"ticket.{ticket.pk}",
            {
                "type": "ticket.updated",
                "ticket": ticket.pk,
                "version": ticket.version,
                "event": "sla_state_changed",
                "actor": None,
                "changes": {},
                "ticket_fields": _fields(ticket, status="new"),
                "sla": {
                    "state": "green",
                    "first_response_due_at": "2026-03-02T11:00:00+00:00",
                    "remaining_seconds": 3600,
                    "metric": "first_response",
                    "due_at": "2026-03-02T11:00:00+00:00",
                },
            },
        ),
        *_queue_pushes(ticket, "sla_state_changed"),
    ]


def test_a_new_ticket_is_pushed_to_the_queue_pages(
    pushed, now, queue, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(subject="Hi", customer=customer, body="Hi", queue=queue)

    assert [(g, e["type"], e.get("event")) for g, e in pushed] == [
        (f"team.{queue.team_id}", "queue.ticket_changed", "ticket_created"),
        ("team.all", "queue.ticket_changed", "ticket_created"),
        (f"ticket.{ticket.pk}", "message.created", None),
        (f"team.{queue.team_id}", "queue.ticket_changed", "message_added"),
        ("team.all", "queue.ticket_changed", "message_added"),
    ]


def test_a_rolled_back_write_pushes_nothing(
    pushed, ticket, lead, django_capture_on_commit_callbacks
):
    def change_then_fail():
        with transaction.atomic():
            services.ticket_update(ticket=ticket, actor=lead, priority="urgent")
            raise RuntimeError("abort")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="abort"),
    ):
        change_then_fail()

    assert pushed == []
    assert callbacks == []
    assert Ticket.objects.get(pk=ticket.pk).version == 1
