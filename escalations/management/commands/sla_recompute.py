"""Recompute the SLA clocks of every open ticket (after bulk edits of policies or calendars)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from escalations.sla.clocks import Cause
from escalations.sla.services import sla_clocks_recompute_open


class Command(BaseCommand):
    help = "Recompute policy, target and deadlines of every open ticket's SLA clocks."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = sla_clocks_recompute_open(cause=Cause("recomputed"))
        self.stdout.write(f"{changed} clock(s) changed")
