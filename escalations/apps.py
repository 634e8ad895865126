from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Workflow and escalations"

    def ready(self) -> None:
        # Infrastructure, not domain flow: the periodic schedules follow the schema, so no
        # deployment step can forget them.
        from escalations.schedules import schedules_ensure_after_migrate

        post_migrate.connect(
            schedules_ensure_after_migrate, sender=self, dispatch_uid="kimondesk-schedules"
        )
