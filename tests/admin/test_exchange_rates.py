"""Exchange rates in the console: leads add their team's, admins any; audited; never edited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from escalations.models import AuditEvent, ExchangeRate

pytestmark = pytest.mark.django_db

ADD = "/admin/escalations/exchangerate/add/"


def post_data(**overrides) -> dict:
    return {
        "team": "",
        "base": "EUR",
        "quote": "USD",
        "rate": "1.085",
        "valid_from": "2026-12-01",
    } | overrides


def test_a_lead_adds_a_rate_for_their_team_audited(client, lead_a):
    client.force_login(lead_a)

    response = client.post(ADD, post_data(team=lead_a.team_id))

    assert response.status_code == 302
    saved = ExchangeRate.objects.get()
    assert (saved.team, saved.base, saved.quote, saved.rate, saved.valid_from) == (
        lead_a.team,
        "EUR",
        "USD",
        Decimal("1.085000"),
        date(2026, 12, 1),
    )
    assert saved.created_by == lead_a
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.object_id) == (
        "exchangerate.created",
        lead_a,
        str(saved.pk),
    )


def test_a_lead_cannot_add_a_rate_for_another_team(client, lead_a, team_b):
    client.force_login(lead_a)

    response = client.post(ADD, post_data(team=team_b.pk))

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"team"}
    assert ExchangeRate.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_lead_lists_only_their_teams_rates_and_cannot_edit_them(client, lead_a, team_a, team_b):
    own = ExchangeRate.objects.create(
        team=team_a, base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=date(2026, 1, 1)
    )
    ExchangeRate.objects.create(
        team=team_b, base="EUR", quote="USD", rate=Decimal("1.2"), valid_from=date(2026, 1, 1)
    )
    client.force_login(lead_a)

    listed = client.get("/admin/escalations/exchangerate/")
    changed = client.post(
        f"/admin/escalations/exchangerate/{own.pk}/change/", post_data(team=team_a.pk, rate="9")
    )

    assert [r.pk for r in listed.context["cl"].result_list] == [own.pk]
    assert changed.status_code == 403
    own.refresh_from_db()
    assert own.rate == Decimal("1.100000")
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        pytest.param({"base": "XYZ"}, {"base"}, id="unknown-code"),
        pytest.param({"quote": "EUR"}, {"quote"}, id="same-currency"),
        pytest.param({"rate": "0"}, {"rate"}, id="zero-rate"),
        pytest.param({"rate": "2000000"}, {"rate"}, id="huge-rate"),
        pytest.param({"valid_from": "someday"}, {"valid_from"}, id="bad-date"),
    ],
)
def test_bad_rates_name_the_field_and_write_nothing(client, superuser, overrides, fields):
    client.force_login(superuser)

    response = client.post(ADD, post_data(**overrides))

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == fields
    assert ExchangeRate.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_agents_do_not_reach_the_rates(client, junior_a):
    client.force_login(junior_a)

    response = client.post(ADD, post_data(team=junior_a.team_id))

    assert response.status_code == 403
    assert ExchangeRate.objects.count() == 0


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "team"])
def test_a_second_rate_for_the_same_pair_and_date_is_refused(client, superuser, team_a, shared):
    team = None if shared else team_a
    ExchangeRate.objects.create(
        team=team, base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=date(2026, 12, 1)
    )
    client.force_login(superuser)

    response = client.post(ADD, post_data(team="" if shared else team_a.pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "A rate for this pair and date already exists."
    ]
    assert ExchangeRate.objects.count() == 1
    assert AuditEvent.objects.count() == 0
