"""Admin actions: bulk enable/disable (audited), Slack retries and test messages."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from escalations.models import AuditEvent, DeliveryStatus, Rule, SlackDelivery
from tests import factories


def _messages(response, level=None):
    return [m.message for m in get_messages(response.wsgi_request) if level in (None, m.level_tag)]


def test_bulk_disable_is_audited_per_changed_rule(client, lead_a, rule_a, team_a, team_b):
    # Given two enabled rules of team A, one disabled one, and team B's rule
    second = factories.RuleFactory(name="Second", team=team_a, target=rule_a.target)
    already = factories.RuleFactory(name="Off", team=team_a, target=rule_a.target, enabled=False)
    foreign = factories.RuleFactory(name="Bravo", team=team_b, target=None)
    client.force_login(lead_a)

    # When lead A disables all of them at once (team B's id slipped into the post)
    response = client.post(
        "/admin/escalations/rule/",
        {
            "action": "disable_rules",
            "_selected_action": [rule_a.pk, second.pk, already.pk, foreign.pk],
        },
        follow=True,
    )

    # Then only team A's two enabled rules change, each with its own audit event
    assert _messages(response, "success") == ["Disabled 2 rule(s)."]
    assert set(Rule.objects.filter(enabled=False).values_list("name", flat=True)) == {
        "Angry customers",
        "Second",
        "Off",
    }
    events = AuditEvent.objects.order_by("id")
    assert [(e.kind, e.object_id, e.before["enabled"], e.after["enabled"]) for e in events] == [
        ("rule.disabled", str(rule_a.pk), True, False),
        ("rule.disabled", str(second.pk), True, False),
    ]
    foreign.refresh_from_db()
    assert foreign.enabled is True


def test_bulk_enable_is_audited(client, superuser, rule_a):
    rule_a.enabled = False
    rule_a.save()
    client.force_login(superuser)

    response = client.post(
        "/admin/escalations/rule/",
        {"action": "enable_rules", "_selected_action": [rule_a.pk]},
        follow=True,
    )

    assert _messages(response, "success") == ["Enabled 1 rule(s)."]
    rule_a.refresh_from_db()
    assert rule_a.enabled is True
    assert list(AuditEvent.objects.values_list("kind", "actor_id")) == [
        ("rule.enabled", superuser.pk)
    ]


@pytest.fixture
def deliveries(slack_target_a):
    failed = SlackDelivery.objects.create(target=slack_target_a, status=DeliveryStatus.FAILED)
    sent = SlackDelivery.objects.create(target=slack_target_a, status=DeliveryStatus.SENT)
    return failed, sent


def test_retry_action_retries_only_failed_deliveries(
    client, django_capture_on_commit_callbacks, lead_a, deliveries
):
    # Given a failed and a sent delivery
    failed, sent = deliveries
    client.force_login(lead_a)

    # When both are selected for a retry
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/admin/escalations/slackdelivery/",
            {"action": "retry_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    # Then only the failed one goes back to the sender (after commit), audited by the engine
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (DeliveryStatus.PENDING, DeliveryStatus.SENT)
    assert list(AuditEvent.objects.values_list("kind", "actor_id")) == [
        ("slack_delivery_retried", lead_a.pk)
    ]
    assert len(callbacks) == 1
    assert _messages(response) == [
        "Queued 1 failed delivery(ies) for a retry.",
        "Skipped 1 delivery(ies) that had not failed.",
    ]


def test_delivery_list_filters_by_status(client, lead_a, deliveries):
    client.force_login(lead_a)

    response = client.get("/admin/escalations/slackdelivery/?status__exact=failed")

    assert [d.pk for d in response.context["cl"].result_list] == [deliveries[0].pk]


def test_slack_test_action_sends_to_slack_targets_only(
    client, django_capture_on_commit_callbacks, lead_a, slack_target_a, target_a
):
    # Given a Slack target and an agent target
    client.force_login(lead_a)

    # When both get the test action
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            "/admin/escalations/target/",
            {"action": "send_slack_test", "_selected_action": [slack_target_a.pk, target_a.pk]},
            follow=True,
        )

    # Then one test message is queued for the Slack target, sent after commit
    delivery = SlackDelivery.objects.get()
    assert (delivery.target_id, delivery.escalation_id, delivery.status) == (
        slack_target_a.pk,
        None,
        DeliveryStatus.PENDING,
    )
    assert list(AuditEvent.objects.values_list("kind", flat=True)) == ["slack_target_tested"]
    assert len(callbacks) == 1
    assert _messages(response) == [
        "Senior on call is not a Slack target: skipped.",
        "Queued a test message to 1 Slack target(s).",
    ]
