"""``manage.py reports_backfill``: compute the coaching report's rollup for past months ahead of
the first page view (useful after importing a history or on a new installation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reports.selectors import TREND_MONTHS
from reports.services import agent_month_cells_backfill


class Command(BaseCommand):
    help = "Compute the monthly rollup of every team for the last N months (default 12)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=TREND_MONTHS)

    def handle(self, *args: Any, **options: Any) -> None:
        computed = agent_month_cells_backfill(months=options["months"])
        self.stdout.write(f"Computed {computed} team-months.")
