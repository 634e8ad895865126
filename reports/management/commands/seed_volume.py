"""``manage.py seed_volume``: a large history for benchmarking the coaching report."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.volume import volume_generate


class Command(BaseCommand):
    help = (
        "Generate a large ticket history (default: 1,000,000 tickets, 5,000,000 events, "
        "300 agents) with bulk inserts (COPY on PostgreSQL)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--agents", type=int, default=300)
        parser.add_argument("--teams", type=int, default=6)
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["agents"] < options["teams"] * 2:
            self.stderr.write("--agents must be at least twice --teams (a lead and a member each).")
            sys.exit(2)
        result = volume_generate(
            tickets=options["tickets"],
            agents=options["agents"],
            teams=options["teams"],
            customers=options["customers"],
            months=options["months"],
            seed=options["seed"],
            progress=self._progress,
        )
        self.stdout.write(
            f"\nGenerated {result.tickets:,} tickets, {result.events:,} events, "
            f"{result.escalations:,} escalations for {result.agents} agents in {result.teams} "
            f"teams in {result.seconds:.0f} s."
        )

    def _progress(self, label: str, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        self.stdout.write(f"\r{label:<12} [{bar}] {done:>10,}/{total:,}", ending="")
        if done == total:
            self.stdout.write("")
        self.stdout.flush()
