"""Console validation in one pass, in words: each problem once, naming the field."""

from __future__ import annotations

import re

from escalations.models import Calendar, Rule, SLAPolicy

from .conftest import conditions_management, conditions_rows, rule_post_data
from .test_calendars_and_audit import _calendar_data


def _messages(response) -> list[str]:
    html = response.content.decode()
    return [
        re.sub(r"<[^>]+>", "", item)
        for block in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
        for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


def test_calendar_weekday_nine_reads_in_words_once(client, lead_a):
    client.force_login(lead_a)

    response = client.post(
        "/admin/escalations/calendar/add/",
        _calendar_data(lead_a.team_id, **{"hours-0-weekday": "9"}),
    )

    assert response.status_code == 200
    assert _messages(response) == ["Hours: Span 1: weekday must be 0 (Monday) to 6 (Sunday)."]
    assert Calendar.objects.count() == 0


def test_calendar_weekday_is_picked_by_name(client, lead_a):
    client.force_login(lead_a)

    html = client.get("/admin/escalations/calendar/add/").content.decode()

    assert '<option value="0">Monday</option>' in html
    assert '<option value="6">Sunday</option>' in html


def test_overnight_span_is_said_after_saving(client, lead_a):
    client.force_login(lead_a)
    data = _calendar_data(
        lead_a.team_id, **{"hours-1-weekday": "4", "hours-1-start": "22:00", "hours-1-end": "06:00"}
    )

    response = client.post("/admin/escalations/calendar/add/", data, follow=True)

    assert [str(m) for m in response.context["messages"]][:1] == [
        "Friday 22:00-06:00 runs overnight into Saturday."
    ]


def test_sla_minutes_minus_five_is_one_message(client, lead_a):
    client.force_login(lead_a)
    data = {
        "name": "P",
        "team": lead_a.team_id,
        "enabled": "on",
        "order": "100",
        **conditions_management(0),
        "calendar": "",
        "amber_percent": "75",
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-metric": "first_response",
        "targets-0-priority": "",
        "targets-0-tier": "",
        "targets-0-minutes": "-5",
    }

    response = client.post("/admin/escalations/slapolicy/add/", data)

    assert _messages(response) == [
        "Targets: Target 1: minutes must be a whole number from 1 to 525600."
    ]
    assert SLAPolicy.objects.count() == 0


def test_rule_with_a_bad_amount_and_a_bad_condition_reports_both(client, lead_a, target_a):
    client.force_login(lead_a)
    data = rule_post_data(
        team=lead_a.team_id,
        target=target_a.pk,
        trigger_kind="refund_threshold",
        **{"tp__refund_threshold__amount": "-5", "tp__refund_threshold__currency": "EUR"},
        **conditions_rows(("priority", "eq", "sky-high"), ("", "eq", "")),
    )

    response = client.post("/admin/escalations/rule/add/", data)

    errors = response.context["adminform"].form.errors
    assert sorted(errors) == ["conditions", "tp__refund_threshold__amount"]
    assert errors["tp__refund_threshold__amount"] == [
        "Give an amount from 0.01 to 999999999.99, with at most two decimals (e.g. 500.00)."
    ]
    assert len(errors["conditions"]) == 1
    assert errors["conditions"][0].startswith("Condition 1: priority value must be one of")
    assert Rule.objects.count() == 0
