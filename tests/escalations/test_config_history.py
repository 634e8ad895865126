"""Configuration history in words: sentences, names instead of ids, dates in the team's zone."""

from __future__ import annotations

import pytest

from escalations.audit.history import config_history
from tests import factories
from tests.admin.conftest import conditions_rows, rule_post_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokyo_team():
    return factories.TeamFactory(name="Billing", timezone="Asia/Tokyo")


@pytest.fixture
def maria(tokyo_team):
    return factories.LeadFactory(username="billing-lead", name="Maria Keller", team=tokyo_team)


@pytest.fixture
def refund_rule(tokyo_team):
    target = factories.TargetFactory(name="Billing team lead", kind="team_lead", team=tokyo_team)
    return factories.RuleFactory(
        name="Large refunds",
        team=tokyo_team,
        target=target,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "EUR"},
    )


def _save(client, rule, **overrides):
    data = rule_post_data(
        name=rule.name,
        team=rule.team_id,
        target=rule.target_id,
        trigger_kind=rule.trigger_kind,
        order=str(rule.order),
        cooldown_minutes=str(rule.cooldown_minutes),
        **{"tp__refund_threshold__amount": "500.00", "tp__refund_threshold__currency": "EUR"},
    )
    data.update(overrides)
    response = client.post(f"/admin/escalations/rule/{rule.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_raising_the_refund_threshold_reads_as_a_sentence(client, maria, refund_rule):
    client.force_login(maria)
    _save(client, refund_rule, **{"tp__refund_threshold__amount": "800"})

    [entry] = config_history(obj=refund_rule)

    assert (
        entry.sentence == "Maria Keller raised the refund threshold from 500.00 EUR to 800.00 EUR"
    )
    assert [(c.label, c.before, c.after) for c in entry.changes] == [
        ("Trigger parameters", "500.00 EUR", "800.00 EUR")
    ]


def test_history_names_queues_targets_and_teams_not_ids(client, maria, refund_rule, tokyo_team):
    queue = factories.QueueFactory(name="Refunds", team=tokyo_team)
    other_target = factories.TargetFactory(
        name="Refund desk", kind="queue", team=tokyo_team, queue=queue
    )
    client.force_login(maria)

    _save(
        client,
        refund_rule,
        target=str(other_target.pk),
        **conditions_rows(("queue", "eq", str(queue.pk)), ("priority", "gte", "high")),
    )

    [entry] = config_history(obj=refund_rule)
    assert entry.sentence == "Maria Keller changed the rule “Large refunds”"
    assert sorted((c.label, c.before, c.after) for c in entry.changes) == [
        ("Conditions", "every ticket", "Queue is Billing / Refunds; Priority is at least high"),
        ("Target", "Billing team lead", "Refund desk"),
    ]


def test_history_page_shows_dates_in_the_leads_time_zone(client, maria, refund_rule):
    client.force_login(maria)
    _save(client, refund_rule, name="Renamed")

    html = client.get(f"/admin/escalations/rule/{refund_rule.pk}/history/").content.decode()

    assert "JST</time>" in html
    assert "+09:00" in html
    assert "Maria Keller changed the rule “Renamed”" in html
    assert "rule.changed" not in html
