"""Writes of the coaching report: keeping the ``AgentMonthCell`` rollup current.

Incremental: ``agent_month_event_count`` (every ticket event, from ``tickets.services``) and
``agent_month_escalation_count`` (every escalation, from the escalation transaction) add to the
rollup inside the transaction that records the event, with ``F()`` upserts on unique rows, so the
report is current the moment the event commits. Repair: ``agent_month_cells_refresh`` recomputes
a month from the event log (the 15-minute schedule; the first view of a month never computed).
On PostgreSQL the two are serialised per team and month by an advisory lock: increments share
it, a recompute holds it alone, so no increment is lost under a recompute.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from escalations.models import Escalation
from tickets.models import Agent, Customer, Team, Ticket, TicketEvent

from .models import AgentMonthCell, AgentMonthRefresh, AgentMonthTicket, CellKind
from .selectors import (
    TREND_MONTHS,
    AgentReport,
    TeamReport,
    agent_report,
    handled_pairs_sql,
    month_current,
    month_shift,
    month_windows,
    report_snapshot,
    team_agents,
    team_month_escalation_cells,
    team_report,
    team_report_months,
    team_zone,
)


# --- Incremental updates ------------------------------------------------------------------------
def _month_lock(*, team_id: int, month: date, shared: bool) -> None:
    """The per team-month advisory lock (PostgreSQL; SQLite runs one writer at a time)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [team_id, month.year * 12 + month.month])


def _agent_team(agent_id: int) -> tuple[int, ZoneInfo] | None:
    """The team whose report counts the agent, and its timezone; None without a team."""
    found = (
        Agent.objects.filter(pk=agent_id, team__isnull=False)
        .values_list("team_id", "team__timezone")
        .first()
    )
    if found is None:
        return None
    team_id, zone_name = found
    return team_id, team_zone(team=Team(pk=team_id, timezone=zone_name))


def _ticket_cell(ticket: Ticket) -> dict[str, Any]:
    """The ticket-mix cell of a ticket now: priority, customer tier, queue."""
    return {"priority": ticket.priority, "tier": ticket.customer.tier, "queue_id": ticket.queue_id}


def _cell_add(*, key: dict[str, Any], n: int = 1) -> None:
    """Add ``n`` to one rollup row, creating it if needed; concurrent adds never lose a count."""
    cells = AgentMonthCell.objects.filter(**key)
    if cells.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            AgentMonthCell.objects.create(**key, count=n)
    except IntegrityError:
        # Another transaction created the row meanwhile: add to it.
        cells.update(count=F("count") + n)


def _ticket_handled(
    *, agent_id: int, team: tuple[int, ZoneInfo], ticket: Ticket, at: datetime
) -> bool:
    """Count ``ticket`` as handled by the agent (of ``team``: id, timezone) in the month of
    ``at``, once; True when new."""
    team_id, zone = team
    month = at.astimezone(zone).date().replace(day=1)
    key = {"team_id": team_id, "month": month, "agent_id": agent_id, "ticket_id": ticket.pk}
    if AgentMonthTicket.objects.filter(**key).exists():
        return False
    _month_lock(team_id=team_id, month=month, shared=True)
    cell = _ticket_cell(ticket)
    _row, created = AgentMonthTicket.objects.get_or_create(**key, defaults=cell)
    if created:
        _cell_add(
            key={
                "team_id": team_id,
                "month": month,
                "agent_id": agent_id,
                "kind": CellKind.HANDLED,
                "trigger": "",
                "by_hand": False,
                **cell,
            }
        )
    return created


def agent_month_event_count(*, event: TicketEvent, ticket: Ticket) -> None:
    """Count a ticket event for the report: the ticket is handled by whoever held it, and by the
    agent it was reassigned away from. Runs in the event's transaction."""
    agents = {event.assignee_id}
    if event.changed_assignee:
        agents.add((event.data or {}).get("from"))
    for agent_id in sorted(a for a in agents if isinstance(a, int)):
        team = _agent_team(agent_id)
        if team is not None:
            _ticket_handled(agent_id=agent_id, team=team, ticket=ticket, at=event.created_at)


def agent_month_escalation_count(*, escalation: Escalation, ticket: Ticket) -> None:
    """Count an escalation for the agent it is credited to (who started it, else who held the
    ticket when a rule fired); up-level steps of a chain count for nobody. Runs in the
    escalation's transaction."""
    agent_id = escalation.initiated_by_id or escalation.from_agent_id
    if escalation.parent_id is not None or agent_id is None:
        return
    team = _agent_team(agent_id)
    if team is None:
        return
    team_id, zone = team
    month = escalation.created_at.astimezone(zone).date().replace(day=1)
    _month_lock(team_id=team_id, month=month, shared=True)
    _cell_add(
        key={
            "team_id": team_id,
            "month": month,
            "agent_id": agent_id,
            "kind": CellKind.ESCALATIONS,
            "trigger": escalation.trigger,
            "by_hand": escalation.initiated_by_id is not None,
            **_ticket_cell(ticket),
        }
    )
    _ticket_handled(agent_id=agent_id, team=team, ticket=ticket, at=escalation.created_at)


# --- Recomputing a month from the log (the repair) ----------------------------------------------
def _handled_tickets_rebuild(*, team: Team, month: date, agent_ids: list[int]) -> None:
    """Replace the month's ``AgentMonthTicket`` rows with the handled tickets of the event log:
    one ``INSERT ... SELECT`` over the same query the live report runs."""
    AgentMonthTicket.objects.filter(team=team, month=month).delete()
    if not agent_ids:
        return
    (window,) = month_windows(last=month, count=1, zone=team_zone(team=team))
    union_sql, params = handled_pairs_sql(agent_ids, [window])
    sql = (
        f"INSERT INTO {AgentMonthTicket._meta.db_table} "  # noqa: S608 (table names, no input)
        "(team_id, month, agent_id, ticket_id, priority, tier, queue_id) "
        "SELECT %s, %s, h.h_agent, h.h_ticket, t.priority, c.tier, t.queue_id "
        f"FROM ({union_sql}) h "
        f"JOIN {Ticket._meta.db_table} t ON t.id = h.h_ticket "
        f"JOIN {Customer._meta.db_table} c "
        "ON c.id = t.customer_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [team.pk, month, *params])


@transaction.atomic
def agent_month_cells_refresh(*, team: Team, month: date, now: datetime | None = None) -> int:
    """Recompute one team's month into the rollup; returns the number of cell rows written.

    Safe to run twice or concurrently: the team row is locked first, the team-month's lock is
    held alone (increments wait), and the month's rows are replaced as a whole. The team row is
    locked FOR NO KEY UPDATE: an increment inserting a rollup row checks its team foreign key
    with FOR KEY SHARE while holding the month's shared lock, and a plain FOR UPDATE here would
    make the two wait for each other (a deadlock seen under load).
    """
    Team.objects.select_for_update(no_key=True).filter(pk=team.pk).first()
    (window,) = month_windows(last=month, count=1, zone=team_zone(team=team))
    _month_lock(team_id=team.pk, month=window.month, shared=False)
    agents = team_agents(team=team)
    _handled_tickets_rebuild(team=team, month=window.month, agent_ids=[a.pk for a in agents])
    handled = (
        AgentMonthTicket.objects.filter(team=team, month=window.month)
        .values_list("agent_id", "priority", "tier", "queue_id")
        .annotate(n=Count("id"))
        .order_by()
    )

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

    rows = [cell(a, CellKind.HANDLED, (p, t, q), n) for a, p, t, q, n in handled] + [
        cell(a, CellKind.ESCALATIONS, (p, t, q), n, trigger=trigger, by_hand=by_hand)
        for a, _m, trigger, by_hand, p, t, q, n in team_month_escalation_cells(
            window=window, agents=agents
        )
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

    A month never computed is computed now; a month last computed before its end is computed
    once more (a repair: increments kept it current meanwhile). A running month is kept current
    by the increments, not here. One query when nothing is due; returns the months computed.
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
        if at is None or (at < window.end <= now):
            due.append(window.month)
    for month in due:
        agent_month_cells_refresh(team=team, month=month, now=now)
    return due


def agent_month_cells_refresh_recent(*, now: datetime | None = None) -> int:
    """Recompute the current and the previous month of every team (the scheduled repair of the
    increments). A month is final once it was refreshed after its end: source rows are only
    ever appended "now"."""
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


def team_report_fresh(*, team: Team, month: date, with_prompts: bool = True) -> TeamReport:
    """The team report read from the rollup, after bringing the months it needs up to date."""
    agent_month_cells_ensure(
        team=team, last=month, months=team_report_months(with_prompts=with_prompts)
    )
    with report_snapshot() as as_of:
        report = team_report(team=team, month=month, with_prompts=with_prompts, rollup=True)
    report.as_of = as_of
    return report


def agent_report_fresh(*, agent: Agent, month: date) -> AgentReport | None:
    """The agent's own report read from the rollup, after bringing its trend months up to date;
    ``None`` when the agent has no team."""
    if agent.team is None:
        return None
    agent_month_cells_ensure(team=agent.team, last=month, months=TREND_MONTHS)
    with report_snapshot() as as_of:
        report = agent_report(agent=agent, month=month, rollup=True)
    if report is not None:
        report.as_of = as_of
    return report
