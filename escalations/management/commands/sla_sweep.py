"""Announce due SLA crossings once, or keep sweeping in the foreground with ``--loop``."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from escalations.sla.services import sla_sweep
from escalations.sla.sweeper import sla_sweeper_lease_release, sla_sweeper_run


class Command(BaseCommand):
    help = "Announce due SLA amber/breach crossings (once, or continuously with --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep sweeping (holding the sweeper lease) until interrupted.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stdout.write(f"{sla_sweep()} crossing(s) announced")
            return
        holder = f"command-{uuid.uuid4().hex}"
        try:
            while True:
                run = sla_sweeper_run(holder=holder)
                if run.crossings:
                    self.stdout.write(f"{run.crossings} crossing(s) announced")
        except KeyboardInterrupt:
            sla_sweeper_lease_release(holder=holder)
