"""Unacknowledged escalations go one level up (``escalations/engine/acknowledge.py``): the cases a
mutation run of the module showed unguarded. The single bump, its evidence and its note are in
``test_unacknowledged.py``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from escalations.engine.acknowledge import escalations_unacknowledged_bump
from escalations.models import Escalation, TriggerKey
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_every_overdue_escalation_is_counted(make_ticket, junior, senior, lead, senior_target):
    # Given two tickets escalated to the senior 20 minutes ago under a 15-minute limit
    rule = factories.RuleFactory(name="Refunds", target=senior_target, ack_limit_minutes=15)
    parents = []
    for _ in range(2):
        ticket = make_ticket(holder=junior)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=senior)
        parents.append(
            factories.EscalationFactory(
                ticket=ticket, rule=rule, rule_name=rule.name, from_agent=junior, to_agent=senior
            )
        )
    Escalation.objects.filter(pk__in=[p.pk for p in parents]).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )

    # When the sweep runs
    moved = escalations_unacknowledged_bump()

    # Then both went to the lead, and the count says so
    assert moved == 2
    bumps = Escalation.objects.filter(trigger=TriggerKey.UNACKNOWLEDGED).order_by("parent_id")
    assert [(b.parent_id, b.to_agent) for b in bumps] == [(p.pk, lead) for p in parents]
