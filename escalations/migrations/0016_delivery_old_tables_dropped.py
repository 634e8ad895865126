"""The old Slack and webhook delivery tables go; the attempt log has one link, to a delivery;
``SlackDelivery`` stays as the admin's view of the Slack kind (same pages, same permissions)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0015_delivery_rows_moved"),
    ]

    operations = [
        migrations.RemoveField(model_name="deliveryattempt", name="slack_delivery"),
        migrations.RemoveField(model_name="deliveryattempt", name="webhook_delivery"),
        migrations.DeleteModel(name="SlackDelivery"),
        migrations.DeleteModel(name="WebhookDelivery"),
        migrations.AlterField(
            model_name="deliveryattempt",
            name="delivery",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="attempt_log",
                to="escalations.delivery",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="target",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="escalations.target",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="webhook",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="escalations.webhook",
            ),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "slack"), ("target__isnull", False), ("webhook__isnull", True)),
                    models.Q(
                        ("kind", "webhook"), ("target__isnull", True), ("webhook__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="delivery_kind_destination",
            ),
        ),
        migrations.CreateModel(
            name="SlackDelivery",
            fields=[],
            options={
                "verbose_name_plural": "Slack deliveries",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("escalations.delivery",),
        ),
    ]
