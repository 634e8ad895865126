"""Condition rows read like a product: queues and teams by name, pickers, accessible names."""

from __future__ import annotations

import re

from escalations.models import Rule
from tests import factories

from .conftest import conditions_rows, rule_post_data

ADD_URL = "/admin/escalations/rule/add/"


def test_a_queue_typed_by_name_is_stored_by_id(client, lead_a, target_a, queue_a):
    client.force_login(lead_a)
    data = rule_post_data(
        team=lead_a.team_id,
        target=target_a.pk,
        **conditions_rows(("queue", "eq", "Billing"), ("team", "in", "Alpha")),
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    assert Rule.objects.get().conditions == [
        {"field": "queue", "op": "eq", "value": queue_a.pk},
        {"field": "team", "op": "in", "value": [lead_a.team_id]},
    ]


def test_stored_ids_show_as_names(client, lead_a, target_a, queue_a):
    rule = factories.RuleFactory(
        team=lead_a.team,
        target=target_a,
        conditions=[{"field": "queue", "op": "eq", "value": queue_a.pk}],
    )
    client.force_login(lead_a)

    html = client.get(f"/admin/escalations/rule/{rule.pk}/change/").content.decode()

    assert 'name="conditions-0-value" value="Alpha / Billing"' in html


def test_pickers_offer_only_the_leads_team_queues(client, lead_a, queue_a, team_b):
    factories.QueueFactory(name="Bravo desk", team=team_b)
    client.force_login(lead_a)

    html = client.get(ADD_URL).content.decode()

    queues = re.search(r'<datalist id="id_conditions_values_queue">(.*?)</datalist>', html)
    teams = re.search(r'<datalist id="id_conditions_values_team">(.*?)</datalist>', html)
    assert queues.group(1) == '<option value="Alpha / Billing">'
    assert teams.group(1) == '<option value="Alpha">'
    assert "Bravo" not in html


def test_an_unknown_queue_name_is_refused_in_words(client, lead_a, target_a, queue_a):
    client.force_login(lead_a)
    data = rule_post_data(
        team=lead_a.team_id, target=target_a.pk, **conditions_rows(("queue", "eq", "Nowhere"))
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["conditions"] == [
        "Condition 1: queue value must be an integer id."
    ]
    assert Rule.objects.count() == 0


def test_every_condition_control_has_an_accessible_name(client, lead_a):
    client.force_login(lead_a)

    html = client.get(ADD_URL).content.decode()

    controls = re.findall(r'<(?:select|input)[^>]*name="conditions-\d+-\w+"[^>]*>', html)
    labels = [re.search(r'aria-label="([^"]+)"', c).group(1) for c in controls]
    assert labels == [
        f"Condition {row}: {part}"
        for row in (1, 2, 3)
        for part in ("field", "operator", "value", "remove")
    ]


def test_rule_list_filters_have_distinct_titles(client, lead_a, rule_a):
    client.force_login(lead_a)

    response = client.get("/admin/escalations/rule/")

    titles = [str(spec.title) for spec in response.context["cl"].filter_specs]
    assert titles == ["rule kind", "enabled", "trigger", "target kind"]
