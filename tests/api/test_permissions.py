"""Permission matrix: every endpoint x method x role (anonymous, junior, senior, lead, admin),
through the real engine."""

from __future__ import annotations

import pytest
from django.db import transaction

ROLES = ("anon", "junior", "senior", "lead", "admin")


def codes(anon, junior, senior, lead, admin):
    return dict(zip(ROLES, (anon, junior, senior, lead, admin), strict=True))


EVERYONE_READS = codes(401, 200, 200, 200, 200)
LEADS_READ = codes(401, 403, 403, 200, 200)
EVERYONE_CREATES = codes(401, 201, 201, 201, 201)
LEADS_CREATE = codes(401, 403, 403, 201, 201)
ADMIN_CREATES = codes(401, 403, 403, 403, 201)
LEADS_UPDATE = codes(401, 403, 403, 200, 200)
LEADS_DELETE = codes(401, 403, 403, 204, 204)
# Another team's configuration is not visible to a lead (404), as another team's ticket.
OTHER_TEAM_WRITE = codes(401, 403, 403, 404, 200)
OTHER_TEAM_DELETE = codes(401, 403, 403, 404, 204)
OTHER_TEAM_TICKET = codes(401, 404, 404, 404, 200)
APPEND_ONLY = codes(401, 403, 403, 405, 405)


def _slack(role):
    return {
        "name": f"Slack {role}",
        "kind": "slack",
        "slack_webhook_url": "https://hooks.slack.com/services/T0/B0/x",
    }


MATRIX = [
    # (id, method, path, body(role, world) or None, expected)
    ("teams-list", "get", "/api/v1/teams/", None, EVERYONE_READS),
    ("teams-create", "post", "/api/v1/teams/", lambda r, w: {"name": f"T {r}"}, ADMIN_CREATES),
    ("teams-detail", "get", "/api/v1/teams/{team}/", None, EVERYONE_READS),
    ("agents-list", "get", "/api/v1/agents/", None, EVERYONE_READS),
    (
        "agents-create",
        "post",
        "/api/v1/agents/",
        lambda r, w: {
            "username": f"new-{r}",
            "name": "New",
            "email": f"new-{r}@example.com",
            "team": w["team"].pk,
            "role": "senior",
            "password": "a-Long-pass-phrase-42",
        },
        ADMIN_CREATES,
    ),
    ("agents-detail", "get", "/api/v1/agents/{junior}/", None, EVERYONE_READS),
    ("queues-list", "get", "/api/v1/queues/", None, EVERYONE_READS),
    (
        "queues-create",
        "post",
        "/api/v1/queues/",
        lambda r, w: {"name": f"Q {r}", "team": w["team"].pk, "specialist": True},
        LEADS_CREATE,
    ),
    (
        "queues-create-other-team",
        "post",
        "/api/v1/queues/",
        lambda r, w: {"name": f"Q {r}", "team": w["other_team"].pk},
        codes(401, 403, 403, 400, 201),
    ),
    ("customers-list", "get", "/api/v1/customers/", None, EVERYONE_READS),
    (
        "customers-create",
        "post",
        "/api/v1/customers/",
        lambda r, w: {"external_id": f"ext-{r}", "name": "ACME", "tier": "free"},
        EVERYONE_CREATES,
    ),
    ("customers-detail", "get", "/api/v1/customers/{customer}/", None, EVERYONE_READS),
    (
        "customers-patch",
        "patch",
        "/api/v1/customers/{customer}/",
        lambda r, w: {"tier": "premium"},
        codes(401, 403, 403, 200, 200),
    ),
    (
        "customers-patch-name",
        "patch",
        "/api/v1/customers/{customer}/",
        lambda r, w: {"name": f"Renamed by {r}"},
        codes(401, 200, 200, 200, 200),
    ),
    ("tickets-list", "get", "/api/v1/tickets/", None, EVERYONE_READS),
    (
        "tickets-create",
        "post",
        "/api/v1/tickets/",
        lambda r, w: {
            "subject": "Help",
            "customer": w["customer"].pk,
            "body": "Hi",
            "queue": w["queue"].pk,
        },
        EVERYONE_CREATES,
    ),
    ("tickets-detail", "get", "/api/v1/tickets/{ticket}/", None, EVERYONE_READS),
    (
        "tickets-detail-other-team",
        "get",
        "/api/v1/tickets/{other_ticket}/",
        None,
        OTHER_TEAM_TICKET,
    ),
    (
        "tickets-patch",
        "patch",
        "/api/v1/tickets/{ticket}/",
        lambda r, w: {"priority": "high"},
        codes(401, 200, 200, 200, 200),
    ),
    (
        "tickets-patch-other-team",
        "patch",
        "/api/v1/tickets/{other_ticket}/",
        lambda r, w: {"priority": "high"},
        OTHER_TEAM_TICKET,
    ),
    ("messages-list", "get", "/api/v1/tickets/{ticket}/messages/", None, EVERYONE_READS),
    (
        "messages-create",
        "post",
        "/api/v1/tickets/{ticket}/messages/",
        lambda r, w: {"author_type": "agent", "body": "On it"},
        EVERYONE_CREATES,
    ),
    (
        "messages-other-team",
        "get",
        "/api/v1/tickets/{other_ticket}/messages/",
        None,
        OTHER_TEAM_TICKET,
    ),
    ("notes-list", "get", "/api/v1/tickets/{ticket}/notes/", None, EVERYONE_READS),
    (
        "notes-create",
        "post",
        "/api/v1/tickets/{ticket}/notes/",
        lambda r, w: {"body": "Internal"},
        EVERYONE_CREATES,
    ),
    (
        "notes-create-other-team",
        "post",
        "/api/v1/tickets/{other_ticket}/notes/",
        lambda r, w: {"body": "Internal"},
        codes(401, 404, 404, 404, 201),
    ),
    ("refunds-list", "get", "/api/v1/tickets/{ticket}/refunds/", None, EVERYONE_READS),
    (
        "refunds-create",
        "post",
        "/api/v1/tickets/{ticket}/refunds/",
        lambda r, w: {"amount": "10.00", "currency": "EUR", "reason": "Late"},
        EVERYONE_CREATES,
    ),
    (
        "escalate",
        "post",
        "/api/v1/tickets/{ticket}/escalate/",
        lambda r, w: {"tried": "Reset", "diagnosis": "Bug", "authority_needed": "Refund"},
        EVERYONE_CREATES,
    ),
    (
        "escalate-other-team",
        "post",
        "/api/v1/tickets/{other_ticket}/escalate/",
        lambda r, w: {"tried": "Reset", "diagnosis": "Bug", "authority_needed": "Refund"},
        codes(401, 404, 404, 404, 201),
    ),
    ("escalations-list", "get", "/api/v1/escalations/", None, EVERYONE_READS),
    ("escalations-detail", "get", "/api/v1/escalations/{escalation}/", None, EVERYONE_READS),
    (
        "escalations-acknowledge",
        "post",
        "/api/v1/escalations/{escalation}/acknowledge/",
        lambda r, w: {},
        # The receiver (the senior here), a lead of the team or an admin; the engine decides.
        codes(401, 403, 200, 200, 200),
    ),
    ("targets-list", "get", "/api/v1/targets/", None, EVERYONE_READS),
    ("targets-create", "post", "/api/v1/targets/", lambda r, w: _slack(r), LEADS_CREATE),
    ("targets-detail", "get", "/api/v1/targets/{target}/", None, EVERYONE_READS),
    (
        "targets-patch",
        "patch",
        "/api/v1/targets/{target}/",
        lambda r, w: {"name": "X"},
        LEADS_UPDATE,
    ),
    (
        "targets-patch-other-team",
        "patch",
        "/api/v1/targets/{other_target}/",
        lambda r, w: {"name": "X"},
        OTHER_TEAM_WRITE,
    ),
    ("targets-delete", "delete", "/api/v1/targets/{other_spare_target}/", None, OTHER_TEAM_DELETE),
    (
        "targets-delete-in-use",
        "delete",
        "/api/v1/targets/{target}/",
        None,
        codes(401, 403, 403, 409, 409),
    ),
    ("rules-list", "get", "/api/v1/rules/", None, EVERYONE_READS),
    (
        "rules-create",
        "post",
        "/api/v1/rules/",
        lambda r, w: {
            "name": f"R {r}",
            "trigger": {"kind": "tier_upgrade"},
            "conditions": [],
            "target": w["target"].pk,
        },
        LEADS_CREATE,
    ),
    ("rules-detail", "get", "/api/v1/rules/{rule}/", None, EVERYONE_READS),
    (
        "rules-patch",
        "patch",
        "/api/v1/rules/{rule}/",
        lambda r, w: {"enabled": False},
        LEADS_UPDATE,
    ),
    (
        "rules-patch-other-team",
        "patch",
        "/api/v1/rules/{other_rule}/",
        lambda r, w: {"enabled": False},
        OTHER_TEAM_WRITE,
    ),
    ("rules-delete", "delete", "/api/v1/rules/{rule}/", None, LEADS_DELETE),
    ("rules-backtest", "get", "/api/v1/rules/{rule}/backtest/?days=7", None, EVERYONE_READS),
    ("calendars-list", "get", "/api/v1/calendars/", None, EVERYONE_READS),
    (
        "calendars-create",
        "post",
        "/api/v1/calendars/",
        lambda r, w: {
            "name": f"C {r}",
            "timezone": "Europe/Paris",
            "hours": [{"weekday": 0, "start": "08:00", "end": "16:00"}],
        },
        LEADS_CREATE,
    ),
    (
        "calendars-patch-other-team",
        "patch",
        "/api/v1/calendars/{other_calendar}/",
        lambda r, w: {"timezone": "UTC"},
        OTHER_TEAM_WRITE,
    ),
    ("calendars-delete", "delete", "/api/v1/calendars/{calendar}/", None, LEADS_DELETE),
    ("sla-policies-list", "get", "/api/v1/sla-policies/", None, EVERYONE_READS),
    (
        "sla-policies-create",
        "post",
        "/api/v1/sla-policies/",
        lambda r, w: {"name": f"P {r}", "targets": [{"metric": "resolution", "minutes": 480}]},
        LEADS_CREATE,
    ),
    ("sla-policies-detail", "get", "/api/v1/sla-policies/{policy}/", None, EVERYONE_READS),
    (
        "sla-policies-patch",
        "patch",
        "/api/v1/sla-policies/{policy}/",
        lambda r, w: {"amber_percent": 80},
        LEADS_UPDATE,
    ),
    (
        "sla-policies-patch-other-team",
        "patch",
        "/api/v1/sla-policies/{other_policy}/",
        lambda r, w: {"amber_percent": 80},
        OTHER_TEAM_WRITE,
    ),
    ("audit-events-list", "get", "/api/v1/audit-events/", None, LEADS_READ),
    ("audit-events-detail", "get", "/api/v1/audit-events/{audit}/", None, LEADS_READ),
    (
        "audit-events-create",
        "post",
        "/api/v1/audit-events/",
        lambda r, w: {"kind": "x"},
        APPEND_ONLY,
    ),
    ("audit-events-patch", "patch", "/api/v1/audit-events/{audit}/", lambda r, w: {}, APPEND_ONLY),
    ("audit-events-delete", "delete", "/api/v1/audit-events/{audit}/", None, APPEND_ONLY),
    ("webhooks-list", "get", "/api/v1/webhooks/", None, LEADS_READ),
    (
        "webhooks-create",
        "post",
        "/api/v1/webhooks/",
        lambda r, w: {"url": "https://example.com/hook", "events": ["sla.breached"]},
        LEADS_CREATE,
    ),
    ("webhooks-detail", "get", "/api/v1/webhooks/{webhook}/", None, LEADS_READ),
    (
        "webhooks-detail-other-team",
        "get",
        "/api/v1/webhooks/{other_webhook}/",
        None,
        codes(401, 403, 403, 404, 200),
    ),
    (
        "webhooks-patch",
        "patch",
        "/api/v1/webhooks/{webhook}/",
        lambda r, w: {"enabled": False},
        LEADS_UPDATE,
    ),
    ("webhooks-delete", "delete", "/api/v1/webhooks/{webhook}/", None, LEADS_DELETE),
    ("webhooks-deliveries", "get", "/api/v1/webhooks/{webhook}/deliveries/", None, LEADS_READ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(m, p, b, e, id=name) for name, m, p, b, e in MATRIX],
)
def test_permission_matrix(client_for, world, method, path, body, expected):
    # Given one row of each kind per team, and an agent of each role (or nobody)
    url = path.format(**{key: getattr(value, "pk", None) for key, value in world.items()})
    answered = {}
    for role in ROLES:
        client = client_for(None if role == "anon" else world[role])
        # When each of them calls the endpoint (each call rolled back: roles do not interfere)
        with transaction.atomic():
            call = getattr(client, method)
            response = call(url) if body is None else call(url, body(role, world), format="json")
            answered[role] = response.status_code
            transaction.set_rollback(True)

    # Then every role gets the answer the contract gives it
    assert answered == expected


@pytest.mark.django_db
def test_session_auth_reads_and_needs_csrf_for_writes(junior, customer, queue):
    from rest_framework.test import APIClient

    from tickets.models import Ticket

    # Given an agent signed in to the web UI (session cookie), with CSRF checks on
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(junior)

    # When the browser reads, then writes without a CSRF token
    read = client.get("/api/v1/tickets/")
    write = client.post(
        "/api/v1/tickets/",
        {"subject": "S", "customer": customer.pk, "body": "B", "queue": queue.pk},
        format="json",
    )

    # Then the read works and the write is refused
    assert read.status_code == 200
    assert write.status_code == 403
    assert "CSRF" in write.json()["detail"]
    assert Ticket.objects.count() == 0
