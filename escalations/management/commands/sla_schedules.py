"""Register the SLA sweeper's watchdog schedule and start a sweeper chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from escalations.sla.schedules import sla_schedules_ensure


class Command(BaseCommand):
    help = "Ensure the SLA sweeper watchdog schedule exists and a sweeper chain is queued."

    def handle(self, *args: Any, **options: Any) -> None:
        sla_schedules_ensure()
        self.stdout.write("SLA sweeper schedule ensured")
