"""GET /api/v1/reports/escalation-rate/ (contract shape, permissions, constant queries)."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from reports.selectors import month_current, month_shift
from reports.services import agent_month_cells_ensure
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/escalation-rate/"


@pytest.fixture
def api():
    return APIClient()


def call(api, user, **params):
    api.force_authenticate(user)
    return api.get(URL, params)


def test_contract_shape_with_agents_by_name(api, small_team, monkeypatch):
    monkeypatch.setattr(
        "reports.selectors.timezone",
        SimpleNamespace(now=lambda: datetime(2026, 4, 2, 9, tzinfo=UTC)),
    )
    ana, bo, lee = small_team["ana"], small_team["bo"], small_team["lee"]

    response = call(api, lee, month="2026-03", team=small_team["team"].pk)

    assert response.status_code == 200
    body = response.json()
    assert body == {
        "month": "2026-03",
        "team": small_team["team"].pk,
        "team_median": 0.125,
        "team_median_adjusted": 0.125,
        "team_rate": pytest.approx(1 / 6),
        "team_automatic_rate": 0.0,
        "as_of": "2026-04-02T09:00:00Z",
        "count": 3,
        "results": [
            {
                "agent": ana.pk,
                "agent_name": "Ana Alves",
                "tickets_handled": 4,
                "escalations": 1,
                "rate": 0.25,
                "expected_escalations": pytest.approx(4 / 6),
                "adjusted_rate": 0.25,
                "by_trigger": {"manual": 1},
                "manual": 1,
                "automatic": 0,
                "automatic_rate": 0.0,
                "handoff_complete_rate": 1.0,
            },
            {
                "agent": bo.pk,
                "agent_name": "Bo Berg",
                "tickets_handled": 2,
                "escalations": 0,
                "rate": 0.0,
                "expected_escalations": pytest.approx(2 / 6),
                "adjusted_rate": 0.0,
                "by_trigger": {},
                "manual": 0,
                "automatic": 0,
                "automatic_rate": 0.0,
                "handoff_complete_rate": None,
            },
            {
                "agent": lee.pk,
                "agent_name": "Lee Lead",
                "tickets_handled": 0,
                "escalations": 0,
                "rate": None,
                "expected_escalations": None,
                "adjusted_rate": None,
                "by_trigger": {},
                "manual": 0,
                "automatic": 0,
                "automatic_rate": None,
                "handoff_complete_rate": None,
            },
        ],
    }


def test_junior_is_forbidden(api, small_team):
    response = call(api, small_team["ana"], month="2026-03")

    assert response.status_code == 403


def test_lead_of_another_team_gets_404(api, small_team):
    other = factories.TeamFactory(name="Other")
    other_lead = factories.LeadFactory(username="olga", team=other)

    response = call(api, other_lead, month="2026-03", team=small_team["team"].pk)

    assert response.status_code == 404


def test_unauthenticated_is_401(api, small_team):
    response = api.get(URL, {"month": "2026-03"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [({"month": "03/2026"}, "month"), ({"month": "2026-03", "team": "abc"}, "team")],
    ids=["month", "team"],
)
def test_bad_parameters_are_400_naming_the_field(api, small_team, params, field):
    response = call(api, small_team["lee"], **params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_schema_describes_the_endpoint(api, admin_user):
    api.force_authenticate(admin_user)
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "reports_escalation_rate"
    assert [p["name"] for p in operation["parameters"]] == ["month", "team"]


@pytest.mark.parametrize("size", [2, 6], ids=["n", "3n"])
def test_constant_queries(api, django_assert_num_queries, size):
    from tests.reports.conftest import handled_month

    team = factories.TeamFactory(name="Big")
    lead = factories.LeadFactory(username="lead", team=team)
    queue = factories.QueueFactory(team=team)
    customer = factories.CustomerFactory()
    for i in range(size):
        agent = factories.AgentFactory(username=f"a{i}", team=team)
        handled_month(
            agent=agent, queue=queue, customer=customer, month=3, tickets=2, escalations=1
        )
    api.force_authenticate(lead)
    agent_month_cells_ensure(team=team, last=date(2026, 3, 1), months=1)

    # the report reads in one transaction: + SAVEPOINT and RELEASE inside the test's own
    with django_assert_num_queries(7):
        response = api.get(URL, {"month": "2026-03"})

    assert response.json()["count"] == size + 1


def test_default_month_is_the_last_complete_one(api, small_team):
    running = month_current(team=small_team["team"])

    response = call(api, small_team["lee"])

    assert response.json()["month"] == f"{month_shift(month=running, months=-1):%Y-%m}"
