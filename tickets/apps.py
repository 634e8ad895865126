from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        # Worker processes are forked from a parent that holds database connections.
        from kimondesk.db import database_fork_safety_register

        database_fork_safety_register()
