"""``manage.py seed_demo``: create the demo data set (idempotent) and print the demo logins."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from tickets.demo import demo_data_seed


class Command(BaseCommand):
    help = "Create demo teams, agents, queues, rules, customers and 90 days of tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=1000, help="Tickets to generate.")
        parser.add_argument("--customers", type=int, default=200, help="Demo customers.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed.")
        parser.add_argument(
            "--volume",
            action="store_true",
            help="Instead: a benchmark-sized history (1,000,000 tickets, 5,000,000 events, "
            "300 agents; see `manage.py seed_volume --help` for its options).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["volume"]:
            call_command("seed_volume", stdout=self.stdout, stderr=self.stderr)
            return
        extra = {"seed": options["seed"]} if options["seed"] is not None else {}
        progress = getattr(self.stderr, "_out", sys.stderr) if options["verbosity"] else None
        result = demo_data_seed(
            tickets=options["tickets"], customers=options["customers"], progress=progress, **extra
        )
        created = {kind: n for kind, n in result.created.items() if n}
        if created:
            summary = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in created.items())
            self.stdout.write(f"Demo data created: {summary}.")
        else:
            self.stdout.write("Demo data already present: nothing to create.")
        self.stdout.write("\nDemo logins:")
        for login in result.logins:
            self.stdout.write(f"  {login.username:<18} {login.password:<16} {login.description}")
