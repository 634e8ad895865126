from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Workflow and escalations"

    def ready(self) -> None:
        # Imported here: app modules load models, which must wait for the app registry.
        from escalations.schedules import schedules_ensure_after_migrate
        from escalations.workflow import ticket_event_receive
        from tickets.signals import ticket_event_recorded

        # The workflow subscribes to the ticket domain's events: tickets never import it.
        ticket_event_recorded.connect(ticket_event_receive, dispatch_uid="kimondesk-workflow")
        # Infrastructure, not domain flow: the periodic schedules follow the schema, so no
        # deployment step can forget them.
        post_migrate.connect(
            schedules_ensure_after_migrate, sender=self, dispatch_uid="kimondesk-schedules"
        )
