"""Targets, rules, calendars and SLA policies: validation, team scope and the audit trail."""

from __future__ import annotations

import pytest

from escalations.audit import audit_record, audit_snapshot
from escalations.models import AuditEvent, Calendar, Rule, SLAPolicy, Target
from escalations.sla import services as sla
from tests import factories

pytestmark = pytest.mark.django_db

SLACK_URL = "https://hooks.slack.com/services/T000/B000/secret-part"


def test_slack_target_url_is_write_only_and_masked_in_the_audit_log(client_for, lead):
    client = client_for(lead)

    created = client.post(
        "/api/v1/targets/",
        {"name": "Ops", "kind": "slack", "slack_webhook_url": SLACK_URL},
        format="json",
    )
    listed = client.get("/api/v1/targets/")

    assert created.status_code == 201
    assert "slack_webhook_url" not in created.json()
    assert created.json()["has_slack_webhook_url"] is True
    assert created.json()["team"] == lead.team_id
    assert SLACK_URL not in listed.content.decode()
    assert Target.objects.get().slack_webhook_url == SLACK_URL
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.before) == ("target.created", lead, None)
    assert event.after["slack_webhook_url"] == "••••"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"name": "A", "kind": "agent"}, {"agent"}, id="agent-needs-agent"),
        pytest.param({"name": "Q", "kind": "queue"}, {"queue"}, id="queue-needs-queue"),
        pytest.param({"name": "S", "kind": "slack"}, {"slack_webhook_url"}, id="slack-needs-url"),
        pytest.param(
            {"name": "S", "kind": "slack", "slack_webhook_url": "http://example.com/x"},
            {"slack_webhook_url"},
            id="slack-needs-https",
        ),
        pytest.param(
            {"name": "S", "kind": "slack", "slack_webhook_url": "https://169.254.169.254/x"},
            {"slack_webhook_url"},
            id="slack-needs-slack",
        ),
        pytest.param({"name": "", "kind": "pager"}, {"name", "kind"}, id="name-and-kind"),
    ],
)
def test_bad_targets_name_the_field_and_write_nothing(client_for, lead, body, fields):
    response = client_for(lead).post("/api/v1/targets/", body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert Target.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_target_turned_into_another_kind_drops_the_old_kinds_param(client_for, lead, senior):
    # Given a queue target
    target = factories.TargetFactory(
        team=lead.team, kind="queue", queue=factories.QueueFactory(team=lead.team)
    )

    # When it becomes a named-agent target, the queue not mentioned
    response = client_for(lead).patch(
        f"/api/v1/targets/{target.pk}/", {"kind": "agent", "agent": senior.pk}, format="json"
    )

    # Then it holds the agent only, and the audit shows the queue going
    assert response.status_code == 200
    assert (response.json()["agent"], response.json()["queue"]) == (senior.pk, None)
    target.refresh_from_db()
    assert (target.kind, target.agent_id, target.queue_id) == ("agent", senior.pk, None)
    event = AuditEvent.objects.get(kind="target.changed")
    assert event.after["queue"] is None
    assert event.before["queue"] is not None


def test_renaming_a_slack_target_keeps_its_url(client_for, lead):
    target = factories.TargetFactory(team=lead.team, kind="slack", slack_webhook_url=SLACK_URL)

    response = client_for(lead).patch(
        f"/api/v1/targets/{target.pk}/", {"name": "Ops room"}, format="json"
    )

    assert response.status_code == 200
    target.refresh_from_db()
    assert (target.name, target.slack_webhook_url) == ("Ops room", SLACK_URL)


def test_another_kinds_param_is_refused_when_given(client_for, lead, senior):
    response = client_for(lead).post(
        "/api/v1/targets/",
        {"name": "Lead", "kind": "team_lead", "agent": senior.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"agent": ["A 'team_lead' target takes no parameter 'agent'."]}
    assert Target.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_rule_update_records_before_and_after(client_for, lead):
    rule = factories.RuleFactory(team=lead.team, name="Angry", enabled=True)

    response = client_for(lead).patch(
        f"/api/v1/rules/{rule.pk}/",
        {
            "enabled": False,
            "conditions": [{"field": "tier", "op": "in", "value": ["premium", "enterprise"]}],
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["conditions"] == [
        {"field": "tier", "op": "in", "value": ["premium", "enterprise"]}
    ]
    event = AuditEvent.objects.get()
    assert event.kind == "rule.changed"
    assert (event.before["enabled"], event.after["enabled"]) == (True, False)
    assert event.object_id == str(rule.pk)


def test_rule_with_bad_trigger_and_conditions_names_both(client_for, lead):
    response = client_for(lead).post(
        "/api/v1/rules/",
        {
            "name": "R",
            "trigger": {"kind": "moon_phase"},
            "conditions": [{"field": "priority", "op": "gte", "value": "huge"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"trigger", "conditions", "target"}
    assert Rule.objects.count() == 0


def test_rule_trigger_params_are_checked_by_the_trigger_kind(client_for, lead):
    target = factories.TargetFactory(team=lead.team)

    response = client_for(lead).post(
        "/api/v1/rules/",
        {
            "name": "Big refunds",
            "trigger": {"kind": "refund_threshold", "params": {"amount": "-5"}},
            "target": target.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["trigger"]
    assert Rule.objects.count() == 0


def test_rule_create_with_a_refund_threshold(client_for, lead):
    target = factories.TargetFactory(team=lead.team)

    response = client_for(lead).post(
        "/api/v1/rules/",
        {
            "name": "Big refunds",
            "trigger": {
                "kind": "refund_threshold",
                "params": {"amount": "500.00", "currency": "USD"},
            },
            "conditions": [],
            "target": target.pk,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["trigger"]["kind"] == "refund_threshold"
    assert response.json()["team"] == lead.team_id
    assert Rule.objects.get().trigger_params["currency"] == "USD"


def test_lead_cannot_create_rules_for_another_team(client_for, lead, other_team):
    response = client_for(lead).post(
        "/api/v1/rules/",
        {
            "name": "R",
            "team": other_team.pk,
            "trigger": {"kind": "tier_upgrade"},
            "target": factories.TargetFactory(team=lead.team).pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["team"]
    assert Rule.objects.count() == 0


def test_rule_delete_is_audited(client_for, lead):
    rule = factories.RuleFactory(team=lead.team)

    response = client_for(lead).delete(f"/api/v1/rules/{rule.pk}/")

    assert response.status_code == 204
    assert Rule.objects.count() == 0
    event = AuditEvent.objects.get()
    assert (event.kind, event.before["name"], event.after) == ("rule.deleted", rule.name, None)


def test_calendar_with_hours_and_holidays(client_for, lead):
    response = client_for(lead).post(
        "/api/v1/calendars/",
        {
            "name": "Berlin office",
            "timezone": "Europe/Berlin",
            "hours": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
            "holiday_country": "de",
            "holidays": ["2026-12-24", "2026-12-31"],
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["holiday_country"] == "DE"
    assert body["hours"][0] == {"weekday": 0, "start": "09:00", "end": "17:00"}
    assert body["holidays"] == ["2026-12-24", "2026-12-31"]
    calendar = Calendar.objects.get()
    assert calendar.hours.count() == 5
    assert AuditEvent.objects.get().after["holidays"] == [
        {"date": "2026-12-24", "name": ""},
        {"date": "2026-12-31", "name": ""},
    ]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"timezone": "Mars/Olympus"}, {"timezone"}, id="timezone"),
        pytest.param(
            {"hours": [{"weekday": 7, "start": "9", "end": "17:00"}]}, {"hours"}, id="hours"
        ),
        pytest.param({"hours": []}, {"hours"}, id="no-hours"),
        pytest.param(
            {
                "hours": [
                    {"weekday": 1, "start": "09:00", "end": "17:00"},
                    {"weekday": 1, "start": "12:00", "end": "18:00"},
                ]
            },
            {"hours"},
            id="overlapping-spans",
        ),
        pytest.param({"holiday_country": "XX"}, {"holiday_country"}, id="country"),
        pytest.param({"holidays": ["tomorrow"]}, {"holidays"}, id="holidays"),
    ],
)
def test_bad_calendars_name_the_field(client_for, lead, body, fields):
    valid = {
        "name": "C",
        "timezone": "UTC",
        "hours": [{"weekday": 0, "start": "09:00", "end": "17:00"}],
    }
    response = client_for(lead).post("/api/v1/calendars/", valid | body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert Calendar.objects.count() == 0


def test_sla_policy_change_recomputes_open_tickets(client_for, lead, monkeypatch):
    # Given a policy and the SLA engine's recompute hook
    policy = factories.SLAPolicyFactory(team=lead.team)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
    recomputed = []
    monkeypatch.setattr(sla, "sla_policy_changed", lambda *, policy: recomputed.append(policy.pk))

    # When a lead replaces the targets
    response = client_for(lead).patch(
        f"/api/v1/sla-policies/{policy.pk}/",
        {
            "amber_percent": 50,
            "targets": [{"metric": "first_response", "priority": "urgent", "minutes": 15}],
        },
        format="json",
    )

    # Then the policy holds the new targets, clocks were recomputed and the change audited
    assert response.status_code == 200
    assert response.json()["targets"] == [
        {"metric": "first_response", "priority": "urgent", "tier": None, "minutes": 15}
    ]
    assert recomputed == [policy.pk]
    event = AuditEvent.objects.get()
    assert event.before["targets"] == [
        {"metric": "first_response", "priority": None, "tier": None, "minutes": 60}
    ]
    assert event.after["amber_percent"] == 50


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"amber_percent": 100}, {"amber_percent"}, id="amber"),
        pytest.param({"targets": [{"metric": "speed", "minutes": 0}]}, {"targets"}, id="targets"),
        pytest.param(
            {
                "targets": [
                    {"metric": "resolution", "minutes": 5},
                    {"metric": "resolution", "minutes": 9},
                ]
            },
            {"targets"},
            id="duplicate-targets",
        ),
        pytest.param(
            {"calendar": 99999, "conditions": "all"},
            {"calendar", "conditions"},
            id="calendar-conditions",
        ),
    ],
)
def test_bad_sla_policies_name_the_field_and_write_nothing(
    client_for, lead, monkeypatch, body, fields
):
    recomputed = []
    monkeypatch.setattr(sla, "sla_policy_changed", lambda *, policy: recomputed.append(policy.pk))

    response = client_for(lead).post("/api/v1/sla-policies/", {"name": "P"} | body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert SLAPolicy.objects.count() == 0
    assert recomputed == []


def test_audit_events_filters(client_for, admin_user, lead, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    AuditEvent.objects.create(kind="rule.updated", actor=lead, actor_label="lead")
    AuditEvent.objects.create(kind="escalation.created", ticket=ticket, actor_label="rule: x")
    client = client_for(admin_user)

    by_kind = client.get("/api/v1/audit-events/?kind=rule.updated").json()
    by_actor = client.get(f"/api/v1/audit-events/?actor={lead.pk}").json()
    by_ticket = client.get(f"/api/v1/audit-events/?ticket={ticket.pk}").json()

    assert [e["kind"] for e in by_kind["results"]] == ["rule.updated"]
    assert [e["kind"] for e in by_actor["results"]] == ["rule.updated"]
    assert [e["kind"] for e in by_ticket["results"]] == ["escalation.created"]


def test_leads_do_not_see_audit_events_of_other_teams_tickets(
    client_for, lead, other_queue, customer
):
    hidden = factories.TicketFactory(queue=other_queue, customer=customer)
    AuditEvent.objects.create(kind="escalation.created", ticket=hidden, actor_label="rule: x")
    AuditEvent.objects.create(
        kind="rule.updated", actor_label="admin", after={"team": lead.team_id}
    )

    body = client_for(lead).get("/api/v1/audit-events/").json()

    assert [e["kind"] for e in body["results"]] == ["rule.updated"]


def test_leads_read_the_changes_of_their_teams_and_the_shared_configuration_only(
    client_for, lead, other_team, admin_user
):
    # Each row told by the team in its before/after picture, as the configuration itself is
    # read (config_visible_to): another team's rule, and its snapshot, is not a lead's to read.
    rules = [
        factories.RuleFactory(name="Ours", team=lead.team),
        factories.RuleFactory(name="Shared", team=None),
        factories.RuleFactory(name="Theirs", team=other_team),
    ]
    for rule in rules:
        audit_record(kind="rule.updated", obj=rule, before={}, after=audit_snapshot(rule))
    deleted = factories.RuleFactory(name="Gone", team=lead.team)
    audit_record(kind="rule.deleted", obj=deleted, before=audit_snapshot(deleted), after=None)
    moved = factories.RuleFactory(name="Moved away", team=other_team)
    audit_record(
        kind="rule.updated", obj=moved, before={"team": lead.team_id}, after={"team": other_team.pk}
    )
    audit_record(kind="team.changed", obj=lead.team, before={"name": "A"}, after={"name": "B"})
    audit_record(kind="team.changed", obj=other_team, before={"name": "C"}, after={"name": "D"})
    loner = factories.AgentFactory(team=None)
    audit_record(kind="agent.changed", obj=loner, before={"team": None}, after={"team": None})

    def seen(agent):
        rows = client_for(agent).get("/api/v1/audit-events/?page_size=100").json()["results"]
        return sorted(f"{e['kind']} {e['object_repr']}" for e in rows)

    assert seen(lead) == sorted(
        [
            "rule.updated Ours",
            "rule.updated Shared",
            "rule.deleted Gone",
            "rule.updated Moved away",
            f"team.changed {lead.team}",
        ]
    )
    assert len(seen(admin_user)) == 8


def test_null_characters_in_rule_json_are_a_400(client_for, lead):
    target = factories.TargetFactory(team=lead.team)

    response = client_for(lead).post(
        "/api/v1/rules/",
        {
            "name": "R",
            "trigger": {"kind": "sentiment_negative", "params": {"x\u0000": 1}},
            "conditions": [{"field": "tag", "op": "eq", "value": "vip\u0000"}],
            "target": target.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"trigger", "conditions"}
    assert Rule.objects.count() == 0


def test_calendar_with_an_overnight_span_and_a_change_recomputes_clocks(
    client_for, lead, monkeypatch
):
    created = client_for(lead).post(
        "/api/v1/calendars/",
        {
            "name": "Night desk",
            "timezone": "Asia/Tokyo",
            "hours": [{"weekday": 4, "start": "22:00", "end": "06:00"}],
        },
        format="json",
    )
    recomputed = []
    monkeypatch.setattr(
        sla, "sla_calendar_changed", lambda *, calendar: recomputed.append(calendar.pk)
    )

    changed = client_for(lead).patch(
        f"/api/v1/calendars/{created.json()['id']}/", {"holidays": ["2026-12-31"]}, format="json"
    )

    assert created.status_code == 201, created.content
    assert created.json()["hours"] == [{"weekday": 4, "start": "22:00", "end": "06:00"}]
    assert changed.status_code == 200
    assert changed.json()["holidays"] == ["2026-12-31"]
    assert changed.json()["hours"] == [{"weekday": 4, "start": "22:00", "end": "06:00"}]
    assert recomputed == [created.json()["id"]]


def test_api_changes_can_be_reverted_like_admin_changes(client_for, lead, admin_user):
    from escalations.audit.config import config_revert

    # Given a rule renamed through the API
    rule = factories.RuleFactory(team=lead.team, name="Before")
    client_for(lead).patch(f"/api/v1/rules/{rule.pk}/", {"name": "After"}, format="json")
    event = AuditEvent.objects.get(kind="rule.changed")

    # When the change is reverted from its audit event
    config_revert(audit_event=event, actor=admin_user)

    # Then the rule has its old name again
    rule.refresh_from_db()
    assert rule.name == "Before"
