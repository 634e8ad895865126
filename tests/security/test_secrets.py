"""Secrets stay where they are stored: a Slack target's webhook URL, an API token, a webhook's
signing secret and a password never show in a page, an API answer, the audit trail, the logs
or a delivery error. The webhook secret is shown once, in the answer that creates it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from escalations.audit import audit_snapshot
from escalations.delivery.engine import delivery_send, slack_delivery_create
from escalations.models import AuditEvent, DeliveryAttempt, SlackDelivery, Target, Webhook
from tests import factories
from tests.fakes.slack_server import FakeSlack, fake_slack_serving, status

from .conftest import World

PORTS = range(8710, 8730)
CLOSED_PORT = 8749
CREATE_URL = "https://hooks.slack.com/services/T1/B1/CREATEs3cret"
EDIT_URL = "https://hooks.slack.com/services/T1/B1/EDITs3cret"
REFUSED_URL = f"http://127.0.0.1:{CLOSED_PORT}/services/T1/B1/REFUSEDs3cret"
LOGGERS = ("", "django", "django_q", "escalations", "tickets", "kimondesk", "httpx", "httpcore")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    yield from fake_slack_serving(PORTS)


@pytest.fixture
def debug_logs(caplog):
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _signed_in(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.agents[role])
    return client


def _audit_trail() -> str:
    rows = AuditEvent.objects.values("object_repr", "before", "after", "data", "actor_label")
    return json.dumps(list(rows))


def _delivery_errors() -> str:
    attempts = list(DeliveryAttempt.objects.values_list("error", flat=True))
    deliveries = list(SlackDelivery.objects.values_list("last_error", flat=True))
    return "\n".join(attempts + deliveries)


def _pages(client: Client, paths: list[str]) -> str:
    bodies = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        bodies.append(response.content.decode())
    return "\n".join(bodies)


def _assert_nowhere(secrets: list[str], **surfaces: str) -> None:
    leaks = {name: s for name, text in surfaces.items() for s in secrets if s in text}
    assert leaks == {}


@pytest.mark.django_db
def test_slack_webhook_url_never_leaves_the_target(
    world, fake_slack, debug_logs, django_capture_on_commit_callbacks
):
    admin = _signed_in(world, "admin")
    team_a = world.ticket_a.queue.team
    form = {"name": "Ops channel", "kind": "slack", "team": team_a.pk, "agent": "", "queue": ""}
    # Given a Slack target created and edited in the admin, repointed through the API,
    # test-sent, and delivering an escalation (one server error, then a success).
    created = admin.post(
        "/admin/escalations/target/add/", {**form, "slack_webhook_url": CREATE_URL}
    )
    assert created.status_code == 302
    target = Target.objects.get(name="Ops channel")
    edited = admin.post(
        f"/admin/escalations/target/{target.pk}/change/", {**form, "slack_webhook_url": EDIT_URL}
    )
    assert edited.status_code == 302
    lead = _signed_in(world, "lead_a")
    patched = lead.patch(
        f"/api/v1/targets/{target.pk}/",
        {"slack_webhook_url": fake_slack.url},
        content_type="application/json",
    )
    assert patched.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        tested = admin.post(
            "/admin/escalations/target/",
            {"action": "send_slack_test", "_selected_action": [target.pk]},
        )
    assert tested.status_code == 302
    escalation = factories.EscalationFactory(ticket=world.ticket_a, target=target)
    delivery = slack_delivery_create(target=target, escalation=escalation)
    # A server error that echoes the URL it was called on.
    fake_slack.queue(status(500, f"upstream broke at {fake_slack.url}"))
    delivery_send(delivery_id=delivery.pk)
    delivery_send(delivery_id=delivery.pk, now=timezone.now() + timedelta(hours=2))
    refused = factories.TargetFactory(
        name="Gone channel", kind="slack", team=team_a, slack_webhook_url=REFUSED_URL
    )
    refused_delivery = slack_delivery_create(target=refused, escalation=escalation)
    delivery_send(delivery_id=refused_delivery.pk)
    assert len(fake_slack.requests) == 3
    assert list(SlackDelivery.objects.order_by("pk").values_list("status", flat=True)) == [
        "sent",
        "sent",
        "pending",
    ]

    # When every surface that shows targets, deliveries and the audit trail is read
    admin_pages = _pages(
        admin,
        [
            "/admin/escalations/target/",
            f"/admin/escalations/target/{target.pk}/change/",
            f"/admin/escalations/target/{target.pk}/history/",
            "/admin/escalations/slackdelivery/",
            f"/admin/escalations/slackdelivery/{delivery.pk}/change/",
            f"/admin/escalations/slackdelivery/{refused_delivery.pk}/change/",
            f"/admin/escalations/escalation/{escalation.pk}/change/",
            "/admin/escalations/auditevent/",
            *(
                f"/admin/escalations/auditevent/{pk}/change/"
                for pk in AuditEvent.objects.values_list("pk", flat=True)
            ),
        ],
    )
    ticket_pages = _pages(
        _signed_in(world, "junior_a"),
        [f"/tickets/{world.ticket_a.pk}/", f"/tickets/{world.ticket_a.pk}/live/"],
    )
    api = (
        _pages(
            lead,
            [
                "/api/v1/targets/",
                f"/api/v1/targets/{target.pk}/",
                "/api/v1/audit-events/",
                "/api/v1/escalations/",
                f"/api/v1/escalations/{escalation.pk}/",
                f"/api/v1/tickets/{world.ticket_a.pk}/notes/",
            ],
        )
        + patched.content.decode()
    )

    # Then the URL is nowhere, though each step left its trace
    assert AuditEvent.objects.filter(object_id=str(target.pk)).count() == 4
    assert DeliveryAttempt.objects.count() == 4
    _assert_nowhere(
        [CREATE_URL, EDIT_URL, fake_slack.url, REFUSED_URL, "s3cret", "secret-token"],
        admin_pages=admin_pages,
        ticket_pages=ticket_pages,
        api=api,
        audit=_audit_trail(),
        logs=debug_logs.text,
        delivery_errors=_delivery_errors(),
    )
    assert list(DeliveryAttempt.objects.order_by("pk").values_list("status_code", "error")) == [
        (200, ""),
        (500, "HTTP 500: upstream broke at <webhook>"),
        (200, ""),
        (None, "ConnectError: [Errno 111] Connection refused"),
    ]


@pytest.mark.django_db
def test_api_token_is_shown_only_by_the_command_that_issues_it(world, debug_logs):
    out = io.StringIO()
    call_command("drf_create_token", "junior_a", stdout=out)
    key = Token.objects.get(user=world.agents["junior_a"]).key
    assert key in out.getvalue()

    used = Client().get("/api/v1/tickets/", headers={"Authorization": f"Token {key}"})
    admin_pages = _pages(
        _signed_in(world, "admin"),
        [
            "/admin/",
            "/admin/authtoken/tokenproxy/",
            "/admin/tickets/agent/",
            f"/admin/tickets/agent/{world.agents['junior_a'].pk}/change/",
        ],
    )
    api = _pages(
        _signed_in(world, "admin"),
        ["/api/v1/agents/", f"/api/v1/agents/{world.agents['junior_a'].pk}/"],
    )

    assert used.status_code == 200
    assert "junior_a" in admin_pages
    _assert_nowhere(
        [key],
        admin_pages=admin_pages,
        api=api,
        audit=_audit_trail(),
        logs=debug_logs.text,
        used=used.content.decode(),
    )


@pytest.mark.django_db
def test_token_admin_lists_holders_but_opens_no_token_page(world):
    token = Token.objects.create(user=world.agents["junior_a"])
    admin = _signed_in(world, "admin")

    change = admin.get(f"/admin/authtoken/tokenproxy/{world.agents['junior_a'].pk}/change/")
    add = admin.get("/admin/authtoken/tokenproxy/add/")
    delete = admin.get(f"/admin/authtoken/tokenproxy/{world.agents['junior_a'].pk}/delete/")

    assert (change.status_code, add.status_code, delete.status_code) == (403, 403, 403)
    assert Token.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_webhook_secret_is_shown_once_on_create(world, debug_logs):
    lead = _signed_in(world, "lead_a")

    created = lead.post(
        "/api/v1/webhooks/",
        {"url": "https://crm.example.com/in", "events": ["escalation.created"]},
        content_type="application/json",
    )
    webhook = Webhook.objects.get()
    later = _pages(lead, ["/api/v1/webhooks/", f"/api/v1/webhooks/{webhook.pk}/"])
    edited = lead.patch(
        f"/api/v1/webhooks/{webhook.pk}/",
        {"url": "https://crm.example.com/v2"},
        content_type="application/json",
    )

    assert created.status_code == 201
    assert created.json()["secret"] == webhook.secret
    assert edited.status_code == 200
    assert AuditEvent.objects.filter(object_type="escalations.webhook").count() == 2
    _assert_nowhere(
        [webhook.secret],
        later=later,
        edited=edited.content.decode(),
        audit=_audit_trail(),
        logs=debug_logs.text,
    )


@pytest.mark.django_db
def test_passwords_never_reach_the_audit_trail_or_an_answer(world, debug_logs):
    password = "a-Long-pass-phrase-42"
    admin = _signed_in(world, "admin")

    created = admin.post(
        "/api/v1/agents/",
        {
            "username": "newbie",
            "name": "New Bie",
            "email": "newbie@example.com",
            "team": world.ticket_a.queue.team_id,
            "role": "junior",
            "password": password,
        },
        content_type="application/json",
    )
    agent = factories.AgentFactory._meta.model.objects.get(username="newbie")
    snapshot = audit_snapshot(agent)

    assert created.status_code == 201
    assert agent.check_password(password) is True
    assert snapshot["password"] == "••••"
    _assert_nowhere(
        [password, agent.password],
        answer=created.content.decode(),
        read=_pages(admin, [f"/api/v1/agents/{agent.pk}/"]),
        audit=_audit_trail(),
        logs=debug_logs.text,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "echo",
    ["no route for {path}", "unknown token {token}", "bad hook {url}"],
    ids=["path", "token", "url"],
)
def test_delivery_error_masks_an_echoed_webhook(world, fake_slack, echo):
    path = "/services/T000/B000/secret-token"
    target = factories.TargetFactory(
        name="Ops", kind="slack", team=world.ticket_a.queue.team, slack_webhook_url=fake_slack.url
    )
    delivery = slack_delivery_create(
        target=target, escalation=None, payload={"text": "hi", "blocks": []}
    )
    fake_slack.queue(status(404, echo.format(path=path, token="secret-token", url=fake_slack.url)))

    delivery_send(delivery_id=delivery.pk)

    expected = "HTTP 404: " + echo.format(path="<webhook>", token="<webhook>", url="<webhook>")
    assert list(DeliveryAttempt.objects.values_list("error", flat=True)) == [expected]
    assert SlackDelivery.objects.get().last_error == expected
