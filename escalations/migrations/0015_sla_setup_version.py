import uuid

from django.db import migrations, models


def version_row_create(apps, schema_editor):
    SLASetupVersion = apps.get_model("escalations", "SLASetupVersion")
    SLASetupVersion.objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0014_rule_outcome_idempotency_record"),
    ]

    operations = [
        migrations.CreateModel(
            name="SLASetupVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
            ],
            options={"verbose_name": "SLA setup version"},
        ),
        migrations.RunPython(version_row_create, migrations.RunPython.noop),
    ]
