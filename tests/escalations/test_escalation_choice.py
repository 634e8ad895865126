"""``escalation_choice_clean``: who may send a ticket where by hand (page and API share it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.targets import escalation_choice_clean
from escalations.models import Escalation, TargetKind
from escalations.services import escalation_create_manual
from tests import factories

pytestmark = pytest.mark.django_db

HANDOFF = {"tried": "Re-sent it.", "diagnosis": "Sync stuck.", "authority_needed": "A credit."}


@pytest.fixture
def billing():
    team = factories.TeamFactory(name="Billing")
    return {
        "lead": factories.LeadFactory(username="olga", team=team),
        "senior": factories.SeniorFactory(username="sam", team=team),
        "target": factories.TargetFactory(
            kind=TargetKind.QUEUE, queue=factories.QueueFactory(team=team), team=team
        ),
    }


@pytest.mark.parametrize(
    ("actor", "choice", "allowed"),
    [
        ("junior", "senior", True),
        ("junior", "lead", True),
        ("junior", "other_lead", False),
        ("junior", "other_senior", False),
        ("junior", "other_target", False),
        ("lead", "other_lead", True),
        ("lead", "other_target", True),
        ("lead", "other_senior", False),
    ],
    ids=lambda v: str(v),
)
def test_who_may_choose_what(team, junior, senior, lead, billing, actor, choice, allowed):
    actors = {"junior": junior, "lead": lead}
    chosen = {
        "senior": {"to_agent": senior},
        "lead": {"to_agent": lead},
        "other_lead": {"to_agent": billing["lead"]},
        "other_senior": {"to_agent": billing["senior"]},
        "other_target": {"target": billing["target"]},
    }[choice]
    kwargs = {"target": None, "to_agent": None, **chosen}

    if allowed:
        escalation_choice_clean(actor=actors[actor], team_id=team.pk, **kwargs)
    else:
        with pytest.raises(ValidationError) as caught:
            escalation_choice_clean(actor=actors[actor], team_id=team.pk, **kwargs)
        assert list(caught.value.message_dict) == ["target" if "target" in chosen else "to_agent"]


def test_an_inactive_senior_is_refused_and_nothing_is_written(make_ticket, junior, senior, lead):
    ticket = make_ticket(holder=junior)
    senior.is_active = False
    senior.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as caught:
        escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)

    assert caught.value.message_dict == {
        "to_agent": [f"{senior} is not an active senior or lead you can escalate to."]
    }
    assert Escalation.objects.count() == 0


def test_a_named_senior_receives_the_ticket_in_its_queue(make_ticket, junior, senior, lead):
    ticket = make_ticket(holder=junior)

    escalation = escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.queue) == (senior, escalation.from_queue)
    assert (escalation.to_agent, escalation.to_queue) == (senior, escalation.from_queue)
    assert escalation.route_notes == [f"Chosen by name: {senior}."]
