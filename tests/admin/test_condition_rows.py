"""Condition rows are a Django formset: management form, a blank row to copy, "Remove" boxes."""

from __future__ import annotations

import re

from escalations.models import AuditEvent, Rule
from tests import factories

from .conftest import conditions_rows, rule_post_data

ADD_URL = "/admin/escalations/rule/add/"
STORED = [
    {"field": "priority", "op": "eq", "value": "urgent"},
    {"field": "tier", "op": "gte", "value": "premium"},
]


def _change(client, rule, **overrides):
    values = {"name": rule.name, "team": rule.team_id, "target": rule.target_id, "_save": "Save"}
    return client.post(
        f"/admin/escalations/rule/{rule.pk}/change/", rule_post_data(**{**values, **overrides})
    )


def _hidden(html: str, name: str) -> str:
    return re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html).group(1)


def test_the_form_shows_stored_rows_three_blank_ones_and_a_blank_row_to_copy(
    client, lead_a, target_a
):
    rule = factories.RuleFactory(team=lead_a.team, target=target_a, conditions=STORED)
    client.force_login(lead_a)

    html = client.get(f"/admin/escalations/rule/{rule.pk}/change/").content.decode()

    management = {
        part: _hidden(html, f"conditions-{part}")
        for part in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }
    assert management == {
        "TOTAL_FORMS": "5",
        "INITIAL_FORMS": "2",
        "MIN_NUM_FORMS": "0",
        "MAX_NUM_FORMS": "100",
    }
    rows = re.findall(r'name="conditions-(\d+)-field"', html)
    assert rows == ["0", "1", "2", "3", "4"]
    blank = re.search(r'<template id="id_conditions_empty">(.*?)</template>', html, re.S).group(1)
    assert re.findall(r'name="([^"]+)"', blank) == [
        "conditions-__prefix__-field",
        "conditions-__prefix__-op",
        "conditions-__prefix__-value",
        "conditions-__prefix__-DELETE",
    ]
    assert 'aria-label="Condition __num__: field"' in blank
    # The rows are wired by the static script only: the page has no inline script.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert '<script src="/static/js/admin-rows.js"></script>' in html


def test_a_row_ticked_remove_is_dropped_and_the_others_kept(client, lead_a, target_a):
    rule = factories.RuleFactory(team=lead_a.team, target=target_a, conditions=STORED)
    client.force_login(lead_a)
    rows = conditions_rows(("priority", "eq", "urgent"), ("tier", "gte", "premium"))

    response = _change(client, rule, **rows, **{"conditions-0-DELETE": "on"})

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.conditions == [{"field": "tier", "op": "gte", "value": "premium"}]
    assert AuditEvent.objects.get(kind="rule.changed").after["conditions"] == rule.conditions


def test_a_row_added_in_the_browser_is_read_by_its_number(client, lead_a, target_a):
    # Given the form as shown (one stored row and three blank ones) plus a fifth row added
    rule = factories.RuleFactory(team=lead_a.team, target=target_a, conditions=STORED[:1])
    client.force_login(lead_a)
    rows = conditions_rows(("priority", "eq", "urgent"), ("", "eq", ""), ("", "eq", ""))
    rows |= {
        "conditions-TOTAL_FORMS": "5",
        "conditions-INITIAL_FORMS": "1",
        "conditions-3-field": "",
        "conditions-3-op": "eq",
        "conditions-3-value": "",
        "conditions-4-field": "status",
        "conditions-4-op": "ne",
        "conditions-4-value": "closed",
    }

    response = _change(client, rule, **rows)

    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.conditions == [
        {"field": "priority", "op": "eq", "value": "urgent"},
        {"field": "status", "op": "ne", "value": "closed"},
    ]


def test_rows_without_their_management_form_are_refused_and_nothing_changes(
    client, lead_a, target_a
):
    rule = factories.RuleFactory(team=lead_a.team, target=target_a, conditions=STORED)
    client.force_login(lead_a)
    data = rule_post_data(
        name=rule.name, team=rule.team_id, target=rule.target_id, **conditions_rows()
    )
    del data["conditions-TOTAL_FORMS"]

    response = client.post(f"/admin/escalations/rule/{rule.pk}/change/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["conditions"] == [
        "The condition rows were not sent completely. Reload the page and try again."
    ]
    rule.refresh_from_db()
    assert rule.conditions == STORED
    assert AuditEvent.objects.count() == 0


def test_at_most_a_hundred_rows_are_read(client, lead_a, target_a):
    client.force_login(lead_a)
    rows = conditions_rows(*[("tag", "ne", f"tag{i}") for i in range(101)])

    data = rule_post_data(team=lead_a.team_id, target=target_a.pk, **rows)

    response = client.post(ADD_URL, data)

    assert response.status_code == 302
    assert [c["value"] for c in Rule.objects.get().conditions] == [f"tag{i}" for i in range(100)]
