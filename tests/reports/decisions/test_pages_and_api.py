"""Rule health's precision section, its worst-examples page and the rule-health API: figures and
who may see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

MONTH = {"month": "2026-03"}


def test_rule_health_page_shows_precision_with_links_to_examples(client, judged_month):
    client.force_login(judged_month["lee"])
    team = judged_month["team"]

    html = client.get(reverse("reports:rules"), {"team": team.pk, **MONTH}).content.decode()

    angry = judged_month["rules"]["angry"]
    assert '<tr><th scope="row">Angry</th><td>4</td><td>3 (75%)</td><td>1 of 3 (33%)</td>' in html
    assert "Customer was not upset: 1; Could have been solved at first level: 1" in html
    assert (
        f'<a href="/reports/rules/examples/?team={team.pk}&amp;month=2026-03&amp;rule={angry.pk}">'
        "2 judged not needed</a>"
    ) in html
    assert (
        '<tr><th scope="row">Manual escalation</th><td>2</td><td>1 (50%)</td><td>0 of 1 (0%)</td>'
        in html
    )


def test_examples_page_lists_the_escalations_judged_not_needed(client, judged_month):
    client.force_login(judged_month["lee"])
    angry = judged_month["rules"]["angry"]

    response = client.get(
        reverse("reports:rule_examples"),
        {"team": judged_month["team"].pk, "rule": angry.pk, **MONTH},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert [e.pk for e in response.context["examples"]] == [
        judged_month["angry_not_upset"].pk,
        judged_month["angry_first_level"].pk,
    ]
    assert (
        '<td class="triggers">Customer was not upset</td><td class="triggers">Just asking about delays</td>'
        in html
    )
    ticket = judged_month["angry_first_level"].ticket
    assert f'<a href="/tickets/{ticket.pk}/">#{ticket.pk} {ticket.subject}</a>' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rule": "1", "trigger": "manual"}, "rule: Give either rule (a rule id) or trigger"),
        ({"rule": "x"}, "rule: Enter a rule id (an integer)."),
        ({"trigger": "bored"}, "trigger: Choose one of: sentiment_negative,"),
    ],
    ids=["both", "rule-not-int", "unknown-trigger"],
)
def test_examples_page_bad_input_is_a_400_naming_the_field(client, judged_month, params, message):
    client.force_login(judged_month["lee"])

    response = client.get(reverse("reports:rule_examples"), {**params, **MONTH})

    assert response.status_code == 400
    assert response.content.decode().startswith(message)


def test_examples_of_another_teams_rule_are_a_404(client, judged_month):
    client.force_login(judged_month["lee"])
    theirs = factories.RuleFactory(name="Elsewhere", team=factories.TeamFactory(name="Ops"))

    response = client.get(reverse("reports:rule_examples"), {"rule": theirs.pk, **MONTH})

    assert response.status_code == 404


def test_examples_for_another_teams_lead_are_a_404_and_for_a_junior_a_403(client, judged_month):
    other_lead = factories.LeadFactory(username="ops-lead", team=factories.TeamFactory(name="Ops"))
    params = {"team": judged_month["team"].pk, "trigger": "manual", **MONTH}

    client.force_login(other_lead)
    other = client.get(reverse("reports:rule_examples"), params)
    client.force_login(judged_month["ana"])
    junior = client.get(reverse("reports:rule_examples"), params)

    assert (other.status_code, junior.status_code) == (404, 403)


def test_rule_health_api_figures(client_for, judged_month):
    team = judged_month["team"]

    response = client_for(judged_month["lee"]).get(
        "/api/v1/reports/rule-health/", {"team": team.pk, **MONTH}
    )

    assert response.status_code == 200
    body = response.json()
    angry = judged_month["rules"]["angry"]
    assert (body["month"], body["team"]) == ("2026-03", team.pk)
    assert body["rules"][0] == {
        "rule": angry.pk,
        "name": "Angry",
        "fired": 4,
        "feedback_given": 3,
        "feedback_coverage": 0.75,
        "judged_needed": 1,
        "needed_share": 1 / 3,
        "not_needed_reasons": {"first_level": 1, "customer_not_upset": 1},
        "examples_url": f"/reports/rules/examples/?team={team.pk}&month=2026-03&rule={angry.pk}",
    }
    manual = next(row for row in body["triggers"] if row["trigger"] == "manual")
    assert (manual["fired"], manual["feedback_given"], manual["judged_needed"]) == (2, 1, 0)
    assert manual["needed_share"] == 0.0


@pytest.mark.parametrize(
    ("who", "code"),
    [("ana", 403), ("other_lead", 404), (None, 401)],
    ids=["junior", "other-team-lead", "anonymous"],
)
def test_rule_health_api_refuses_others(client_for, judged_month, who, code):
    agents = {
        "ana": judged_month["ana"],
        "other_lead": factories.LeadFactory(
            username="ops-lead", team=factories.TeamFactory(name="Ops")
        ),
        None: None,
    }

    response = client_for(agents[who]).get(
        "/api/v1/reports/rule-health/", {"team": judged_month["team"].pk, **MONTH}
    )

    assert response.status_code == code


def test_rule_health_api_bad_month_is_a_400_naming_month(client_for, judged_month):
    response = client_for(judged_month["lee"]).get(
        "/api/v1/reports/rule-health/", {"month": "March"}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["month"]


def test_examples_page_without_rule_or_trigger_lists_every_one_of_the_team(client, judged_month):
    client.force_login(judged_month["lee"])

    response = client.get(
        reverse("reports:rule_examples"), {"team": judged_month["team"].pk, **MONTH}
    )

    assert [e.pk for e in response.context["examples"]] == [
        judged_month[name].pk
        for name in ("manual_first_level", "angry_not_upset", "angry_first_level")
    ]
    assert "Judged not needed: all escalations, Support, March 2026" in response.content.decode()
