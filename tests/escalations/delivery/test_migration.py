"""The migration to one delivery table keeps every Slack and webhook delivery and attempt."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("escalations", "0013_exchange_rate_shared_unique_on_every_database")]
AFTER = [("escalations", "0016_delivery_old_tables_dropped")]
CREATED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    applied = MigrationExecutor(connection)._create_project_state(with_applied_migrations=True)
    return applied.apps


@pytest.mark.django_db(transaction=True)
def test_rows_and_attempts_move_to_one_table_and_webhooks_keep_their_ids():
    old = migrate(BEFORE)
    try:
        team = old.get_model("tickets", "Team").objects.create(name="Moved")
        target = old.get_model("escalations", "Target").objects.create(
            name="#esc", kind="slack", slack_webhook_url="https://hooks.slack.com/services/T/B/x"
        )
        hook = old.get_model("escalations", "Webhook").objects.create(
            url="https://crm.example.com/in", team=team, events=["sla.amber"], secret="s"
        )
        Slack = old.get_model("escalations", "SlackDelivery")
        Hooked = old.get_model("escalations", "WebhookDelivery")
        Attempt = old.get_model("escalations", "DeliveryAttempt")
        Schedule = old.get_model("django_q", "Schedule")
        h1 = Hooked.objects.create(webhook=hook, event="sla.amber", payload={"n": 1}, attempts=2)
        h2 = Hooked.objects.create(
            webhook=hook, event="sla.amber", status="sent", response_code=200, sent_at=CREATED
        )
        s1 = Slack.objects.create(target=target, payload={"text": "a"}, last_error="HTTP 500: x")
        Slack.objects.filter(pk=s1.pk).update(created_at=CREATED)
        Hooked.objects.filter(pk=h1.pk).update(created_at=CREATED)
        Attempt.objects.create(webhook_delivery=h1, status_code=500, error="HTTP 500")
        Attempt.objects.create(webhook_delivery=h1, status_code=429, retry_after_seconds=60)
        Attempt.objects.create(slack_delivery=s1, status_code=500, error="HTTP 500: x")
        Schedule.objects.create(
            name="slack-delivery-1-try-2", func="escalations.tasks.slack_deliver"
        )
        Schedule.objects.create(name="kept", func="reports.tasks.refresh_recent_months")

        new = migrate(AFTER)

        Delivery = new.get_model("escalations", "Delivery")
        rows = {
            d.pk: (d.kind, d.target_id, d.webhook_id, d.event, d.status, d.attempts)
            for d in Delivery.objects.all()
        }
        offset = h2.pk
        assert rows == {
            h1.pk: ("webhook", None, hook.pk, "sla.amber", "pending", 2),
            h2.pk: ("webhook", None, hook.pk, "sla.amber", "sent", 0),
            s1.pk + offset: ("slack", target.pk, None, "", "pending", 0),
        }
        moved_hook = Delivery.objects.get(pk=h1.pk)
        moved_slack = Delivery.objects.get(pk=s1.pk + offset)
        assert (moved_hook.created_at, moved_hook.payload) == (CREATED, {"n": 1})
        assert (moved_slack.created_at, moved_slack.last_error) == (CREATED, "HTTP 500: x")
        assert Delivery.objects.get(pk=h2.pk).response_code == 200
        attempts = new.get_model("escalations", "DeliveryAttempt").objects.order_by("pk")
        assert list(attempts.values_list("delivery_id", "status_code", "retry_after_seconds")) == [
            (h1.pk, 500, None),
            (h1.pk, 429, 60),
            (s1.pk + offset, 500, None),
        ]
        schedules = new.get_model("django_q", "Schedule").objects
        assert list(
            schedules.filter(name__in=["kept", "slack-delivery-1-try-2"]).values_list(
                "name", flat=True
            )
        ) == ["kept"]
        # a new row is numbered after the moved ones (the sequence was moved on)
        fresh = Delivery.objects.create(kind="webhook", webhook_id=hook.pk, event="sla.amber")
        assert fresh.pk == s1.pk + offset + 1
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
