"""Move every Slack and webhook delivery, and every attempt, into the one delivery table.

Webhook deliveries keep their ids: receivers see them (the envelope's ``id``, the
``X-KimonDesk-Delivery`` header) and so does the API. Slack deliveries are numbered after them
(old id + the highest webhook delivery id). Periodic and one-off django-q2 schedules of the
retired task paths are removed: ``schedules_ensure`` (after ``migrate``) creates the one due
sweep, and that sweep queues every pending delivery whose retry was scheduled.
"""

from django.core.management.color import no_style
from django.db import migrations
from django.db.models import F, Max

BATCH = 500
RETIRED_TASKS = (
    "escalations.tasks.slack_deliver",
    "escalations.tasks.slack_deliveries_due_sweep",
    "escalations.tasks_webhooks.webhook_delivery_send_task",
    "escalations.tasks_webhooks.webhook_deliveries_due_sweep_task",
)
COMMON = ("payload", "status", "attempts", "next_attempt_at", "sent_at", "created_at")


def _copy(rows, make, Delivery):
    batch = []
    for row in rows.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(make(row))
        if len(batch) == BATCH:
            Delivery.objects.bulk_create(batch)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch)


def forwards(apps, schema_editor):
    Delivery = apps.get_model("escalations", "Delivery")
    SlackDelivery = apps.get_model("escalations", "SlackDelivery")
    WebhookDelivery = apps.get_model("escalations", "WebhookDelivery")
    DeliveryAttempt = apps.get_model("escalations", "DeliveryAttempt")
    Schedule = apps.get_model("django_q", "Schedule")
    created_at = Delivery._meta.get_field("created_at")
    created_at.auto_now_add = False  # keep each row's own creation time
    try:
        _copy(
            WebhookDelivery.objects.all(),
            lambda row: Delivery(
                id=row.pk,
                kind="webhook",
                webhook_id=row.webhook_id,
                event=row.event,
                response_code=row.response_code,
                **{name: getattr(row, name) for name in COMMON},
            ),
            Delivery,
        )
        offset = WebhookDelivery.objects.aggregate(top=Max("pk"))["top"] or 0
        _copy(
            SlackDelivery.objects.all(),
            lambda row: Delivery(
                id=row.pk + offset,
                kind="slack",
                target_id=row.target_id,
                escalation_id=row.escalation_id,
                last_error=row.last_error,
                **{name: getattr(row, name) for name in COMMON},
            ),
            Delivery,
        )
    finally:
        created_at.auto_now_add = True
    DeliveryAttempt.objects.filter(webhook_delivery__isnull=False).update(
        delivery_id=F("webhook_delivery_id")
    )
    DeliveryAttempt.objects.filter(slack_delivery__isnull=False).update(
        delivery_id=F("slack_delivery_id") + offset
    )
    DeliveryAttempt.objects.filter(delivery__isnull=True).delete()  # linked to nothing
    connection = schema_editor.connection
    for sql in connection.ops.sequence_reset_sql(no_style(), [Delivery]):
        schema_editor.execute(sql)
    Schedule.objects.filter(func__in=RETIRED_TASKS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0014_delivery_one_table"),
        ("django_q", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
