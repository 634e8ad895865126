"""Coaching reports: escalation rates per agent, mix adjustment, handoff quality, rule health.

Every figure is an SQL aggregation; Python only combines the aggregated rows (a few per agent,
month and ticket-mix cell). The definitions below are also printed on the pages.

- **Month**: a calendar month in the team's timezone (``Team.timezone``).
- **Tickets handled** by an agent in a month: distinct tickets on which, during the month,
  (a) an event was recorded while the agent held the ticket (``TicketEvent.assignee``; this
  includes the ticket being assigned to them), or (b) the ticket was reassigned away from them, or
  (c) they escalated it. A ticket that changed hands mid-month counts for both holders.
- **Escalations** credited to an agent: first-level escalations (no ``parent``: the up-level
  steps of a chain are not a new decision by the holder) created in the month that the agent
  started (``initiated_by``) or that a rule fired while they held the ticket (``from_agent`` with
  no ``initiated_by``). They split in two:
  - *agent-initiated* (``manual`` in the API): started by hand, or by the agent adding the
    ``escalate`` tag (trigger ``escalate_tag``): the agent's own decision;
  - *automatic*: every other rule-fired escalation (the customer's sentiment, tier upgrade,
    refund over the threshold, the SLA clock): the customer, not the agent, triggered these.
- **Rate** (the coaching rate) = agent-initiated escalations / tickets handled. Automatic
  escalations are shown beside it (``automatic_rate``) and never enter it, nor the adjusted rate,
  the medians or the coaching prompts. An agent with no handled ticket has no rate.
- **Adjusted rate** (indirect standardisation over the ticket mix): each handled ticket falls in
  a cell (priority, customer tier, queue). Expected escalations = sum over the agent's handled
  tickets of the team's agent-initiated escalation rate in that ticket's cell; adjusted rate =
  observed / expected * the team's overall rate. It equals the team rate when the agent escalates
  exactly as the team does on the same mix of tickets.
- **Complete handoff**: tried, diagnosis and authority needed all filled in.
- **Time to acknowledge**: ``acknowledged_at`` - ``created_at``; **time to first action**: from
  the escalation to the receiver's first message or note on the ticket.
- **Avoidable**: within 7 days of the escalation the ticket was assigned back to the agent who
  escalated it (*bounced*), or that agent set it solved or closed themselves (*solved without
  senior authority*).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Avg,
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, RowNumber, Trim, TruncDate
from django.utils import timezone

from escalations.currency.rates import rate_pick
from escalations.currency.selectors import exchange_rate_facts
from escalations.models import Escalation, Rule, RuleKind, TriggerKey
from kimondesk.timezones import zone_of_team
from reports.models import AgentMonthCell, CellKind
from tickets.models import (
    DONE_STATUSES,
    Agent,
    AuthorType,
    Customer,
    EventKind,
    Message,
    RefundRequest,
    Sentiment,
    Team,
    Ticket,
    TicketEvent,
    assignment_events,
)

AVOIDABLE_WINDOW = timedelta(days=7)
QUICK_ACK = timedelta(minutes=15)
TREND_MONTHS = 12
PROMPT_MONTHS = 3
# A month counts towards a coaching prompt only with this many handled tickets.
PROMPT_MIN_HANDLED = 5
PROMPT_FAR_FACTOR = 1.5
PROMPT_MIN_GAP = 0.05
PROMPT_RISE_FACTOR = 2.0
PROMPT_RISE_GAP = 0.10
PROMPT_EXAMPLES = 3
NO_VALUE = "\u2013"  # an en dash: no figure

TRIGGER_LABELS: dict[str, str] = dict(TriggerKey.choices)
# The triggers an agent fires by their own decision (besides starting an escalation by hand).
AGENT_TRIGGERS = frozenset({TriggerKey.ESCALATE_TAG.value, TriggerKey.MANUAL.value})


def escalation_is_agent_initiated(*, trigger: str, by_hand: bool) -> bool:
    """The agent's own decision (by hand or the ``escalate`` tag), not a rule on the customer."""
    return by_hand or trigger in AGENT_TRIGGERS


AGENT_INITIATED = Q(initiated_by__isnull=False) | Q(trigger__in=AGENT_TRIGGERS)
"""``escalation_is_agent_initiated`` as a filter on ``Escalation``."""


# --- Months -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthWindow:
    month: date  # the first day of the month
    start: datetime  # aware, the month's first instant in the team's timezone
    end: datetime  # exclusive

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


def month_shift(*, month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def team_zone(*, team: Team) -> ZoneInfo:
    """The zone a team's report months are cut in: the team's, UTC without a valid one."""
    return zone_of_team(team) or ZoneInfo("UTC")


def month_window(*, month: date, zone: ZoneInfo) -> MonthWindow:
    first = month.replace(day=1)
    following = month_shift(month=first, months=1)
    return MonthWindow(
        month=first,
        start=datetime(first.year, first.month, 1, tzinfo=zone),
        end=datetime(following.year, following.month, 1, tzinfo=zone),
    )


def month_windows(*, last: date, count: int, zone: ZoneInfo) -> list[MonthWindow]:
    """``count`` consecutive months ending with ``last``, oldest first."""
    return [
        month_window(month=month_shift(month=last, months=-i), zone=zone)
        for i in reversed(range(count))
    ]


def month_current(*, team: Team | None, now: datetime | None = None) -> date:
    zone = team_zone(team=team) if team else ZoneInfo("UTC")
    return (now or timezone.now()).astimezone(zone).date().replace(day=1)


def month_default(*, team: Team | None, now: datetime | None = None) -> date:
    """The month a report opens on: the last complete month in the team's timezone (the running
    month is a few days old for much of the time, too thin to coach on)."""
    return month_shift(month=month_current(team=team, now=now), months=-1)


@dataclass(frozen=True)
class MonthChoice:
    """The month a page shows and the two it offers to switch to, for the period switcher."""

    month: date
    last_complete: date
    running: date

    @property
    def is_running(self) -> bool:
        return self.month == self.running

    @property
    def is_last_complete(self) -> bool:
        return self.month == self.last_complete


def month_choice(*, team: Team | None, month: date, now: datetime | None = None) -> MonthChoice:
    running = month_current(team=team, now=now)
    return MonthChoice(
        month=month, last_complete=month_shift(month=running, months=-1), running=running
    )


def month_parse(*, value: str | None, default: date) -> date:
    """``YYYY-MM`` → the month's first day; blank → ``default``; else a ValidationError on month."""
    if not value:
        return default
    try:
        parsed = datetime.strptime(value, "%Y-%m")  # noqa: DTZ007 (a calendar month, no instant)
    except ValueError:
        raise ValidationError({"month": ["Enter a month as YYYY-MM, e.g. 2026-03."]}) from None
    if not 2000 <= parsed.year <= 2100:
        raise ValidationError({"month": ["Enter a month between 2000-01 and 2100-12."]})
    return parsed.date()


# --- Who may see what ---------------------------------------------------------------------------
def report_teams_visible_to(*, agent: Agent) -> QuerySet[Team]:
    """Admins see every team's report, leads their own team's; other agents none."""
    if agent.is_superuser:
        return Team.objects.order_by("name")
    if agent.is_lead and agent.team_id:
        return Team.objects.filter(pk=agent.team_id)
    return Team.objects.none()


def report_agent_visible_to(*, viewer: Agent, agent_id: int) -> Agent | None:
    """The agent whose own page ``viewer`` may open: themselves, their team (leads), anyone (admins)."""
    agent = Agent.objects.select_related("team").filter(pk=agent_id).first()
    if agent is None:
        return None
    if viewer.is_superuser or viewer.pk == agent.pk:
        return agent
    if viewer.is_lead and viewer.team_id is not None and viewer.team_id == agent.team_id:
        return agent
    return None


def team_agents(*, team: Team) -> list[Agent]:
    """The team's agents by name (reports never order people by their figures)."""
    return list(Agent.objects.filter(team=team, is_active=True).order_by("name", "username", "id"))


# --- Aggregated rows ----------------------------------------------------------------------------
Cell = tuple[str, str, int | None]  # (priority, customer tier, queue id)


def _bucket(field_name: str, windows: list[MonthWindow]) -> Case:
    """The index of the month window a timestamp falls in (team-timezone month boundaries)."""
    return Case(
        *[
            When(**{f"{field_name}__gte": w.start, f"{field_name}__lt": w.end}, then=Value(i))
            for i, w in enumerate(windows)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )


def _attributed(escalations: QuerySet[Escalation], agent_ids: list[int]) -> QuerySet[Escalation]:
    """Escalations counted for an agent, annotated with ``agent`` (who is credited)."""
    return escalations.filter(
        Q(initiated_by_id__in=agent_ids)
        | Q(initiated_by__isnull=True, from_agent_id__in=agent_ids),
        parent__isnull=True,
    ).annotate(agent=Coalesce("initiated_by_id", "from_agent_id"))


def handled_pairs_sql(agent_ids: list[int], windows: list[MonthWindow]) -> tuple[str, list[Any]]:
    """SQL for the distinct (agent, ticket, month index) triples of "handled" (see module doc)."""
    start, end = windows[0].start, windows[-1].end
    events = TicketEvent.objects.filter(created_at__gte=start, created_at__lt=end).order_by()
    held = (
        events.filter(assignee_id__in=agent_ids)
        .annotate(
            h_agent=F("assignee_id"),
            h_ticket=F("ticket_id"),
            h_month=_bucket("created_at", windows),
        )
        .values("h_agent", "h_ticket", "h_month")
        .order_by()
    )
    handed_away = (
        events.filter(assignment_events())
        .annotate(previous=Cast(KeyTextTransform("from", "data"), BigIntegerField()))
        .filter(previous__in=agent_ids)
        .annotate(
            h_agent=F("previous"), h_ticket=F("ticket_id"), h_month=_bucket("created_at", windows)
        )
        .values("h_agent", "h_ticket", "h_month")
        .order_by()
    )
    escalated = (
        _attributed(Escalation.objects.filter(created_at__gte=start, created_at__lt=end), agent_ids)
        .annotate(
            h_agent=F("agent"), h_ticket=F("ticket_id"), h_month=_bucket("created_at", windows)
        )
        .values("h_agent", "h_ticket", "h_month")
        .order_by()
    )
    union = held.union(handed_away, escalated)
    sql, params = union.query.sql_with_params()
    return sql, list(params)


HandledRow = tuple[int, int, str, str, int | None, int]
"""(agent, month index, priority, tier, queue id, tickets handled)"""
EscalationRow = tuple[int, int, str, bool, str, str, int | None, int]
"""(agent, month index, trigger, by hand, priority, tier, queue id, escalations)"""


def _handled_by_cell(agent_ids: list[int], windows: list[MonthWindow]) -> list[HandledRow]:
    """Tickets handled per agent, month and cell: one query over events and escalations."""
    if not agent_ids:
        return []
    union_sql, params = handled_pairs_sql(agent_ids, windows)
    ticket_table = Ticket._meta.db_table
    customer_table = Customer._meta.db_table
    sql = (
        "SELECT h.h_agent, h.h_month, t.priority, c.tier, t.queue_id, COUNT(*) "  # noqa: S608
        f"FROM ({union_sql}) h "
        f"JOIN {ticket_table} t ON t.id = h.h_ticket "
        f"JOIN {customer_table} c ON c.id = t.customer_id "
        "GROUP BY h.h_agent, h.h_month, t.priority, c.tier, t.queue_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _escalations_by_cell(agent_ids: list[int], windows: list[MonthWindow]) -> list[EscalationRow]:
    """Escalations per agent, month, trigger, manual or not, and cell: one query."""
    if not agent_ids:
        return []
    qs = _attributed(
        Escalation.objects.filter(created_at__gte=windows[0].start, created_at__lt=windows[-1].end),
        agent_ids,
    )
    return list(
        qs.annotate(
            m=_bucket("created_at", windows),
            by_hand=ExpressionWrapper(Q(initiated_by__isnull=False), output_field=BooleanField()),
        )
        .values_list(
            "agent",
            "m",
            "trigger",
            "by_hand",
            "ticket__priority",
            "ticket__customer__tier",
            "ticket__queue_id",
        )
        .annotate(n=Count("id"))
        .order_by()
    )


def team_month_escalation_cells(*, window: MonthWindow, agents: list[Agent]) -> list[EscalationRow]:
    """The escalation rows of one month computed from the log (what the rollup stores)."""
    return _escalations_by_cell([a.pk for a in agents], [window])


def _cells_from_rollup(
    team: Team, windows: list[MonthWindow], *, mix: bool = True
) -> tuple[list[HandledRow], list[EscalationRow]]:
    """The same rows read back from ``AgentMonthCell``: one query on an indexed small table.
    Without ``mix``, summed per agent, month and trigger in SQL (one cell per agent: enough for
    rates and medians, not for the mix adjustment)."""
    index = {w.month: i for i, w in enumerate(windows)}
    handled: list[HandledRow] = []
    escalated: list[EscalationRow] = []
    rows = AgentMonthCell.objects.filter(team=team, month__in=list(index))
    cells: Any = (
        rows.values_list(
            "kind",
            "agent_id",
            "month",
            "trigger",
            "by_hand",
            "priority",
            "tier",
            "queue_id",
            "count",
        )
        if mix
        else (
            (kind, agent_id, month, trigger, by_hand, "", "", None, n)
            for kind, agent_id, month, trigger, by_hand, n in rows.values_list(
                "kind", "agent_id", "month", "trigger", "by_hand"
            )
            .annotate(n=Sum("count"))
            .order_by()
        )
    )
    for kind, agent_id, month, trigger, by_hand, priority, tier, queue_id, n in cells:
        if kind == CellKind.HANDLED:
            handled.append((agent_id, index[month], priority, tier, queue_id, n))
        else:
            escalated.append(
                (agent_id, index[month], trigger, by_hand, priority, tier, queue_id, n)
            )
    return handled, escalated


# --- Rates per agent and month ------------------------------------------------------------------
@dataclass
class AgentMonth:
    """One agent's figures for one month."""

    agent: Agent
    window: MonthWindow
    tickets_handled: int = 0
    escalations: int = 0  # every escalation credited: manual + automatic
    manual: int = 0  # agent-initiated: by hand or the escalate tag
    automatic: int = 0  # rule-fired on the customer's behaviour
    by_trigger: dict[str, int] = field(default_factory=dict)
    expected: float | None = None
    adjusted_rate: float | None = None
    cells: dict[Cell, int] = field(default_factory=dict)
    cell_escalations: dict[Cell, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """The coaching rate: agent-initiated escalations per ticket handled."""
        return self.manual / self.tickets_handled if self.tickets_handled else None

    @property
    def automatic_rate(self) -> float | None:
        """Shown beside the coaching rate, never in it."""
        return self.automatic / self.tickets_handled if self.tickets_handled else None

    @property
    def by_trigger_labelled(self) -> list[tuple[str, str, int]]:
        return [
            (key, TRIGGER_LABELS.get(key, key), n) for key, n in sorted(self.by_trigger.items())
        ]


@dataclass
class TeamMonth:
    window: MonthWindow
    rows: list[AgentMonth]
    team_rate: float | None
    team_median: float | None
    team_median_adjusted: float | None
    team_automatic_rate: float | None = None


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def _adjust(rows: list[AgentMonth]) -> float | None:
    """Fill ``expected`` and ``adjusted_rate`` by indirect standardisation; return the team rate."""
    handled: dict[Cell, int] = defaultdict(int)
    escalated: dict[Cell, int] = defaultdict(int)
    for row in rows:
        for cell, n in row.cells.items():
            handled[cell] += n
        for cell, n in row.cell_escalations.items():
            escalated[cell] += n
    total_handled = sum(handled.values())
    if not total_handled:
        return None
    team_rate = sum(escalated.values()) / total_handled
    cell_rate = {cell: escalated[cell] / n for cell, n in handled.items()}
    for row in rows:
        if not row.tickets_handled:
            continue
        row.expected = sum(n * cell_rate[cell] for cell, n in row.cells.items())
        if row.expected:
            row.adjusted_rate = row.manual / row.expected * team_rate
        else:
            # Nobody in the team escalated tickets like these: no escalation is as expected.
            row.adjusted_rate = 0.0 if row.manual == 0 else None
    return team_rate


def team_months(
    *,
    team: Team,
    last: date,
    months: int,
    agents: list[Agent],
    rollup: bool = False,
    mix: bool = True,
) -> list[TeamMonth]:
    """The team's per-agent figures for ``months`` months ending with ``last`` (oldest first).

    Live: two SQL queries over the event log. ``rollup=True``: one query over ``AgentMonthCell``
    (the pages use it after ``reports.services.agent_month_cells_ensure``); with ``mix=False``
    the rollup is summed per agent in SQL and the mix-adjusted figures are left empty (the
    overview's 12-month team trend). Agents by name.
    """
    windows = month_windows(last=last, count=months, zone=team_zone(team=team))
    if rollup:
        handled_rows, escalation_rows = _cells_from_rollup(team, windows, mix=mix)
    else:
        agent_ids = [a.pk for a in agents]
        handled_rows = _handled_by_cell(agent_ids, windows)
        escalation_rows = _escalations_by_cell(agent_ids, windows)
    grid = {(a.pk, i): AgentMonth(agent=a, window=w) for a in agents for i, w in enumerate(windows)}
    for agent_id, m, priority, tier, queue_id, n in handled_rows:
        row = grid.get((agent_id, m))
        if row is not None:
            row.tickets_handled += n
            row.cells[(priority, tier, queue_id)] = row.cells.get((priority, tier, queue_id), 0) + n
    for agent_id, m, trigger, by_hand, priority, tier, queue_id, n in escalation_rows:
        row = grid.get((agent_id, m))
        if row is None:
            continue
        cell = (priority, tier, queue_id)
        row.escalations += n
        row.by_trigger[trigger] = row.by_trigger.get(trigger, 0) + n
        if escalation_is_agent_initiated(trigger=trigger, by_hand=by_hand):
            row.manual += n
            row.cell_escalations[cell] = row.cell_escalations.get(cell, 0) + n
        else:
            row.automatic += n
    result = []
    for i, window in enumerate(windows):
        rows = [grid[(a.pk, i)] for a in agents]
        handled = sum(r.tickets_handled for r in rows)
        if mix:
            team_rate = _adjust(rows)
        else:
            team_rate = sum(r.manual for r in rows) / handled if handled else None
        result.append(
            TeamMonth(
                window=window,
                rows=rows,
                team_rate=team_rate,
                team_median=_median([r.rate for r in rows]),
                team_median_adjusted=_median([r.adjusted_rate for r in rows]),
                team_automatic_rate=sum(r.automatic for r in rows) / handled if handled else None,
            )
        )
    return result


# --- Handoff quality (per agent or per rule) ----------------------------------------------------
@dataclass
class HandoffStats:
    key: int | None
    label: str
    escalations: int
    # Handoffs that name what was tried, the diagnosis and the authority needed; None where no
    # handoff is written (a rule's escalations: the rule fired, nobody wrote one).
    complete: int | None
    acknowledged: int
    acknowledged_quickly: int
    avg_ack: timedelta | None
    avg_first_action: timedelta | None
    bounced: int
    solved_by_holder: int
    avoidable: int

    @staticmethod
    def _share(n: int, total: int) -> float | None:
        return n / total if total else None

    @property
    def complete_rate(self) -> float | None:
        return None if self.complete is None else self._share(self.complete, self.escalations)

    @property
    def quick_ack_rate(self) -> float | None:
        return self._share(self.acknowledged_quickly, self.escalations)

    @property
    def bounced_rate(self) -> float | None:
        return self._share(self.bounced, self.escalations)

    @property
    def avoidable_rate(self) -> float | None:
        return self._share(self.avoidable, self.escalations)


def _as_timedelta(value: Any) -> timedelta | None:
    """Average durations come back as timedelta (PostgreSQL) or microseconds (SQLite)."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(microseconds=float(value))


def _quality(qs: QuerySet[Escalation], group: str) -> list[dict[str, Any]]:
    later = TicketEvent.objects.filter(
        ticket_id=OuterRef("ticket_id"),
        created_at__gt=OuterRef("created_at"),
    )
    in_window = later.filter(created_at__lte=OuterRef("created_at") + Value(AVOIDABLE_WINDOW))
    bounced = Exists(
        in_window.filter(assignment_events())
        .annotate(to_id=Cast(KeyTextTransform("to", "data"), BigIntegerField()))
        .filter(to_id=OuterRef("from_agent_id"))
    )
    solved_by_holder = Exists(
        in_window.filter(
            kind=EventKind.STATUS_CHANGED,
            actor_id=OuterRef("from_agent_id"),
            data__to__in=DONE_STATUSES,
        )
    )
    first_action = Subquery(
        later.filter(
            actor_id=OuterRef("to_agent_id"),
            kind__in=[EventKind.MESSAGE_ADDED, EventKind.NOTE_ADDED],
        )
        .order_by("created_at")
        .values("created_at")[:1]
    )
    duration: DurationField[timedelta, timedelta] = DurationField()
    annotated = qs.annotate(
        was_bounced=bounced,
        was_solved_by_holder=solved_by_holder,
        first_action_at=first_action,
        t_tried=Trim("handoff_tried"),
        t_diagnosis=Trim("handoff_diagnosis"),
        t_authority=Trim("handoff_authority_needed"),
    )
    return list(
        annotated.values(group)
        .annotate(
            n=Count("id"),
            complete=Count("id", filter=~Q(t_tried="") & ~Q(t_diagnosis="") & ~Q(t_authority="")),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            acknowledged_quickly=Count(
                "id", filter=Q(acknowledged_at__lte=F("created_at") + Value(QUICK_ACK))
            ),
            avg_ack=Avg(
                ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=duration)
            ),
            avg_first_action=Avg(
                ExpressionWrapper(F("first_action_at") - F("created_at"), output_field=duration)
            ),
            bounced=Count("id", filter=Q(was_bounced=True)),
            solved_by_holder=Count("id", filter=Q(was_solved_by_holder=True)),
            avoidable=Count("id", filter=Q(was_bounced=True) | Q(was_solved_by_holder=True)),
        )
        .order_by()
    )


def _stats(
    row: dict[str, Any], key: int | None, label: str, *, handoffs: bool = True
) -> HandoffStats:
    return HandoffStats(
        key=key,
        label=label,
        escalations=row["n"],
        complete=row["complete"] if handoffs else None,
        acknowledged=row["acknowledged"],
        acknowledged_quickly=row["acknowledged_quickly"],
        avg_ack=_as_timedelta(row["avg_ack"]),
        avg_first_action=_as_timedelta(row["avg_first_action"]),
        bounced=row["bounced"],
        solved_by_holder=row["solved_by_holder"],
        avoidable=row["avoidable"],
    )


def _empty_stats(key: int | None, label: str, *, handoffs: bool = True) -> HandoffStats:
    return HandoffStats(key, label, 0, 0 if handoffs else None, 0, 0, None, None, 0, 0, 0)


def handoff_by_agent(*, agents: list[Agent], window: MonthWindow) -> list[HandoffStats]:
    """Handoff quality of the agent-initiated escalations of each agent in the month (by name):
    the handoffs they wrote themselves; rule-fired escalations carry no handoff of theirs."""
    qs = _attributed(
        Escalation.objects.filter(
            AGENT_INITIATED, created_at__gte=window.start, created_at__lt=window.end
        ),
        [a.pk for a in agents],
    )
    found = {row["agent"]: row for row in _quality(qs, "agent")} if agents else {}
    return [
        _stats(found[a.pk], a.pk, str(a)) if a.pk in found else _empty_stats(a.pk, str(a))
        for a in agents
    ]


def team_rule_escalations(*, team: Team, window: MonthWindow) -> QuerySet[Escalation]:
    """Rule-fired escalations of the month that belong to the team (its rules, or global rules
    firing on its queues)."""
    return Escalation.objects.filter(
        Q(rule__team=team) | Q(rule__team__isnull=True, from_queue__team=team),
        rule__isnull=False,
        created_at__gte=window.start,
        created_at__lt=window.end,
    )


def rule_health(*, team: Team, window: MonthWindow) -> list[HandoffStats]:
    """Per rule of the team (and global rules that fired on its queues): fired, acknowledged
    quickly, bounced. Rules that never fired are listed with zeros. A rule writes no handoff (an
    agent's escalation does, the escalate tag's included), so there is no handoff quality here."""
    rows = _quality(team_rule_escalations(team=team, window=window), "rule_id")
    found = {row["rule_id"]: row for row in rows}
    rules = list(
        Rule.objects.filter(Q(team=team) | Q(pk__in=list(found)), kind=RuleKind.ESCALATION)
        .order_by("name", "id")
        .values_list("id", "name")
    )
    return [
        _stats(found[pk], pk, name, handoffs=False)
        if pk in found
        else _empty_stats(pk, name, handoffs=False)
        for pk, name in rules
    ]


def messages_unscored_by_language(*, team: Team, window: MonthWindow) -> dict[str, int]:
    """Customer messages of the month on the team's tickets that were not scored for sentiment
    (no scorer for their language), counted per language code, in code order."""
    rows = (
        Message.objects.filter(
            ticket__queue__team=team,
            author_type=AuthorType.CUSTOMER,
            sentiment=Sentiment.UNSCORED,
            created_at__gte=window.start,
            created_at__lt=window.end,
        )
        .values("sentiment_language")
        .annotate(count=Count("id"))
        .order_by("sentiment_language")
    )
    return {row["sentiment_language"]: row["count"] for row in rows}


def refunds_not_compared(*, team: Team, window: MonthWindow) -> int:
    """Refund requests of the month on the team's tickets that some enabled refund-threshold
    rule of the team (or a global one) could not compare: the rule is in another currency and
    no exchange rate of the team (or a shared one) between the two was in force on the
    refund's date. Three queries whatever the month holds."""
    rule_currencies = {
        str(params.get("currency"))
        for params in Rule.objects.filter(
            Q(team=team) | Q(team__isnull=True),
            kind=RuleKind.ESCALATION,
            enabled=True,
            trigger_kind="refund_threshold",
        ).values_list("trigger_params", flat=True)
        if isinstance(params, dict) and params.get("currency")
    }
    if not rule_currencies:
        return 0
    groups = (
        RefundRequest.objects.filter(
            ticket__queue__team=team, created_at__gte=window.start, created_at__lt=window.end
        )
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("currency", "day")
        .annotate(count=Count("id"))
        .order_by()
    )
    rows = [row for row in groups if rule_currencies - {row["currency"]}]
    if not rows:
        return 0
    rates = exchange_rate_facts(team_ids=[team.pk])
    return sum(
        row["count"]
        for row in rows
        if any(
            rate_pick(rates=rates, from_currency=row["currency"], to_currency=c, on=row["day"])
            is None
            for c in rule_currencies - {row["currency"]}
        )
    )


# --- Coaching prompts ---------------------------------------------------------------------------
@dataclass
class CoachingPrompt:
    agent: Agent
    kind: str  # "above", "below" or "rise"
    text: str
    evidence: list[str]
    example_ticket_ids: list[int] = field(default_factory=list)


def _pct(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value * 100:.0f}%"


def _prompt_for(
    agent_months: list[AgentMonth], medians: list[float | None]
) -> CoachingPrompt | None:
    """The prompt for one agent from their months (oldest first; the last is the report month)."""
    agent = agent_months[-1].agent
    recent = list(zip(agent_months[-PROMPT_MONTHS:], medians[-PROMPT_MONTHS:], strict=True))
    usable = [
        (row.adjusted_rate, median)
        for row, median in recent
        if row.tickets_handled >= PROMPT_MIN_HANDLED
        and row.adjusted_rate is not None
        and median is not None
    ]
    evidence = [
        f"{row.window.label}: {_pct(row.adjusted_rate)} adjusted ({row.manual} of "
        f"{row.tickets_handled} tickets escalated by choice, {_pct(row.rate)} unadjusted; "
        f"{row.automatic} automatic, not counted); team median {_pct(median)}"
        for row, median in recent
    ]
    if len(usable) == PROMPT_MONTHS:
        if all(r >= m * PROMPT_FAR_FACTOR and r - m >= PROMPT_MIN_GAP for r, m in usable):
            return CoachingPrompt(
                agent,
                "above",
                f"{agent} has chosen to escalate more than the team's usual for the same kind of "
                "tickets three months running (automatic escalations are not counted). A chance "
                "to ask which tickets feel out of reach and what knowledge or authority would "
                "let them keep more of them.",
                evidence,
            )
        if all(m - r >= PROMPT_MIN_GAP and r <= m / PROMPT_FAR_FACTOR for r, m in usable):
            return CoachingPrompt(
                agent,
                "below",
                f"{agent} has chosen to escalate less than the team's usual for the same kind of "
                "tickets three months running (automatic escalations are not counted). Worth "
                "checking together that no ticket waits on authority they lack, and whether "
                "their approach is one the team could learn from.",
                evidence,
            )
    current = agent_months[-1]
    earlier = [
        row.adjusted_rate
        for row in agent_months[-1 - PROMPT_MONTHS : -1]
        if row.tickets_handled >= PROMPT_MIN_HANDLED and row.adjusted_rate is not None
    ]
    if (
        earlier
        and current.tickets_handled >= PROMPT_MIN_HANDLED
        and current.adjusted_rate is not None
    ):
        baseline = sum(earlier) / len(earlier)
        if (
            current.adjusted_rate >= baseline * PROMPT_RISE_FACTOR
            and current.adjusted_rate - baseline >= PROMPT_RISE_GAP
        ):
            return CoachingPrompt(
                agent,
                "rise",
                f"The escalations {agent} started rose sharply this month "
                f"({_pct(current.adjusted_rate)} adjusted, against {_pct(baseline)} over the previous months). Has something "
                "changed for them: a new queue, a new product area, a hard customer?",
                evidence,
            )
    return None


def coaching_prompts(
    *, months: list[TeamMonth], agent_ids: set[int] | None = None
) -> list[CoachingPrompt]:
    """Prompts for the last month of ``months`` (which needs the three months before it), agents
    by name (all, or those in ``agent_ids``), each with up to three example tickets escalated
    that month."""
    medians = [m.team_median_adjusted for m in months]
    prompts = []
    for index, row in enumerate(months[-1].rows):
        if agent_ids is not None and row.agent.pk not in agent_ids:
            continue
        prompt = _prompt_for([m.rows[index] for m in months], medians)
        if prompt is not None:
            prompts.append(prompt)
    if prompts:
        window = months[-1].window
        examples = (
            _attributed(
                Escalation.objects.filter(
                    AGENT_INITIATED, created_at__gte=window.start, created_at__lt=window.end
                ),
                [p.agent.pk for p in prompts],
            )
            .annotate(
                position=Window(
                    RowNumber(),
                    partition_by=[F("agent")],
                    order_by=[F("created_at").desc(), F("id").desc()],
                )
            )
            # A ticket escalated twice is one example: read a few more rows than are shown
            .filter(position__lte=PROMPT_EXAMPLES * 3)
            .values_list("agent", "ticket_id")
            .order_by("agent", "position")
        )
        by_agent: dict[int, list[int]] = defaultdict(list)
        for agent_id, ticket_id in examples:
            shown = by_agent[agent_id]
            if ticket_id not in shown and len(shown) < PROMPT_EXAMPLES:
                shown.append(ticket_id)
        for prompt in prompts:
            prompt.example_ticket_ids = by_agent.get(prompt.agent.pk, [])
    return prompts


# --- Page-level reports -------------------------------------------------------------------------
@contextmanager
def report_snapshot() -> Iterator[datetime]:
    """One read transaction for a whole page, so that every figure on it comes from the same
    moment; yields that moment (the page's "as of"). On PostgreSQL the transaction is
    REPEATABLE READ (one snapshot for all its queries); SQLite reads one snapshot per
    transaction anyway. Nested in an outer transaction (tests), it reads in that one."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield timezone.now()


@dataclass
class TeamReport:
    team: Team
    month: TeamMonth
    handoff: list[HandoffStats]
    prompts: list[CoachingPrompt]
    trend: list[TeamMonth] = field(default_factory=list)  # oldest first, ends with ``month``
    as_of: datetime | None = None

    @property
    def rows_with_handoff(self) -> list[tuple[AgentMonth, HandoffStats]]:
        return list(zip(self.month.rows, self.handoff, strict=True))


def team_report_months(*, with_prompts: bool) -> int:
    """How many months (ending with the report month) a team report reads: the page shows the
    12-month trend (the prompts need 4 of them); the API reads the month alone."""
    return TREND_MONTHS if with_prompts else 1


def team_trend(
    *, team: Team, last: date, agents: list[Agent], rollup: bool = False
) -> list[TeamMonth]:
    """The team's last 12 months, summed per agent (in SQL on the rollup): team rate, median,
    automatic rate, without the mix adjustment."""
    return team_months(
        team=team, last=last, months=TREND_MONTHS, agents=agents, rollup=rollup, mix=False
    )


def team_report(
    *, team: Team, month: date, with_prompts: bool = True, rollup: bool = False
) -> TeamReport:
    """The month overview of a team: rates, adjusted rates, handoff quality, coaching prompts."""
    agents = team_agents(team=team)
    months = team_months(
        team=team,
        last=month,
        months=PROMPT_MONTHS + 1 if with_prompts else 1,
        agents=agents,
        rollup=rollup,
    )
    current = months[-1]
    return TeamReport(
        team=team,
        month=current,
        handoff=handoff_by_agent(agents=agents, window=current.window),
        prompts=coaching_prompts(months=months) if with_prompts else [],
        trend=(
            team_trend(team=team, last=month, agents=agents, rollup=rollup)
            if with_prompts
            else [current]
        ),
    )


@dataclass
class AgentReport:
    agent: Agent
    team: Team
    trend: list[TeamMonth]
    row_index: int
    handoff: HandoffStats
    prompts: list[CoachingPrompt]
    as_of: datetime | None = None

    @property
    def months(self) -> list[tuple[AgentMonth, TeamMonth]]:
        return [(m.rows[self.row_index], m) for m in self.trend]

    @property
    def current(self) -> AgentMonth:
        return self.trend[-1].rows[self.row_index]

    @property
    def current_month(self) -> TeamMonth:
        return self.trend[-1]


def agent_report(*, agent: Agent, month: date, rollup: bool = False) -> AgentReport | None:
    """An agent's own page: their 12-month trend against the team median, handoff quality and
    prompts about themselves. None for an agent without a team."""
    team = agent.team
    if team is None:
        return None
    agents = team_agents(team=team)
    if agent.pk not in {a.pk for a in agents}:
        agents = sorted([*agents, agent], key=lambda a: (a.name, a.username, a.pk))
    index = next(i for i, a in enumerate(agents) if a.pk == agent.pk)
    trend = team_months(team=team, last=month, months=TREND_MONTHS, agents=agents, rollup=rollup)
    return AgentReport(
        agent=agent,
        team=team,
        trend=trend,
        row_index=index,
        handoff=handoff_by_agent(agents=[agent], window=trend[-1].window)[0],
        prompts=coaching_prompts(months=trend, agent_ids={agent.pk}),
    )
