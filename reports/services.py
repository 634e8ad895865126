"""Writes of the coaching report: keeping the ``AgentMonthCell`` rollup current.

Incremental: ``agent_month_event_count`` (every ticket event, from ``tickets.services``; an
escalation is counted with the one event that records it) and ``agent_month_escalation_count``
(an escalation alone) add to the rollup inside the transaction that records the event, with
``INSERT … ON CONFLICT`` upserts on unique rows (one statement each, compiled once per process),
so the report is current the moment the event commits. Repair: ``agent_month_cells_refresh`` recomputes
a month from the event log (the 15-minute schedule; the first view of a month never computed).
On PostgreSQL the two are serialised per team and month by an advisory lock: increments share
it, a recompute holds it alone, so no increment is lost under a recompute.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Count
from django.utils import timezone

from escalations.models import Escalation
from kimondesk.compiled_queries import CompiledQuery, insert_head, insert_values, statement_cursor
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
    with statement_cursor(connection) as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [team_id, month.year * 12 + month.month])


@functools.cache
def _agent_teams_query(size: int) -> CompiledQuery[Agent]:
    """The teams of ``size`` agents, compiled once per number of agents (one to three: the
    holder, the agent a ticket was moved from, the one an escalation is credited to)."""
    names = [f"agent_{index}" for index in range(size)]
    return CompiledQuery(
        lambda **ids: (
            Agent.objects.filter(pk__in=list(ids.values()), team__isnull=False)
            .values_list("pk", "team_id", "team__timezone")
            .order_by()
        ),
        **dict.fromkeys(names, int),
    )


def _agent_teams(agent_ids: set[int]) -> dict[int, tuple[int, ZoneInfo]]:
    """The team whose report counts each agent, and its timezone (one query); agents without a
    team are left out."""
    if not agent_ids:
        return {}
    ids = sorted(agent_ids)
    values: dict[str, Any] = {f"agent_{index}": agent_id for index, agent_id in enumerate(ids)}
    found = _agent_teams_query(len(ids)).rows(**values)
    return {
        agent_id: (team_id, team_zone(team=Team(pk=team_id, timezone=zone_name)))
        for agent_id, team_id, zone_name in found
    }


def _ticket_cell(ticket: Ticket) -> dict[str, Any]:
    """The ticket-mix cell of a ticket now: priority, customer tier, queue."""
    return {"priority": ticket.priority, "tier": ticket.customer.tier, "queue_id": ticket.queue_id}


def _placeholders(n: int) -> str:
    return ", ".join(["%s"] * n)


@functools.cache
def _cell_add_statement(vendor: str) -> tuple[str, tuple[Any, ...]]:
    """One statement that adds to a rollup row or creates it: ``INSERT … ON CONFLICT`` on the
    unique key (PostgreSQL and SQLite both infer the expression index), so concurrent adds
    never lose a count and no savepoint is needed for the insert race."""
    head, fields = insert_head(AgentMonthCell, 1, DEFAULT_DB_ALIAS)
    quote = connection.ops.quote_name
    table = quote(AgentMonthCell._meta.db_table)
    count = quote("count")
    key = (
        "team_id, month, agent_id, kind, priority, tier, COALESCE(queue_id, 0), "
        f"{quote('trigger')}, by_hand"
    )
    sql = f"{head} ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    return sql, fields


def _cell_add(*, key: dict[str, Any], n: int = 1) -> None:
    """Add ``n`` to one rollup row, creating it if needed (one statement)."""
    sql, fields = _cell_add_statement(connection.vendor)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, insert_values(fields, {**key, "count": n}))


def _month_of(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date().replace(day=1)


@functools.cache
def _handled_row_insert_statement(vendor: str) -> tuple[str, tuple[Any, ...]]:
    head, fields = insert_head(AgentMonthTicket, 1, DEFAULT_DB_ALIAS)
    quote = connection.ops.quote_name
    sql = (
        f"{head} ON CONFLICT (team_id, month, agent_id, ticket_id) DO NOTHING "
        f"RETURNING {quote(AgentMonthTicket._meta.pk.column)}"
    )
    return sql, fields


def _handled_row_insert(*, key: dict[str, Any], cell: dict[str, Any]) -> bool:
    """Insert one ``AgentMonthTicket`` row unless it exists (one statement, ``ON CONFLICT DO
    NOTHING``); True when this call inserted it. A concurrent insert of the same row makes this
    one wait for it and insert nothing, as ``get_or_create`` would."""
    sql, fields = _handled_row_insert_statement(connection.vendor)
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, insert_values(fields, {**key, **cell}))
        return cursor.fetchone() is not None


@functools.cache
def _handled_rows_sql(vendor: str, teams: int, months: int, agents: int) -> str:
    """The ticket's handled rows among some teams, months and agents; filtered by team and
    month too, because the unique index leads with them."""
    return (
        "SELECT team_id, month, agent_id FROM "  # noqa: S608 (model names; values are parameters)
        f"{connection.ops.quote_name(AgentMonthTicket._meta.db_table)} "
        f"WHERE team_id IN ({_placeholders(teams)}) AND month IN ({_placeholders(months)}) "
        f"AND agent_id IN ({_placeholders(agents)}) AND ticket_id = %s"
    )


def _handled_rows(
    *, ticket_id: int, wanted: set[tuple[int, date, int]]
) -> set[tuple[int, date, int]]:
    teams = sorted({team for team, _, _ in wanted})
    months = sorted({month for _, month, _ in wanted})
    agents = sorted({agent for _, _, agent in wanted})
    sql = _handled_rows_sql(connection.vendor, len(teams), len(months), len(agents))
    params = [
        *teams,
        *(connection.ops.adapt_datefield_value(month) for month in months),
        *agents,
        ticket_id,
    ]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (team, month if isinstance(month, date) else date.fromisoformat(month), agent)
        for team, month, agent in rows
    }


class _MonthCounts:
    """One transaction's rollup writes for one ticket: the agents' teams read once (one query),
    the ticket's handled rows for those agents read once, and each team-month's shared lock taken
    once (it is held until the transaction ends)."""

    def __init__(self, *, ticket: Ticket, handled_at: list[tuple[int, datetime]]) -> None:
        """``handled_at``: the (agent, instant) pairs whose handled rows may be written."""
        self.ticket = ticket
        self.teams = _agent_teams({agent_id for agent_id, _ in handled_at})
        wanted = {
            (self.teams[agent_id][0], _month_of(at, self.teams[agent_id][1]), agent_id)
            for agent_id, at in handled_at
            if agent_id in self.teams
        }
        self.handled: set[tuple[int, date, int]] = (
            _handled_rows(ticket_id=ticket.pk, wanted=wanted) if wanted else set()
        )
        self.locked: set[tuple[int, date]] = set()
        self._cell: dict[str, Any] | None = None

    def cell(self) -> dict[str, Any]:
        if self._cell is None:
            self._cell = _ticket_cell(self.ticket)
        return self._cell

    def lock(self, *, team_id: int, month: date) -> None:
        if (team_id, month) not in self.locked:
            _month_lock(team_id=team_id, month=month, shared=True)
            self.locked.add((team_id, month))

    def ticket_handled(self, *, agent_id: int, at: datetime) -> bool:
        """Count the ticket as handled by the agent in the month of ``at`` (in their team's
        zone), once; True when new."""
        team_id, zone = self.teams[agent_id]
        month = _month_of(at, zone)
        if (team_id, month, agent_id) in self.handled:
            return False
        self.lock(team_id=team_id, month=month)
        cell = self.cell()
        key = {
            "team_id": team_id,
            "month": month,
            "agent_id": agent_id,
            "ticket_id": self.ticket.pk,
        }
        created = _handled_row_insert(key=key, cell=cell)
        self.handled.add((team_id, month, agent_id))
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

    def escalation(self, *, escalation: Escalation, agent_id: int) -> None:
        """Count ``escalation`` for ``agent_id`` (credited with it) and the ticket as handled."""
        team_id, zone = self.teams[agent_id]
        month = _month_of(escalation.created_at, zone)
        self.lock(team_id=team_id, month=month)
        _cell_add(
            key={
                "team_id": team_id,
                "month": month,
                "agent_id": agent_id,
                "kind": CellKind.ESCALATIONS,
                "trigger": escalation.trigger,
                "by_hand": escalation.initiated_by_id is not None,
                **self.cell(),
            }
        )
        self.ticket_handled(agent_id=agent_id, at=escalation.created_at)


def _escalation_credited(escalation: Escalation) -> int | None:
    """The agent an escalation counts for: who started it, else who held the ticket when a rule
    fired; up-level steps of a chain count for nobody."""
    if escalation.parent_id is not None:
        return None
    return escalation.initiated_by_id or escalation.from_agent_id


def _event_agents(event: TicketEvent) -> list[int]:
    """Who handled the ticket by this event: whoever held it, and the agent it was reassigned
    away from."""
    agents = {event.assignee_id}
    if event.changed_assignee:
        agents.add((event.data or {}).get("from"))
    return sorted(a for a in agents if isinstance(a, int))


def agent_month_event_count(
    *, event: TicketEvent, ticket: Ticket, escalation: Escalation | None = None
) -> None:
    """Count a ticket event for the report: the ticket is handled by whoever held it, and by the
    agent it was reassigned away from. ``escalation``: the escalation the event records, counted
    with it (as ``agent_month_escalation_count`` would), each agent's team and handled row read
    once for both. Runs in the event's transaction."""
    agents = _event_agents(event)
    credited = _escalation_credited(escalation) if escalation is not None else None
    handled_at = [(agent_id, event.created_at) for agent_id in agents]
    if escalation is not None and credited is not None:
        handled_at.append((credited, escalation.created_at))
    counts = _MonthCounts(ticket=ticket, handled_at=handled_at)
    for agent_id in agents:
        if agent_id in counts.teams:
            counts.ticket_handled(agent_id=agent_id, at=event.created_at)
    if escalation is not None and credited is not None and credited in counts.teams:
        counts.escalation(escalation=escalation, agent_id=credited)


def agent_month_escalation_count(*, escalation: Escalation, ticket: Ticket) -> None:
    """Count an escalation for the agent it is credited to (who started it, else who held the
    ticket when a rule fired); up-level steps of a chain count for nobody. Runs in the
    escalation's transaction."""
    agent_id = _escalation_credited(escalation)
    if agent_id is None:
        return
    counts = _MonthCounts(ticket=ticket, handled_at=[(agent_id, escalation.created_at)])
    if agent_id in counts.teams:
        counts.escalation(escalation=escalation, agent_id=agent_id)


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
