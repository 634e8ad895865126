"""The demo's notification centres hold what its escalations told each agent, as the live path
words it, read as a working team would have read it. Seeded for a fixed ``now``, twice (the
second adds nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from escalations.models import Escalation
from tests.tickets.demo_seeding import rolled_back_after
from tickets.demo import DEMO_CUSTOMER_PREFIX, demo_data_seed
from tickets.models import Agent
from tickets.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        first = demo_data_seed(tickets=400, customers=60, now=NOW)
        escalations = list(
            Escalation.objects.filter(
                ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX
            ).select_related(
                "to_agent", "initiated_by", "acknowledged_by", "acknowledged_on_behalf_of"
            )
        )
        notifications = list(Notification.objects.all())
        second = demo_data_seed(tickets=400, customers=60, now=NOW)
        count_after_second = Notification.objects.count()
        leads = {a.pk for a in Agent.objects.filter(username__endswith="-lead")}
    return {
        "first": first.created,
        "second": second.created,
        "escalations": escalations,
        "notifications": notifications,
        "count_after_second": count_after_second,
        "leads": leads,
    }


def _of(seeded, kind):
    found: dict[tuple[int, int], list[Notification]] = {}
    for n in seeded["notifications"]:
        if n.kind == kind:
            found.setdefault((n.escalation_id, n.agent_id), []).append(n)
    return found


def test_every_receiver_was_told_once_in_the_live_path_words(seeded):
    told = _of(seeded, NotificationKind.ESCALATION_ASSIGNED)
    received = [e for e in seeded["escalations"] if e.to_agent_id is not None]
    assert len(received) > 20
    for escalation in received:
        (notification,) = told[(escalation.pk, escalation.to_agent_id)]
        by = (
            f"rule “{escalation.rule_name}”"
            if escalation.rule_name
            else str(escalation.initiated_by)
        )
        assert notification.message == f"#{escalation.ticket_id} escalated to you by {by}."
        assert notification.ticket_id == escalation.ticket_id
        assert notification.created_at == escalation.created_at
    assert len(told) == len(received)


def test_receivers_read_what_they_acknowledged_and_what_is_old_the_rest_is_unread(seeded):
    told = _of(seeded, NotificationKind.ESCALATION_ASSIGNED)
    unread_waiting = 0
    for escalation in seeded["escalations"]:
        if escalation.to_agent_id is None:
            continue
        (notification,) = told[(escalation.pk, escalation.to_agent_id)]
        if escalation.acknowledged_at is not None:
            assert notification.read_at is not None
            assert escalation.created_at <= notification.read_at <= escalation.acknowledged_at
        elif NOW - escalation.created_at < timedelta(days=1):
            assert notification.read_at is None
            unread_waiting += 1
        else:
            assert notification.read_at is not None
    # The demo's escalations still to acknowledge ring the bell of their receivers.
    assert unread_waiting >= 1
    for notification in seeded["notifications"]:
        if notification.read_at is not None:
            assert notification.read_at > notification.created_at
            assert notification.read_at <= NOW


def test_an_escalator_is_told_when_someone_else_acknowledged(seeded):
    told = _of(seeded, NotificationKind.ESCALATION_ACKNOWLEDGED)
    expected = [
        e
        for e in seeded["escalations"]
        if e.acknowledged_at is not None
        and e.from_agent_id is not None
        and e.from_agent_id != e.acknowledged_by_id
    ]
    assert len(expected) > 10
    theirs = 0
    for escalation in expected:
        (notification,) = told[(escalation.pk, escalation.from_agent_id)]
        by = str(escalation.acknowledged_by)
        if escalation.acknowledged_on_behalf_of is not None:
            by += f" on behalf of {escalation.acknowledged_on_behalf_of}"
        if escalation.initiated_by_id == escalation.from_agent_id:
            whose = "your escalation"
            theirs += 1
        elif escalation.rule_name:
            whose = f"the escalation by rule “{escalation.rule_name}”"
        else:
            whose = f"the escalation by {escalation.initiated_by}"
        assert notification.message == (
            f"#{escalation.ticket_id}: {whose} was acknowledged by {by}."
        )
        assert notification.created_at == escalation.acknowledged_at
    assert len(told) == len(expected)
    # Both wordings are drawn: an agent's own escalation, and a rule's.
    assert 0 < theirs < len(expected)


def test_a_previous_holder_is_told_when_another_escalated_their_ticket(seeded):
    told = _of(seeded, NotificationKind.TICKET_REASSIGNED)
    expected = [
        e
        for e in seeded["escalations"]
        if e.from_agent_id is not None and e.from_agent_id not in (e.to_agent_id, e.initiated_by_id)
    ]
    assert len(expected) > 10
    for escalation in expected:
        (notification,) = told[(escalation.pk, escalation.from_agent_id)]
        assert notification.message.startswith(f"#{escalation.ticket_id} was escalated to ")
        assert notification.message.endswith("; you still follow it.")
    assert len(told) == len(expected)


def test_every_team_lead_has_notifications_and_seeding_again_adds_none(seeded):
    agents = {n.agent_id for n in seeded["notifications"]}
    assert seeded["leads"] <= agents
    assert seeded["first"]["notifications"] == len(seeded["notifications"])
    assert seeded["second"].get("notifications", 0) == 0
    assert seeded["count_after_second"] == len(seeded["notifications"])
