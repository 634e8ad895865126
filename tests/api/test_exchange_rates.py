"""``/api/v1/exchange-rates/``: who reads, adds and deletes rates, bad input named by field, the audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from escalations.models import AuditEvent, ExchangeRate

pytestmark = pytest.mark.django_db

URL = "/api/v1/exchange-rates/"
BODY = {"base": "EUR", "quote": "USD", "rate": "1.085000", "valid_from": "2026-12-01"}


def rate(team, valid_from: date = date(2026, 11, 1), **kwargs) -> ExchangeRate:
    values = {"base": "EUR", "quote": "USD", "rate": Decimal("1.08")} | kwargs
    return ExchangeRate.objects.create(team=team, valid_from=valid_from, **values)


def test_a_lead_adds_a_rate_for_their_team_and_it_is_audited(client_for, lead):
    response = client_for(lead).post(URL, BODY, format="json")

    assert response.status_code == 201
    saved = ExchangeRate.objects.get()
    assert response.json() == {
        "id": saved.pk,
        "team": lead.team_id,
        "base": "EUR",
        "quote": "USD",
        "rate": "1.085000",
        "valid_from": "2026-12-01",
        "created_by": lead.pk,
        "created_at": response.json()["created_at"],
    }
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.before) == ("exchangerate.created", lead, None)
    assert (event.after["base"], event.after["quote"], event.after["rate"]) == (
        "EUR",
        "USD",
        "1.085000",
    )


def test_an_admin_adds_a_shared_rate(client_for, admin_user):
    response = client_for(admin_user).post(URL, BODY, format="json")

    assert response.status_code == 201
    assert response.json()["team"] is None
    assert ExchangeRate.objects.get().team_id is None
    assert AuditEvent.objects.filter(kind="exchangerate.created").count() == 1


@pytest.mark.parametrize(
    "team_of",
    [pytest.param("other", id="another-team"), pytest.param("none", id="shared")],
)
def test_a_lead_cannot_add_rates_for_another_team_or_shared_ones(
    client_for, lead, other_team, team_of
):
    team = other_team.pk if team_of == "other" else None

    response = client_for(lead).post(URL, BODY | {"team": team}, format="json")

    assert response.status_code == 400
    assert response.json() == {"team": ["Leads can only use their own team."]}
    assert ExchangeRate.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("role", ["senior", "junior"])
def test_agents_cannot_add_rates(client_for, agents, role):
    response = client_for(agents[role]).post(URL, BODY, format="json")

    assert response.status_code == 403
    assert ExchangeRate.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_anonymous_cannot_read_rates(client_for, team):
    rate(team)

    response = client_for(None).get(URL)

    assert response.status_code in (401, 403)
    assert "results" not in response.json()


def test_everyone_reads_their_teams_and_shared_rates_only(
    client_for, junior, lead, admin_user, other_team
):
    own = rate(junior.team)
    shared = rate(None, base="GBP")
    other = rate(other_team, base="CHF")

    def ids(agent) -> list[int]:
        response = client_for(agent).get(URL)
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(junior) == sorted([own.pk, shared.pk])
    assert ids(lead) == sorted([own.pk, shared.pk])
    assert ids(admin_user) == sorted([own.pk, shared.pk, other.pk])
    assert client_for(lead).get(f"{URL}{other.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        pytest.param(
            BODY | {"base": "EURO"},
            {"base": ["Ensure this field has no more than 3 characters."]},
            id="long-base",
        ),
        pytest.param(
            BODY | {"quote": "XYZ"},
            {"quote": ["'XYZ' is not an ISO 4217 currency code (e.g. EUR, USD)."]},
            id="unknown-quote",
        ),
        pytest.param(
            BODY | {"base": "EU", "quote": ""},
            {
                "base": ["'EU' is not an ISO 4217 currency code (e.g. EUR, USD)."],
                "quote": ["This field may not be blank."],
            },
            id="both-codes-bad",
        ),
        pytest.param(
            BODY | {"quote": "EUR"},
            {"quote": ["The quote currency must differ from the base currency."]},
            id="same-currency",
        ),
        pytest.param(
            BODY | {"rate": "0"},
            {"rate": ["Ensure this value is greater than or equal to 0.000001."]},
            id="zero-rate",
        ),
        pytest.param(
            BODY | {"rate": "-1.2"},
            {"rate": ["Ensure this value is greater than or equal to 0.000001."]},
            id="negative-rate",
        ),
        pytest.param(
            BODY | {"rate": "1000001"},
            {"rate": ["Ensure this value is less than or equal to 1000000."]},
            id="huge-rate",
        ),
        pytest.param(
            BODY | {"rate": "1.0000001"},
            {"rate": ["Ensure that there are no more than 6 decimal places."]},
            id="too-precise",
        ),
        pytest.param(
            BODY | {"rate": "abc"}, {"rate": ["A valid number is required."]}, id="not-a-number"
        ),
        pytest.param(
            BODY | {"valid_from": "1st of May"},
            {
                "valid_from": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
            id="bad-date",
        ),
        pytest.param(
            {},
            {
                "base": ["This field is required."],
                "quote": ["This field is required."],
                "rate": ["This field is required."],
                "valid_from": ["This field is required."],
            },
            id="empty",
        ),
    ],
)
def test_bad_rates_name_the_field_and_write_nothing(client_for, lead, body, errors):
    response = client_for(lead).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert ExchangeRate.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_lowercase_codes_read_as_capitals(client_for, lead):
    response = client_for(lead).post(URL, BODY | {"base": "eur", "quote": "usd"}, format="json")

    assert response.status_code == 201
    assert (response.json()["base"], response.json()["quote"]) == ("EUR", "USD")


def test_a_second_rate_for_the_same_pair_and_date_names_the_date(client_for, lead):
    rate(lead.team, valid_from=date(2026, 12, 1))

    response = client_for(lead).post(URL, BODY, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "valid_from": ["A rate for this pair already starts on this date; pick another date."]
    }
    assert ExchangeRate.objects.count() == 1
    assert AuditEvent.objects.count() == 0


def test_the_same_pair_and_date_in_another_team_is_allowed(client_for, lead, other_team):
    rate(other_team, valid_from=date(2026, 12, 1))

    response = client_for(lead).post(URL, BODY, format="json")

    assert response.status_code == 201
    assert ExchangeRate.objects.count() == 2


def test_the_exchange_rates_are_in_the_openapi_schema(client_for, lead):
    schema = client_for(lead).get("/api/schema/", HTTP_ACCEPT="application/json")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert set(paths["/api/v1/exchange-rates/"]) == {"get", "post"}
    assert set(paths["/api/v1/exchange-rates/{id}/"]) == {"get", "delete"}
    component = schema.json()["components"]["schemas"]["ExchangeRate"]
    assert component["required"] == [
        "base",
        "created_at",
        "created_by",
        "id",
        "quote",
        "rate",
        "valid_from",
    ]


# --- Deleting a mistaken rate -----------------------------------------------------------------
def test_a_lead_deletes_their_team_rate_and_it_is_audited(client_for, lead):
    mistaken = rate(lead.team, rate=Decimal("10.8"))

    response = client_for(lead).delete(f"{URL}{mistaken.pk}/")

    assert response.status_code == 204
    assert ExchangeRate.objects.count() == 0
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.after) == ("exchangerate.deleted", lead, None)
    assert (event.before["base"], event.before["quote"], event.before["rate"]) == (
        "EUR",
        "USD",
        "10.800000",
    )


@pytest.mark.parametrize("team_of", ["own", "other", "shared"])
def test_an_admin_deletes_any_rate(client_for, admin_user, lead, other_team, team_of):
    team = {"own": lead.team, "other": other_team, "shared": None}[team_of]
    row = rate(team)

    response = client_for(admin_user).delete(f"{URL}{row.pk}/")

    assert response.status_code == 204
    assert ExchangeRate.objects.count() == 0
    assert AuditEvent.objects.filter(kind="exchangerate.deleted", actor=admin_user).count() == 1


@pytest.mark.parametrize(
    ("team_of", "status"),
    [
        pytest.param("shared", 403, id="shared-is-read-only-for-a-lead"),
        pytest.param("other", 404, id="another-team-is-not-visible"),
    ],
)
def test_a_lead_cannot_delete_shared_or_another_team_rates(
    client_for, lead, other_team, team_of, status
):
    row = rate(other_team if team_of == "other" else None)

    response = client_for(lead).delete(f"{URL}{row.pk}/")

    assert response.status_code == status
    assert ExchangeRate.objects.count() == 1
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("role", ["senior", "junior"])
def test_agents_cannot_delete_rates(client_for, agents, role):
    row = rate(agents[role].team)

    response = client_for(agents[role]).delete(f"{URL}{row.pk}/")

    assert response.status_code == 403
    assert ExchangeRate.objects.count() == 1
    assert AuditEvent.objects.count() == 0


def test_rates_are_never_edited(client_for, lead):
    row = rate(lead.team)

    response = client_for(lead).patch(f"{URL}{row.pk}/", {"rate": "2"}, format="json")

    assert response.status_code == 405
    assert ExchangeRate.objects.get().rate == Decimal("1.080000")
    assert AuditEvent.objects.count() == 0
