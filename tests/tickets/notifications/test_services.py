"""Keeping notifications, marking them read, and which writes keep one."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from escalations.services import escalation_acknowledge, escalation_create_manual
from tests import factories
from tickets import services as ticket_services
from tickets.notifications import services
from tickets.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

HANDOFF = {
    "tried": "Re-sent the invoice twice.",
    "diagnosis": "Billing sync is stuck for this account.",
    "authority_needed": "Issue a credit note.",
}


@pytest.fixture
def ticket(queue, junior):
    return factories.TicketFactory(queue=queue, assignee=junior)


def _kept():
    return list(
        Notification.objects.order_by("id").values_list("agent__username", "kind", "message")
    )


def test_a_notification_is_kept_with_its_sentence_cut_to_the_bound(ticket, senior):
    notification = services.notification_record(
        agent_id=senior.pk,
        kind=NotificationKind.ESCALATION_ASSIGNED,
        ticket=ticket,
        message="x" * 400,
    )

    notification.refresh_from_db()
    assert (notification.agent, notification.ticket, len(notification.message)) == (
        senior,
        ticket,
        300,
    )
    assert notification.read_at is None


def test_each_agent_keeps_only_their_newest_notifications(ticket, senior, junior, monkeypatch):
    monkeypatch.setattr(services, "NOTIFICATIONS_KEPT_PER_AGENT", 3)
    factories.NotificationFactory(agent=junior, ticket=ticket, message="junior's own")
    for n in range(5):
        services.notification_record(
            agent_id=senior.pk,
            kind=NotificationKind.TICKET_REASSIGNED,
            ticket=ticket,
            message=f"number {n}",
        )

    assert list(Notification.objects.filter(agent=senior).values_list("message", flat=True)) == [
        "number 4",
        "number 3",
        "number 2",
    ]
    assert Notification.objects.filter(agent=junior).count() == 1


def test_one_insert_for_two_agents_drops_each_agents_oldest_beyond_the_bound(
    ticket, senior, junior, monkeypatch
):
    monkeypatch.setattr(services, "NOTIFICATIONS_KEPT_PER_AGENT", 2)
    for n in range(3):
        factories.NotificationFactory(agent=senior, ticket=ticket, message=f"senior {n}")
    factories.NotificationFactory(agent=junior, ticket=ticket, message="junior 0")

    with CaptureQueriesContext(connection) as queries:
        services.notifications_record(
            [
                Notification(
                    agent=senior,
                    kind=NotificationKind.TICKET_REASSIGNED,
                    ticket=ticket,
                    message="senior new",
                ),
                Notification(
                    agent=junior,
                    kind=NotificationKind.TICKET_REASSIGNED,
                    ticket=ticket,
                    message="junior new",
                ),
            ]
        )

    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "DELETE"]
    newest = Notification.objects.order_by("-created_at", "-id")
    assert list(newest.filter(agent=senior).values_list("message", flat=True)) == [
        "senior new",
        "senior 2",
    ]
    assert list(newest.filter(agent=junior).values_list("message", flat=True)) == [
        "junior new",
        "junior 0",
    ]


def test_a_notification_of_a_rolled_back_write_is_not_kept(ticket, senior):
    @transaction.atomic
    def reassign_then_fail():
        services.notification_record(
            agent_id=senior.pk,
            kind=NotificationKind.TICKET_REASSIGNED,
            ticket=ticket,
            message="never happened",
        )
        raise RuntimeError("the write failed after the notification")

    with pytest.raises(RuntimeError):
        reassign_then_fail()

    assert Notification.objects.count() == 0


def test_an_agent_marks_only_their_own_notification_read(ticket, senior, junior):
    mine = factories.NotificationFactory(agent=senior, ticket=ticket)
    theirs = factories.NotificationFactory(agent=junior, ticket=ticket)

    services.notification_mark_read(agent=senior, notification_id=mine.pk)
    with pytest.raises(Notification.DoesNotExist):
        services.notification_mark_read(agent=senior, notification_id=theirs.pk)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.read_at is not None, theirs.read_at) == (True, None)


def test_mark_all_read_touches_only_the_agents_unread_ones(ticket, senior, junior):
    factories.NotificationFactory.create_batch(2, agent=senior, ticket=ticket)
    factories.NotificationFactory(agent=junior, ticket=ticket)

    assert services.notifications_mark_all_read(agent=senior) == 2
    assert services.notifications_mark_all_read(agent=senior) == 0
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert Notification.objects.get(read_at__isnull=True).agent == junior


def test_a_manual_escalation_tells_the_receiver_and_not_the_escalating_holder(ticket, junior, lead):
    escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)

    assert _kept() == [
        (
            "lead",
            NotificationKind.ESCALATION_ASSIGNED,
            f"#{ticket.pk} escalated to you by {junior}.",
        )
    ]
    assert Notification.objects.get().escalation.ticket == ticket


def test_an_escalation_by_someone_else_also_tells_the_holder_it_moved(ticket, junior, senior, lead):
    escalation_create_manual(ticket=ticket, actor=senior, **HANDOFF)

    assert _kept() == [
        (
            "lead",
            NotificationKind.ESCALATION_ASSIGNED,
            f"#{ticket.pk} escalated to you by {senior}.",
        ),
        (
            "junior",
            NotificationKind.TICKET_REASSIGNED,
            f"#{ticket.pk} was escalated to {lead} by {senior}; you still follow it.",
        ),
    ]


def test_acknowledgement_tells_the_agent_it_was_escalated_from(ticket, junior, lead):
    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)
    Notification.objects.all().delete()

    escalation_acknowledge(escalation=escalation, actor=lead)

    assert _kept() == [
        (
            "junior",
            NotificationKind.ESCALATION_ACKNOWLEDGED,
            f"#{ticket.pk}: your escalation was acknowledged by {lead}.",
        )
    ]


def test_acknowledging_another_agents_escalation_names_who_escalated(ticket, junior, senior, lead):
    # The senior escalated the junior's ticket: the junior follows it, but it is not theirs.
    escalation = escalation_create_manual(ticket=ticket, actor=senior, **HANDOFF)
    Notification.objects.all().delete()

    escalation_acknowledge(escalation=escalation, actor=lead)

    assert _kept() == [
        (
            "junior",
            NotificationKind.ESCALATION_ACKNOWLEDGED,
            f"#{ticket.pk}: the escalation by {senior} was acknowledged by {lead}.",
        )
    ]


def test_acknowledging_a_rule_fired_escalation_names_the_rule(ticket, junior, lead):
    rule = factories.RuleFactory(name="Angry customer to the lead")
    escalation = factories.EscalationFactory(
        ticket=ticket,
        trigger=rule.trigger_kind,
        rule=rule,
        rule_name=rule.name,
        from_agent=junior,
        to_agent=lead,
    )

    escalation_acknowledge(escalation=escalation, actor=lead)

    assert _kept() == [
        (
            "junior",
            NotificationKind.ESCALATION_ACKNOWLEDGED,
            f"#{ticket.pk}: the escalation by rule “Angry customer to the lead” was "
            f"acknowledged by {lead}.",
        )
    ]


def test_a_reassignment_tells_the_previous_assignee(ticket, junior, senior, lead):
    ticket_services.ticket_update(ticket=ticket, actor=lead, assignee=senior)

    assert _kept() == [
        (
            "junior",
            NotificationKind.TICKET_REASSIGNED,
            f"#{ticket.pk} was reassigned from you to {senior} by {lead}.",
        )
    ]


@pytest.mark.parametrize("change", ["by-themselves", "first-assignment", "other-fields"])
def test_no_notification_when_nothing_was_taken_away_by_someone_else(queue, junior, senior, change):
    ticket = factories.TicketFactory(
        queue=queue, assignee=None if change == "first-assignment" else junior
    )

    if change == "by-themselves":
        ticket_services.ticket_update(ticket=ticket, actor=junior, assignee=senior)
    elif change == "first-assignment":
        ticket_services.ticket_update(ticket=ticket, actor=senior, assignee=junior)
    else:
        ticket_services.ticket_update(
            ticket=ticket, actor=senior, priority="urgent", status="pending"
        )

    assert Notification.objects.count() == 0
