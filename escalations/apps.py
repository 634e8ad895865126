from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class EscalationsConfig(AppConfig):
    name = "escalations"
    verbose_name = "Workflow and escalations"

    def ready(self) -> None:
        # Imported here: app modules load models, which must wait for the app registry.
        from escalations.models import Calendar, Holiday, OpeningHours, SLAPolicy, SLATarget
        from escalations.schedules import schedules_ensure_after_migrate
        from escalations.sla.services import sla_setup_changed_receive
        from escalations.workflow import ticket_event_receive
        from tickets.signals import ticket_event_recorded

        # The workflow subscribes to the ticket domain's events: tickets never import it.
        ticket_event_recorded.connect(ticket_event_receive, dispatch_uid="kimondesk-workflow")
        # Infrastructure, not domain flow: the periodic schedules follow the schema, so no
        # deployment step can forget them.
        post_migrate.connect(
            schedules_ensure_after_migrate, sender=self, dispatch_uid="kimondesk-schedules"
        )
        # Cache invalidation, not domain flow: each process keeps the compiled SLA setup until
        # a configuration row changes, however it was saved (the admin, the API, a fixture).
        for model in (SLAPolicy, SLATarget, Calendar, OpeningHours, Holiday):
            for signal in (post_save, post_delete):
                signal.connect(
                    sla_setup_changed_receive,
                    sender=model,
                    dispatch_uid=f"kimondesk-sla-setup-{model.__name__}-{id(signal)}",
                )
