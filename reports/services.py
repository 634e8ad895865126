"""Writes of the coaching report: keeping the ``AgentMonthCell`` rollup up to date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tickets.models import Team

from .models import AgentMonthCell, AgentMonthRefresh, CellKind
from .selectors import month_current, month_shift, month_windows, team_agents, team_zone
from .selectors import team_month_cells_live as _live

# How stale the running month may get before a page view recomputes it.
REFRESH_EVERY = timedelta(minutes=15)


@transaction.atomic
def agent_month_cells_refresh(*, team: Team, month: date, now: datetime | None = None) -> int:
    """Recompute one team's month into the rollup; returns the number of rows written.

    Safe to run twice or concurrently: the team row is locked first, and the month's rows are
    replaced as a whole in one transaction.
    """
    Team.objects.select_for_update().filter(pk=team.pk).first()
    (window,) = month_windows(last=month, count=1, zone=team_zone(team=team))
    handled, escalated = _live(window=window, agents=team_agents(team=team))

    def cell(
        agent_id: int, kind: str, cell_key: tuple[str, str, int | None], n: int, **extra: Any
    ) -> AgentMonthCell:
        priority, tier, queue_id = cell_key
        return AgentMonthCell(
            team=team,
            month=window.month,
            agent_id=agent_id,
            kind=kind,
            priority=priority,
            tier=tier,
            queue_id=queue_id,
            count=n,
            **extra,
        )

    rows = [cell(a, CellKind.HANDLED, (p, t, q), n) for a, _m, p, t, q, n in handled] + [
        cell(a, CellKind.ESCALATIONS, (p, t, q), n, trigger=trigger, by_hand=by_hand)
        for a, _m, trigger, by_hand, p, t, q, n in escalated
    ]
    AgentMonthCell.objects.filter(team=team, month=window.month).delete()
    AgentMonthCell.objects.bulk_create(rows, batch_size=2000)
    AgentMonthRefresh.objects.update_or_create(
        team=team, month=window.month, defaults={"refreshed_at": now or timezone.now()}
    )
    return len(rows)


def agent_month_cells_ensure(
    *, team: Team, last: date, months: int, now: datetime | None = None
) -> list[date]:
    """Bring the rollup of the months ending with ``last`` up to date before a page reads it.

    A month is up to date when it was refreshed after its end; a month still running, when it
    was refreshed less than ``REFRESH_EVERY`` ago (the schedule keeps it so). One query when
    nothing is due; returns the months recomputed now.
    """
    now = now or timezone.now()
    windows = month_windows(last=last, count=months, zone=team_zone(team=team))
    refreshed = dict(
        AgentMonthRefresh.objects.filter(
            team=team, month__in=[w.month for w in windows]
        ).values_list("month", "refreshed_at")
    )
    due = []
    for window in windows:
        at = refreshed.get(window.month)
        if window.start > now:
            continue  # a future month has nothing to count
        if at is None or (at < window.end and at < now - REFRESH_EVERY):
            due.append(window.month)
    for month in due:
        agent_month_cells_refresh(team=team, month=month, now=now)
    return due


def agent_month_cells_refresh_recent(*, now: datetime | None = None) -> int:
    """Refresh the current and the previous month of every team (the scheduled task). A month
    is final once it was refreshed after its end: source rows are only ever appended "now"."""
    now = now or timezone.now()
    written = 0
    for team in Team.objects.order_by("pk"):
        current = month_current(team=team, now=now)
        for month in (month_shift(month=current, months=-1), current):
            written += agent_month_cells_refresh(team=team, month=month, now=now)
    return written


def agent_month_cells_backfill(*, months: int, now: datetime | None = None) -> int:
    """Bring every team's last ``months`` months up to date; returns the team-months computed."""
    now = now or timezone.now()
    return sum(
        len(
            agent_month_cells_ensure(
                team=team, last=month_current(team=team, now=now), months=months, now=now
            )
        )
        for team in Team.objects.order_by("pk")
    )
