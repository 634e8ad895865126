"""Each target kind's resolution (at fire time) and validation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.targets import TARGET_KINDS, target_clean
from escalations.models import TargetKind
from escalations.outbound import SLACK_URL_MESSAGE
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def loaded(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("queue__team__lead", "assignee").get(pk=ticket.pk)


def test_registry_has_the_four_target_kinds():
    assert TARGET_KINDS.keys() == ["agent", "team_lead", "queue", "slack"]


def test_agent_target_resolves_to_the_named_agent(junior, senior, senior_target):
    ticket = factories.TicketFactory(assignee=junior)

    resolution = TARGET_KINDS.get("agent").resolve(target=senior_target, ticket=loaded(ticket))

    assert resolution.to_agent == senior
    assert resolution.to_queue == ticket.queue
    assert resolution.reassign is True


def test_team_lead_is_resolved_when_the_rule_fires(team, queue, junior, lead, lead_target):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    new_lead = factories.LeadFactory(username="newlead", team=team)
    team.lead = new_lead
    team.save()

    resolution = TARGET_KINDS.get("team_lead").resolve(target=lead_target, ticket=loaded(ticket))

    assert resolution.to_agent == new_lead
    assert resolution.notes == [f"Team lead of Support: {new_lead}."]


def test_team_lead_missing(team, queue, junior, lead_target):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)

    resolution = TARGET_KINDS.get("team_lead").resolve(target=lead_target, ticket=loaded(ticket))

    assert resolution.to_agent is None
    assert resolution.notes == ["Team Support has no active lead."]


@pytest.fixture
def specialist(team):
    return factories.QueueFactory(name="Billing specialists", team=team, specialist=True)


def test_queue_target_picks_the_least_loaded_available_senior(
    team, queue, junior, specialist, django_assert_num_queries
):
    busy = factories.SeniorFactory(username="busy", team=team)
    light = factories.SeniorFactory(username="light", team=team)
    away = factories.SeniorFactory(username="away", team=team, is_available=False)
    specialist.members.set([busy, light, away, junior])
    factories.TicketFactory.create_batch(2, assignee=busy, status="open")
    factories.TicketFactory(assignee=light, status="open")
    factories.TicketFactory.create_batch(3, assignee=light, status="solved")
    target = factories.TargetFactory(kind=TargetKind.QUEUE, queue=specialist, team=team)
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=junior))

    with django_assert_num_queries(1):
        resolution = TARGET_KINDS.get("queue").resolve(target=target, ticket=ticket)

    assert resolution.to_agent == light
    assert resolution.to_queue == specialist
    assert resolution.notes == ["Least-loaded available senior in Billing specialists."]


def test_queue_target_without_an_available_senior_leaves_it_in_the_queue(
    team, queue, junior, specialist
):
    specialist.members.set([junior, factories.SeniorFactory(team=team, is_available=False)])
    target = factories.TargetFactory(kind=TargetKind.QUEUE, queue=specialist, team=team)
    ticket = loaded(factories.TicketFactory(queue=queue, assignee=junior))

    resolution = TARGET_KINDS.get("queue").resolve(target=target, ticket=ticket)

    assert resolution.to_agent is None
    assert resolution.to_queue == specialist
    assert resolution.notes == [
        "No available senior in Billing specialists: left unassigned there."
    ]


def test_slack_target_keeps_the_ticket_with_its_holder(junior, team):
    target = factories.TargetFactory(
        name="#vip", kind=TargetKind.SLACK, slack_webhook_url="https://hooks.slack.com/x", team=team
    )
    ticket = loaded(factories.TicketFactory(assignee=junior))

    resolution = TARGET_KINDS.get("slack").resolve(target=target, ticket=ticket)

    assert resolution.reassign is False
    assert resolution.to_agent is None
    assert resolution.notes == ["Posted to Slack (#vip); the ticket stays with its holder."]


@pytest.mark.parametrize(
    ("kind", "fields", "errors"),
    [
        pytest.param(
            "agent",
            {"agent": None},
            {"agent": ["Agent is required."]},
            id="agent-missing",
        ),
        pytest.param(
            "queue",
            {"queue": None},
            {"queue": ["Queue is required."]},
            id="queue-missing",
        ),
        pytest.param(
            "slack",
            {"slack_webhook_url": "not a url"},
            {"slack_webhook_url": [SLACK_URL_MESSAGE]},
            id="slack-bad-url",
        ),
        pytest.param(
            "team_lead",
            {"queue": "queue", "slack_webhook_url": "https://hooks.slack.com/services/T/B/x"},
            {
                "queue": ["A 'team_lead' target takes no parameter 'queue'."],
                "slack_webhook_url": [
                    "A 'team_lead' target takes no parameter 'slack_webhook_url'."
                ],
            },
            id="another-kinds-params",
        ),
    ],
)
def test_target_clean_names_the_field(team, kind, fields, errors):
    if fields.get("queue") == "queue":
        fields["queue"] = factories.QueueFactory(team=team)
    target = factories.TargetFactory.build(kind=kind, **fields)

    with pytest.raises(ValidationError) as exc:
        target_clean(target=target)

    assert exc.value.message_dict == errors


def test_values_left_from_an_earlier_kind_are_emptied_when_not_given(team):
    # Given a queue target turned into a team-lead target, the queue not named again
    target = factories.TargetFactory(kind="queue", queue=factories.QueueFactory(team=team))
    target.kind = "team_lead"

    # When it is checked with only the kind given
    target_clean(target=target, given={"kind"})

    # Then the queue is emptied rather than refused
    assert target.queue is None


def test_agent_target_must_be_active_and_senior(team):
    inactive = factories.SeniorFactory(username="gone", team=team, is_active=False)
    junior = factories.AgentFactory(username="jr", team=team)

    for agent, message in (
        (inactive, "is not an active agent."),
        (junior, "is not a senior agent or a lead."),
    ):
        with pytest.raises(ValidationError) as exc:
            TARGET_KINDS.get("agent").clean(
                factories.TargetFactory.build(kind="agent", agent=agent)
            )
        assert exc.value.message_dict == {"agent": [f"{agent} {message}"]}
