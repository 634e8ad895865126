"""Calendars with opening hours and holidays; the audit log is read-only for everyone."""

from __future__ import annotations

import pytest

from escalations.audit import audit_record
from escalations.models import AuditEvent, Calendar, SLATarget


def _calendar_data(team_id, **overrides):
    data = {
        "name": "Berlin office",
        "team": team_id,
        "timezone": "Europe/Berlin",
        "holiday_country": "DE",
        "holiday_subdivision": "",
        "hours-TOTAL_FORMS": "2",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        "hours-0-weekday": "0",
        "hours-0-start": "09:00",
        "hours-0-end": "17:00",
        "hours-1-weekday": "4",
        "hours-1-start": "22:00",
        "hours-1-end": "00:00",
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
        "holidays-0-date": "2026-12-24",
        "holidays-0-name": "Christmas Eve",
    }
    data.update(overrides)
    return data


def test_lead_creates_calendar_with_hours_and_holidays(client, lead_a):
    client.force_login(lead_a)

    response = client.post("/admin/escalations/calendar/add/", _calendar_data(lead_a.team_id))

    assert response.status_code == 302
    calendar = Calendar.objects.get()
    assert calendar.team_id == lead_a.team_id
    assert [(h.weekday, f"{h.start:%H:%M}", f"{h.end:%H:%M}") for h in calendar.hours.all()] == [
        (0, "09:00", "17:00"),
        (4, "22:00", "00:00"),
    ]
    event = AuditEvent.objects.get()
    assert event.kind == "calendar.created"
    assert event.after["holidays"] == [{"date": "2026-12-24", "name": "Christmas Eve"}]
    assert event.after["hours"] == [
        {"weekday": 0, "start": "09:00:00", "end": "17:00:00"},
        {"weekday": 4, "start": "22:00:00", "end": "00:00:00"},
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param(
            {"timezone": "Mars/Olympus"},
            "timezone",
            "'Mars/Olympus' is not an IANA timezone (e.g. Europe/Berlin).",
            id="timezone",
        ),
        pytest.param(
            {"holiday_country": "ZZ"},
            "holiday_country",
            "'ZZ' is not a supported holiday country code.",
            id="holiday-country",
        ),
        pytest.param(
            {"hours-0-end": "09:00"},
            "__all__",
            "Hours: Span 1: start and end are equal; use 00:00-00:00 for all day.",
            id="hours",
        ),
    ],
)
def test_bad_calendar_is_refused(client, lead_a, overrides, field, message):
    client.force_login(lead_a)

    response = client.post(
        "/admin/escalations/calendar/add/", _calendar_data(lead_a.team_id, **overrides)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]
    assert Calendar.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("page", ["change", "delete"])
def test_audit_events_cannot_be_changed_or_deleted_even_by_superusers(
    client, superuser, rule_a, page
):
    event = audit_record(kind="rule.changed", obj=rule_a, before={"name": "a"}, after={"name": "b"})
    client.force_login(superuser)

    response = client.post(
        f"/admin/escalations/auditevent/{event.pk}/{page}/", {"kind": "forged", "post": "yes"}
    )

    assert response.status_code == 403
    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["rule.changed"]


def test_audit_changelist_offers_no_actions_that_write(client, superuser, rule_a):
    audit_record(kind="rule.changed", obj=rule_a)
    client.force_login(superuser)

    response = client.get("/admin/escalations/auditevent/")

    assert response.context["has_add_permission"] is False
    assert response.context["action_form"] is None


def test_calendar_change_reverts_with_its_opening_hours(client, lead_a, calendar_a):
    # Given a calendar whose Monday hours were moved and a holiday added
    client.force_login(lead_a)
    hours = calendar_a.hours.get()
    data = _calendar_data(
        lead_a.team_id,
        name=calendar_a.name,
        **{
            "hours-TOTAL_FORMS": "1",
            "hours-INITIAL_FORMS": "1",
            "hours-0-id": hours.pk,
            "hours-0-calendar": calendar_a.pk,
            "hours-0-start": "10:00",
            "hours-0-end": "18:00",
        },
    )
    response = client.post(f"/admin/escalations/calendar/{calendar_a.pk}/change/", data)
    assert response.status_code == 302
    change = AuditEvent.objects.get(kind="calendar.changed")

    # When the change is reverted
    client.post(f"/admin/escalations/calendar/{calendar_a.pk}/history/{change.pk}/revert/")

    # Then hours, holidays and fields are as before, and the revert is recorded
    calendar_a.refresh_from_db()
    assert (calendar_a.timezone, calendar_a.holiday_country) == ("Europe/Berlin", "")
    assert [(h.weekday, f"{h.start:%H:%M}", f"{h.end:%H:%M}") for h in calendar_a.hours.all()] == [
        (0, "09:00", "17:00")
    ]
    assert calendar_a.holidays.count() == 0
    assert list(AuditEvent.objects.order_by("id").values_list("kind", flat=True)) == [
        "calendar.changed",
        "calendar.reverted",
    ]


def test_bulk_delete_is_audited_per_object(client, lead_a, rule_a, target_a):
    from tests import factories

    second = factories.RuleFactory(name="Second", team=lead_a.team, target=target_a)
    client.force_login(lead_a)

    response = client.post(
        "/admin/escalations/rule/",
        {"action": "delete_selected", "_selected_action": [rule_a.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert sorted(AuditEvent.objects.values_list("kind", "object_repr")) == [
        ("rule.deleted", "Angry customers"),
        ("rule.deleted", "Second"),
    ]


def test_inline_rows_name_each_input_by_column_and_row(client, lead_a, calendar_a):
    # Given a calendar with one span (the table shows labels only as column headings)
    client.force_login(lead_a)

    # When its form is opened
    html = client.get(f"/admin/escalations/calendar/{calendar_a.pk}/change/").content.decode()

    # Then every input of a row says its column and row, the blank row too
    for label in ("Weekday", "Start", "End", "Delete"):
        assert f'aria-label="{label}, row 1"' in html
    assert 'aria-label="Weekday, new row"' in html
    assert 'aria-label="Date, new row"' in html
    # And the hidden inputs (row id, parent) get no name of their own
    assert 'aria-label="Calendar, row 1"' not in html


@pytest.mark.parametrize(
    ("values", "words"),
    [
        pytest.param(
            {"metric": "first_response", "priority": "high", "tier": None, "minutes": 60},
            "First response, high priority, any tier: 60 min",
            id="priority",
        ),
        pytest.param(
            {"metric": "resolution", "priority": None, "tier": "premium", "minutes": 480},
            "Resolution, any priority, premium tier: 480 min",
            id="tier",
        ),
    ],
)
def test_an_sla_target_reads_in_words(values, words):
    assert str(SLATarget(**values)) == words
