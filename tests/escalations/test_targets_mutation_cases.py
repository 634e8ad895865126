"""Target kinds: the cases a mutation run of ``escalations/engine/targets.py`` showed unguarded.

Each case pins a result (a resolution's queue and notes, a refusal's exact message, who may be
chosen by hand) that a one-token slip in the module would change. The broader behaviour is in
``test_targets.py`` and ``test_escalation_choice.py``.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.targets import (
    TARGET_KINDS,
    escalation_choice_clean,
    target_clean,
)
from escalations.models import TargetKind
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def loaded(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("queue__team__lead", "assignee").get(pk=ticket.pk)


@pytest.fixture
def billing():
    return factories.TeamFactory(name="Billing")


@pytest.fixture
def specialist(team):
    return factories.QueueFactory(name="Specialists", team=team, specialist=True)


# --- Resolution ---------------------------------------------------------------------------------
def test_agent_target_names_the_agent_in_its_notes(queue, junior, senior, senior_target):
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=junior))

    resolution = TARGET_KINDS.get("agent").resolve(target=senior_target, ticket=ticket)

    assert (resolution.to_agent, resolution.to_queue) == (senior, queue)
    assert resolution.notes == [f"Named agent: {senior}."]


def test_agent_target_with_an_inactive_agent_resolves_to_nobody(
    queue, junior, senior, senior_target
):
    senior.is_active = False
    senior.save(update_fields=["is_active"])
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=junior))

    resolution = TARGET_KINDS.get("agent").resolve(target=senior_target, ticket=ticket)

    assert (resolution.to_agent, resolution.to_queue) == (None, queue)
    assert resolution.notes == ["Target Senior: agent not active."]
    assert resolution.reassign is True


def test_team_lead_of_a_ticket_without_a_queue_is_nobody(junior, lead, lead_target):
    ticket = loaded(factories.TicketFactory(queue=None, assignee=junior))

    resolution = TARGET_KINDS.get("team_lead").resolve(target=lead_target, ticket=ticket)

    assert (resolution.to_agent, resolution.to_queue) == (None, None)
    assert resolution.notes == ["The ticket has no team, so no team lead."]


def test_team_lead_resolution_keeps_the_ticket_in_its_queue(queue, junior, lead, lead_target):
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=junior))

    resolution = TARGET_KINDS.get("team_lead").resolve(target=lead_target, ticket=ticket)

    assert (resolution.to_agent, resolution.to_queue) == (lead, queue)
    assert resolution.notes == [f"Team lead of Support: {lead}."]


def test_team_without_an_active_lead_leaves_the_ticket_in_its_queue(
    team, queue, junior, lead, lead_target
):
    lead.is_active = False
    lead.save(update_fields=["is_active"])
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=junior))

    resolution = TARGET_KINDS.get("team_lead").resolve(target=lead_target, ticket=ticket)

    assert (resolution.to_agent, resolution.to_queue) == (None, queue)
    assert resolution.notes == ["Team Support has no active lead."]


def test_queue_target_picks_only_active_seniors(team, queue, specialist):
    # Given idle members that are not active seniors, and one active senior with open work
    idle_junior = factories.AgentFactory(username="idle-junior", team=team)
    idle_lead = factories.LeadFactory(username="idle-lead", team=team)
    gone = factories.SeniorFactory(username="gone", team=team, is_active=False)
    busy = factories.SeniorFactory(username="busy", team=team)
    factories.TicketFactory(assignee=busy, status="open")
    specialist.members.set([idle_junior, idle_lead, gone, busy])
    target = factories.TargetFactory(kind=TargetKind.QUEUE, queue=specialist, team=team)

    # When a ticket nobody holds goes to the queue
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=None))
    resolution = TARGET_KINDS.get("queue").resolve(target=target, ticket=ticket)

    # Then the busy active senior receives it
    assert resolution.to_agent == busy


def test_queue_target_never_hands_the_ticket_back_to_its_holder(team, queue, specialist):
    holder = factories.SeniorFactory(username="holder", team=team)
    other = factories.SeniorFactory(username="other", team=team)
    factories.TicketFactory(assignee=other, status="open")
    specialist.members.set([holder, other])
    target = factories.TargetFactory(kind=TargetKind.QUEUE, queue=specialist, team=team)
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=holder))

    resolution = TARGET_KINDS.get("queue").resolve(target=target, ticket=ticket)

    # The holder has less open work (the ticket itself is new), yet the other senior gets it
    assert resolution.to_agent == other


def test_queue_target_breaks_a_tie_by_the_lower_id(team, queue, specialist):
    seniors = [factories.SeniorFactory(username=f"tie{n}", team=team) for n in range(6)]
    specialist.members.set(reversed(seniors))
    target = factories.TargetFactory(kind=TargetKind.QUEUE, queue=specialist, team=team)
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=None))

    resolution = TARGET_KINDS.get("queue").resolve(target=target, ticket=ticket)

    assert resolution.to_agent == min(seniors, key=lambda agent: agent.pk)


# --- target_clean -------------------------------------------------------------------------------
def test_target_clean_refuses_an_unknown_kind():
    target = factories.TargetFactory.build(kind="pager")

    with pytest.raises(ValidationError) as caught:
        target_clean(target=target)

    assert caught.value.message_dict == {"kind": ["Unknown target kind 'pager'."]}


def test_a_team_target_refuses_another_teams_agent(team, billing):
    outsider = factories.SeniorFactory(username="outsider", team=billing)
    target = factories.TargetFactory.build(kind="agent", agent=outsider, team=team)

    with pytest.raises(ValidationError) as caught:
        target_clean(target=target)

    assert caught.value.message_dict == {
        "agent": [f"{outsider} is not a member of this target's team."]
    }


def test_a_team_target_refuses_another_teams_queue(team, billing):
    elsewhere = factories.QueueFactory(name="Refunds", team=billing)
    target = factories.TargetFactory.build(kind="queue", queue=elsewhere, team=team)

    with pytest.raises(ValidationError) as caught:
        target_clean(target=target)

    assert caught.value.message_dict == {
        "queue": [f"{elsewhere} is not a queue of this target's team."]
    }


def test_a_shared_target_may_point_at_any_team(billing):
    outsider = factories.SeniorFactory(username="outsider", team=billing)
    elsewhere = factories.QueueFactory(name="Refunds", team=billing)

    target_clean(target=factories.TargetFactory.build(kind="agent", agent=outsider, team=None))
    target_clean(target=factories.TargetFactory.build(kind="queue", queue=elsewhere, team=None))


def test_target_clean_names_an_inactive_agent(team):
    gone = factories.SeniorFactory(username="gone", team=team, is_active=False)
    target = factories.TargetFactory.build(kind="agent", agent=gone, team=team)

    with pytest.raises(ValidationError) as caught:
        target_clean(target=target)

    assert caught.value.message_dict == {"agent": [f"{gone} is not an active agent."]}


def test_target_clean_reports_the_team_error_before_the_kinds_own(team, billing):
    gone = factories.SeniorFactory(username="gone", team=billing, is_active=False)
    target = factories.TargetFactory.build(kind="agent", agent=gone, team=team)

    with pytest.raises(ValidationError) as caught:
        target_clean(target=target)

    assert caught.value.message_dict == {
        "agent": [f"{gone} is not a member of this target's team."]
    }


def test_a_slack_url_left_from_an_earlier_kind_is_emptied_to_blank(team):
    # Given a Slack target turned into a team-lead target, the URL not named again
    target = factories.TargetFactory(
        kind="slack", slack_webhook_url="https://hooks.slack.com/services/T/B/x", team=team
    )
    target.kind = "team_lead"

    # When it is checked with only the kind given
    target_clean(target=target, given={"kind"})

    # Then the text column is blank (it is not nullable), not None
    assert target.slack_webhook_url == ""


# --- Manual escalations -------------------------------------------------------------------------
def test_a_target_and_a_person_together_are_refused(team, junior, senior, lead_target):
    with pytest.raises(ValidationError) as caught:
        escalation_choice_clean(actor=junior, team_id=team.pk, target=lead_target, to_agent=senior)

    assert caught.value.message_dict == {"to_agent": ["Choose a target or a person, not both."]}


@pytest.mark.parametrize("owner", ["own-team", "shared"])
def test_an_agent_may_pick_their_teams_and_the_shared_targets(team, junior, owner):
    target = factories.TargetFactory(
        kind=TargetKind.TEAM_LEAD, team=team if owner == "own-team" else None
    )

    escalation_choice_clean(actor=junior, team_id=team.pk, target=target, to_agent=None)


def test_another_teams_target_is_refused_even_when_the_own_team_has_targets(
    team, junior, lead_target, billing
):
    theirs = factories.TargetFactory(kind=TargetKind.TEAM_LEAD, team=billing)

    with pytest.raises(ValidationError) as caught:
        escalation_choice_clean(actor=junior, team_id=team.pk, target=theirs, to_agent=None)

    assert caught.value.message_dict == {"target": ["The target belongs to another team."]}


def test_a_stored_value_of_another_kind_does_not_block_the_choice(team, junior, queue):
    # A team-lead target whose row still holds a queue from an earlier kind
    target = factories.TargetFactory(kind=TargetKind.TEAM_LEAD, team=team, queue=queue)

    escalation_choice_clean(actor=junior, team_id=team.pk, target=target, to_agent=None)


def test_a_target_whose_agent_left_is_refused_with_the_reason(team, junior, senior, senior_target):
    senior.is_active = False
    senior.save(update_fields=["is_active"])

    with pytest.raises(ValidationError) as caught:
        escalation_choice_clean(actor=junior, team_id=team.pk, target=senior_target, to_agent=None)

    assert caught.value.message_dict == {"target": [f"{senior} is not an active agent."]}


def test_every_reason_against_a_target_is_listed(team, junior, billing):
    gone = factories.SeniorFactory(username="gone", team=billing, is_active=False)
    theirs = factories.TargetFactory(kind=TargetKind.AGENT, agent=gone, team=billing)

    with pytest.raises(ValidationError) as caught:
        escalation_choice_clean(actor=junior, team_id=team.pk, target=theirs, to_agent=None)

    assert caught.value.message_dict == {
        "target": ["The target belongs to another team.", f"{gone} is not an active agent."]
    }


def test_a_lead_may_still_name_a_senior_of_the_own_team(team, lead, senior):
    escalation_choice_clean(actor=lead, team_id=team.pk, target=None, to_agent=senior)


@pytest.mark.parametrize(
    ("actor", "chosen", "team_of_ticket"),
    [
        pytest.param("junior", "peer", "own", id="a-junior-peer"),
        pytest.param("junior", "teamless-senior", "none", id="anyone-for-a-teamless-ticket"),
        pytest.param("lead", "teamless-lead", "own", id="a-lead-of-no-team"),
    ],
)
def test_who_may_not_be_named(team, junior, lead, actor, chosen, team_of_ticket):
    person = {
        "peer": lambda: factories.AgentFactory(username="peer", team=team),
        "teamless-senior": lambda: factories.SeniorFactory(username="loose", team=None),
        "teamless-lead": lambda: factories.LeadFactory(username="loose-lead", team=None),
    }[chosen]()
    actors = {"junior": junior, "lead": lead}

    with pytest.raises(ValidationError) as caught:
        escalation_choice_clean(
            actor=actors[actor],
            team_id=team.pk if team_of_ticket == "own" else None,
            target=None,
            to_agent=person,
        )

    assert caught.value.message_dict == {
        "to_agent": [f"{person} is not an active senior or lead you can escalate to."]
    }
