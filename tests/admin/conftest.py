"""Two teams, each with its lead (access follows the role; nobody is staff), plus the other roles, for the admin tests."""

from __future__ import annotations

from typing import Any

import pytest

from escalations.models import TargetKind
from tests import factories

SLACK_URL = "https://hooks.slack.com/services/T000/B000/s3cretT0ken"


@pytest.fixture
def team_a(db):
    return factories.TeamFactory(name="Alpha")


@pytest.fixture
def team_b(db):
    return factories.TeamFactory(name="Bravo")


@pytest.fixture
def lead_a(team_a):
    return factories.LeadFactory(username="lead_a", team=team_a)


@pytest.fixture
def lead_b(team_b):
    return factories.LeadFactory(username="lead_b", team=team_b)


@pytest.fixture
def senior_a(team_a):
    return factories.SeniorFactory(username="senior_a", team=team_a)


@pytest.fixture
def junior_a(team_a):
    return factories.AgentFactory(username="junior_a", team=team_a)


@pytest.fixture
def superuser(db):
    return factories.AdminFactory(username="root")


@pytest.fixture
def queue_a(team_a):
    return factories.QueueFactory(name="Billing", team=team_a)


@pytest.fixture
def target_a(team_a, senior_a):
    return factories.TargetFactory(
        name="Senior on call", kind=TargetKind.AGENT, agent=senior_a, team=team_a
    )


@pytest.fixture
def slack_target_a(team_a):
    return factories.TargetFactory(
        name="Ops channel", kind=TargetKind.SLACK, team=team_a, slack_webhook_url=SLACK_URL
    )


@pytest.fixture
def rule_a(team_a, target_a):
    return factories.RuleFactory(name="Angry customers", team=team_a, target=target_a)


@pytest.fixture
def calendar_a(team_a):
    calendar = factories.CalendarFactory(name="Alpha hours", team=team_a)
    factories.OpeningHoursFactory(calendar=calendar)
    return calendar


@pytest.fixture
def policy_a(team_a, calendar_a):
    policy = factories.SLAPolicyFactory(name="Alpha SLA", team=team_a, calendar=calendar_a)
    factories.SLATargetFactory(policy=policy, minutes=60)
    return policy


def rule_post_data(**overrides: Any) -> dict[str, Any]:
    """A valid rule form submission (a sentiment rule, no conditions)."""
    data: dict[str, Any] = {
        "name": "New rule",
        "kind": "escalation",
        "team": "",
        "enabled": "on",
        "order": "100",
        "trigger_kind": "sentiment_negative",
        **conditions_management(3),
        "target": "",
        "route_queue": "",
        "route_assignee": "",
        "cooldown_minutes": "60",
        "ack_limit_minutes": "",
    }
    data.update(overrides)
    return data


def conditions_management(total: int) -> dict[str, str]:
    """The management form of the condition rows' formset, for ``total`` posted rows."""
    return {"conditions-TOTAL_FORMS": str(total), "conditions-INITIAL_FORMS": "0"}


def conditions_rows(*rows: tuple[str, str, str]) -> dict[str, str]:
    data = conditions_management(len(rows))
    for index, (field, op, value) in enumerate(rows):
        data[f"conditions-{index}-field"] = field
        data[f"conditions-{index}-op"] = op
        data[f"conditions-{index}-value"] = value
    return data
