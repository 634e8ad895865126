"""The console's SLA preview: the posted, unsaved policy or calendar and the deadlines it moves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from escalations.sla.selectors import sla_calendar_cache_clear
from tests import factories
from tickets.services import ticket_create

from .conftest import conditions_management

# Monday 12 January 2026, 11:00 in Berlin; calendar_a is open Mondays 09:00-17:00 Berlin time.
MONDAY_11_BERLIN = datetime(2026, 1, 12, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    sla_calendar_cache_clear()
    monkeypatch.setattr(timezone, "now", lambda: MONDAY_11_BERLIN)


@pytest.fixture
def berlin_team_a(team_a):
    team_a.timezone = "Europe/Berlin"
    team_a.save(update_fields=["timezone"])
    return team_a


@pytest.fixture
def ticket_a(berlin_team_a, policy_a, queue_a):
    return ticket_create(
        subject="Invoice twice",
        customer=factories.CustomerFactory(),
        queue=queue_a,
        body="I was charged twice.",
    )


@pytest.fixture
def ticket_b(team_b, policy_a):
    return ticket_create(
        subject="Bravo secret",
        customer=factories.CustomerFactory(),
        queue=factories.QueueFactory(name="Bravo queue", team=team_b),
        body="Bravo business.",
    )


def _policy_data(policy, *, minutes: int) -> dict[str, Any]:
    target = policy.targets.get()
    return {
        "name": policy.name,
        "team": policy.team_id,
        "enabled": "on",
        "order": str(policy.order),
        **conditions_management(0),
        "calendar": policy.calendar_id,
        "amber_percent": str(policy.amber_percent),
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "1",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-id": target.pk,
        "targets-0-policy": policy.pk,
        "targets-0-metric": "first_response",
        "targets-0-priority": "",
        "targets-0-tier": "",
        "targets-0-minutes": str(minutes),
    }


def _calendar_data(calendar, *, holiday: str) -> dict[str, Any]:
    hours = calendar.hours.get()
    return {
        "name": calendar.name,
        "team": calendar.team_id,
        "timezone": calendar.timezone,
        "holiday_country": "",
        "holiday_subdivision": "",
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "1",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-id": hours.pk,
        "hours-0-calendar": calendar.pk,
        "hours-0-weekday": "0",
        "hours-0-start": "09:00",
        "hours-0-end": "17:00",
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
        "holidays-0-date": holiday,
        "holidays-0-name": "Closed",
    }


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_lead_previews_a_longer_target_on_own_teams_tickets(client, lead_a, policy_a, ticket_a):
    # Given lead A, team A's policy (first response 60 min) and an open ticket opened at 11:00
    client.force_login(lead_a)
    before = table_counts()

    # When the lead previews the target raised to 120 minutes
    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/preview/", _policy_data(policy_a, minutes=120)
    )

    # Then the ticket's first response moves from 12:00 to 13:00, shown in Berlin time
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(m.ticket_id, m.metric, m.shift_text) for m in preview.moves] == [
        (ticket_a.pk, "first_response", "1 h later")
    ]
    assert (preview.total_moves, preview.tickets_checked) == (1, 1)
    html = response.content.decode()
    assert "Mon 12 Jan 2026, 12:00" in html
    assert "Mon 12 Jan 2026, 13:00" in html
    assert f"#{ticket_a.pk} Invoice twice" in html
    assert "Times are in Europe/Berlin." in html
    # And nothing was written: the policy keeps its 60 minutes
    assert table_counts() == before
    assert policy_a.targets.get().minutes == 60


def test_lead_previews_a_holiday_on_the_calendar(client, lead_a, calendar_a, ticket_a):
    client.force_login(lead_a)
    before = table_counts()

    response = client.post(
        f"/admin/escalations/calendar/{calendar_a.pk}/preview/",
        _calendar_data(calendar_a, holiday="2026-01-12"),
    )

    # Monday is closed: 60 business minutes from 11:00 land on the next open Monday, 10:00
    preview = response.context["preview"]
    assert [(m.ticket_id, m.due_after, m.shift_text) for m in preview.moves] == [
        (ticket_a.pk, datetime(2026, 1, 19, 9, 0, tzinfo=UTC), "6 d 22 h later")
    ]
    assert table_counts() == before


def test_other_teams_lead_sees_none_of_their_tickets(client, lead_b, policy_a, ticket_a):
    # Given lead B, and team A's policy
    client.force_login(lead_b)
    before = table_counts()

    # When lead B posts a preview of team A's policy
    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/preview/", _policy_data(policy_a, minutes=120)
    )

    # Then they are sent back to the index, with none of team A's tickets shown
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "preview" not in (response.context or {})
    assert table_counts() == before


def test_leads_own_unsaved_policy_lists_only_own_teams_tickets(
    client, lead_b, team_b, policy_a, ticket_a, ticket_b
):
    # Given open tickets of team A and team B, both governed by team A's policy only
    client.force_login(lead_b)
    before = table_counts()
    data = _policy_data(policy_a, minutes=15)
    data.update(
        {"name": "Bravo rush", "team": team_b.pk, "calendar": "", "order": "1"},
        **{"targets-INITIAL_FORMS": "0", "targets-0-id": "", "targets-0-policy": ""},
    )

    # When lead B previews a new policy for team B
    response = client.post("/admin/escalations/slapolicy/preview/", data)

    # Then only team B's ticket is listed (24/7, 15 min: due 11:15 Berlin instead of none)
    preview = response.context["preview"]
    assert [(m.ticket_id, m.due_before, m.due_after) for m in preview.moves] == [
        (ticket_b.pk, None, datetime(2026, 1, 12, 10, 15, tzinfo=UTC))
    ]
    assert preview.tickets_checked == 1
    assert "Invoice twice" not in response.content.decode()
    assert table_counts() == before


def test_admin_preview_covers_every_team(client, superuser, policy_a, ticket_a, ticket_b):
    client.force_login(superuser)

    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/preview/", _policy_data(policy_a, minutes=120)
    )

    preview = response.context["preview"]
    assert [m.ticket_id for m in preview.moves] == [ticket_a.pk]
    assert preview.tickets_checked == 2
    assert "Times are in UTC." in response.content.decode()


def test_invalid_edits_are_named_and_nothing_is_previewed(client, lead_a, policy_a, ticket_a):
    client.force_login(lead_a)
    before = table_counts()

    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/preview/", _policy_data(policy_a, minutes=-5)
    )

    assert response.status_code == 200
    assert "preview" not in response.context
    assert "Target 1: minutes must be a whole number from 1 to 525600." in (
        response.content.decode()
    )
    assert table_counts() == before


@pytest.mark.parametrize("who", ["junior_a", "senior_a"])
def test_agents_without_console_access_cannot_preview(client, request, who, policy_a, ticket_a):
    client.force_login(request.getfixturevalue(who))
    before = table_counts()

    response = client.post(
        f"/admin/escalations/slapolicy/{policy_a.pk}/preview/", _policy_data(policy_a, minutes=120)
    )

    assert response.status_code == 403
    assert "preview" not in (response.context or {})
    assert table_counts() == before


def test_preview_is_post_only(client, lead_a, policy_a):
    client.force_login(lead_a)

    response = client.get(f"/admin/escalations/slapolicy/{policy_a.pk}/preview/")

    assert response.status_code == 405


def test_change_forms_offer_the_preview_button(client, lead_a, policy_a, calendar_a):
    client.force_login(lead_a)

    policy_page = client.get(f"/admin/escalations/slapolicy/{policy_a.pk}/change/")
    calendar_page = client.get(f"/admin/escalations/calendar/{calendar_a.pk}/change/")

    assert (
        f'formaction="/admin/escalations/slapolicy/{policy_a.pk}/preview/"'
        in policy_page.content.decode()
    )
    assert (
        f'formaction="/admin/escalations/calendar/{calendar_a.pk}/preview/"'
        in calendar_page.content.decode()
    )


def test_lead_sees_other_teams_moves_as_a_number_only(client, lead_a, team_b, calendar_a, ticket_a):
    # Given a policy for every team on team A's calendar, and an open ticket of team B
    shared = factories.SLAPolicyFactory(name="Everyone", calendar=calendar_a, order=500)
    factories.SLATargetFactory(policy=shared, metric="first_response", minutes=60)
    other = ticket_create(
        subject="Bravo secret",
        customer=factories.CustomerFactory(),
        queue=factories.QueueFactory(name="Bravo queue", team=team_b),
        body="Bravo business.",
    )
    client.force_login(lead_a)
    before = table_counts()

    # When lead A previews a holiday on the calendar
    response = client.post(
        f"/admin/escalations/calendar/{calendar_a.pk}/preview/",
        _calendar_data(calendar_a, holiday="2026-01-12"),
    )

    # Then team A's ticket is listed, team B's move is one number and nothing names the ticket
    preview = response.context["preview"]
    assert [m.ticket_id for m in preview.moves] == [ticket_a.pk]
    assert preview.other_team_moves == 1
    html = response.content.decode()
    assert "1 deadline on other teams' tickets would move too (not listed)" in html
    assert "Bravo secret" not in html
    assert f"#{other.pk} " not in html
    assert table_counts() == before
