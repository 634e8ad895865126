from typing import Any

from django.core.management.base import BaseCommand

from escalations.schedules import schedules_ensure


class Command(BaseCommand):
    help = "Create or update the periodic django-q2 schedules (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_ensure():
            self.stdout.write(f"schedule ok: {name}")
