"""Bulk generation of a realistic helpdesk history, for benchmarks of the coaching report.

Teams, agents, queues, customers and rules go in through ``bulk_create``; tickets, their events
and escalations are streamed with PostgreSQL ``COPY`` (psycopg's ``cursor.copy``), or with
``executemany`` in large batches on SQLite. Ids are assigned here (after the current maximum) so
rows can reference each other without a round trip; sequences are reset at the end.

The history: each ticket is opened by a customer in a random instant of the last ``months``
months, assigned to an agent of the queue's team, answered and solved (five events per ticket,
one in ten handed to a teammate on the way); a share of tickets is escalated by hand or by a rule,
with each agent's own propensity and more on the enterprise queue, so the report has something to
show.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from escalations.models import Escalation, Rule, RuleKind, TriggerKey
from tickets.models import Agent, Customer, Queue, Role, Team, Ticket, TicketEvent

Progress = Callable[[str, int, int], None]

PRIORITIES = (("low", 15), ("normal", 55), ("high", 22), ("urgent", 8))
TIERS = (("free", 30), ("standard", 45), ("premium", 17), ("enterprise", 8))
RULE_TRIGGERS = (
    TriggerKey.SENTIMENT_NEGATIVE,
    TriggerKey.FRT_AMBER,
    TriggerKey.SLA_BREACH,
    TriggerKey.TIER_UPGRADE,
)
EVENTS_PER_TICKET = 5
BATCH = 50_000


@dataclass(frozen=True)
class VolumeResult:
    teams: int
    agents: int
    customers: int
    tickets: int
    events: int
    escalations: int
    seconds: float


def _weighted(choices: Sequence[tuple[str, int]], rng: random.Random, n: int) -> list[str]:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights=weights, k=n)


def _next_id(model: Any) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _copy_rows(table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Stream rows into ``table``: COPY on PostgreSQL, batched executemany elsewhere."""
    count = 0
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 (our own names)
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _reset_sequences(models: Iterable[Any]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def _counted(
    rows: Iterator[tuple[Any, ...]], label: str, total: int, progress: Progress
) -> Iterator[tuple[Any, ...]]:
    step = max(total // 50, 1)
    for i, row in enumerate(rows, 1):
        if i % step == 0 or i == total:
            progress(label, i, total)
        yield row


def volume_generate(
    *,
    tickets: int = 1_000_000,
    agents: int = 300,
    teams: int = 6,
    customers: int = 20_000,
    months: int = 12,
    seed: int = 7,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> VolumeResult:
    """Generate ``tickets`` tickets with five events each, plus their escalations."""
    started = timezone.now()
    now = now or started
    rng = random.Random(seed)
    report: Progress = progress or (lambda label, done, total: None)
    span_start = now - timedelta(days=round(months * 30.44))
    span_seconds = (now - span_start).total_seconds()
    tag = f"vol{seed}-{int(started.timestamp())}"

    with transaction.atomic():
        team_objs = Team.objects.bulk_create(
            [Team(name=f"Volume {tag} team {i + 1}", timezone="Europe/Paris") for i in range(teams)]
        )
        agent_objs = Agent.objects.bulk_create(
            [
                Agent(
                    username=f"{tag}-agent{i}",
                    name=f"Agent {i:03d}",
                    team=team_objs[i % teams],
                    role=Role.LEAD if i < teams else (Role.SENIOR if i % 5 == 0 else Role.JUNIOR),
                    password="!",  # noqa: S106 (an unusable password)
                )
                for i in range(agents)
            ]
        )
        for team, lead in zip(team_objs, agent_objs[:teams], strict=True):
            team.lead = lead
        Team.objects.bulk_update(team_objs, ["lead"])
        queue_objs = Queue.objects.bulk_create(
            [
                Queue(name=name, team=team, specialist=name == "Enterprise")
                for team in team_objs
                for name in ("General", "Billing", "Enterprise")
            ]
        )
        tiers = _weighted(TIERS, rng, customers)
        customer_objs = Customer.objects.bulk_create(
            [
                Customer(external_id=f"{tag}-c{i}", name=f"Customer {i}", tier=tiers[i])
                for i in range(customers)
            ],
            batch_size=5000,
        )
        rule_objs = Rule.objects.bulk_create(
            [
                Rule(
                    name=f"{trigger.label}",
                    kind=RuleKind.ESCALATION,
                    team=team,
                    trigger_kind=trigger.value,
                    ack_limit_minutes=30,
                )
                for team in team_objs
                for trigger in RULE_TRIGGERS
            ]
        )
        report("setup", 1, 1)

        members: dict[int, list[int]] = {t.pk: [] for t in team_objs}
        for agent in agent_objs[teams:]:
            assert agent.team_id is not None
            members[agent.team_id].append(agent.pk)
        lead_of = {t.pk: t.lead_id for t in team_objs}
        rules_of = {t.pk: [r for r in rule_objs if r.team_id == t.pk] for t in team_objs}
        propensity = {a.pk: rng.uniform(0.02, 0.14) for a in agent_objs}
        queues = [(q.pk, q.team_id, q.name == "Enterprise") for q in queue_objs]
        customer_ids = [c.pk for c in customer_objs]
        tier_of = dict(zip(customer_ids, tiers, strict=True))
        priorities = _weighted(PRIORITIES, rng, tickets)

        ticket_id0 = _next_id(Ticket)
        event_id0 = _next_id(TicketEvent)
        escalation_id0 = _next_id(Escalation)
        plan: list[tuple[Any, ...]] = []
        solver: dict[int, int | None] = {}
        escalation_rows: list[tuple[Any, ...]] = []
        for i in range(tickets):
            queue_id, team_id, enterprise = queues[rng.randrange(len(queues))]
            customer_id = customer_ids[rng.randrange(len(customer_ids))]
            holder = rng.choice(members[team_id])
            second = rng.choice(members[team_id]) if rng.random() < 0.1 else None
            created = span_start + timedelta(seconds=rng.random() * span_seconds)
            plan.append((queue_id, team_id, customer_id, holder, second, created))
            solver[i] = None
            chance = propensity[holder] * (2.5 if enterprise else 1.0)
            if tier_of[customer_id] == "enterprise":
                chance *= 1.5
            if rng.random() < chance:
                ticket_id = ticket_id0 + i
                at = created + timedelta(minutes=rng.randint(20, 600))
                manual = rng.random() < 0.5
                rule = None if manual else rules_of[team_id][rng.randrange(len(RULE_TRIGGERS))]
                complete = rng.random() < 0.7
                acknowledged = (
                    at + timedelta(minutes=rng.randint(1, 90)) if rng.random() < 0.85 else None
                )
                # the receiver (the team lead) usually solves an escalated ticket
                solver[i] = lead_of[team_id]
                escalation_rows.append(
                    (
                        escalation_id0 + len(escalation_rows),
                        ticket_id,
                        TriggerKey.MANUAL.value if manual else rule.trigger_kind,  # type: ignore[union-attr]
                        rule.pk if rule else None,
                        rule.name if rule else "",
                        f"volume:{ticket_id}",
                        holder if manual else None,
                        holder,
                        lead_of[team_id],
                        queue_id,
                        1,
                        "{}",
                        "Checked the account and the logs" if complete else "",
                        "Looks like a billing sync problem",
                        "Refund above my limit" if complete else "",
                        "{}",
                        "[]",
                        "{}",
                        acknowledged,
                        lead_of[team_id] if acknowledged else None,
                        at,
                    )
                )

        def ticket_rows() -> Iterator[tuple[Any, ...]]:
            for i, (queue_id, _team, customer_id, holder, second, created) in enumerate(plan):
                solved = created + timedelta(hours=rng.randint(1, 96))
                yield (
                    ticket_id0 + i,
                    f"Volume ticket {i}",
                    customer_id,
                    "solved",
                    priorities[i],
                    queue_id,
                    second or holder,
                    "neutral",
                    0,
                    created,
                    solved,
                    created + timedelta(minutes=30),
                    solved,
                    1,
                )

        def event_rows() -> Iterator[tuple[Any, ...]]:
            event_id = event_id0
            for i, (queue_id, _team, _customer, holder, second, created) in enumerate(plan):
                ticket_id = ticket_id0 + i
                rows = [
                    ("ticket_created", None, None, json.dumps({"queue": queue_id}), created),
                    (
                        "assigned",
                        None,
                        holder,
                        json.dumps({"from": None, "to": holder, "reason": "routing"}),
                        created + timedelta(minutes=5),
                    ),
                    (
                        "message_added",
                        holder,
                        holder,
                        '{"author_type": "agent", "first_response": true}',
                        created + timedelta(minutes=30),
                    ),
                ]
                last = holder
                if second:
                    rows.append(
                        (
                            "assigned",
                            holder,
                            second,
                            json.dumps({"from": holder, "to": second, "reason": "manual"}),
                            created + timedelta(hours=rng.randint(1, 48)),
                        )
                    )
                    last = second
                else:
                    rows.append(
                        (
                            "message_added",
                            None,
                            holder,
                            '{"author_type": "customer"}',
                            created + timedelta(hours=rng.randint(1, 48)),
                        )
                    )
                rows.append(
                    (
                        "status_changed",
                        solver[i] or last,
                        last,
                        '{"from": "open", "to": "solved"}',
                        created + timedelta(hours=rng.randint(49, 96)),
                    )
                )
                for kind, actor, assignee, data, at in rows:
                    yield (event_id, ticket_id, kind, actor, assignee, data, at)
                    event_id += 1

        n_tickets = _copy_rows(
            Ticket._meta.db_table,
            [
                "id",
                "subject",
                "customer_id",
                "status",
                "priority",
                "queue_id",
                "assignee_id",
                "customer_sentiment",
                "escalation_count",
                "created_at",
                "updated_at",
                "first_response_at",
                "solved_at",
                "version",
            ],
            _counted(ticket_rows(), "tickets", tickets, report),
        )
        n_events = _copy_rows(
            TicketEvent._meta.db_table,
            ["id", "ticket_id", "kind", "actor_id", "assignee_id", "data", "created_at"],
            _counted(event_rows(), "events", tickets * EVENTS_PER_TICKET, report),
        )
        n_escalations = _copy_rows(
            Escalation._meta.db_table,
            [
                "id",
                "ticket_id",
                "trigger",
                "rule_id",
                "rule_name",
                "occurrence",
                "initiated_by_id",
                "from_agent_id",
                "to_agent_id",
                "from_queue_id",
                "chain_position",
                "evidence",
                "handoff_tried",
                "handoff_diagnosis",
                "handoff_authority_needed",
                "sla_snapshot",
                "route_notes",
                "summary",
                "acknowledged_at",
                "acknowledged_by_id",
                "created_at",
            ],
            _counted(iter(escalation_rows), "escalations", len(escalation_rows), report),
        )
        _reset_sequences([Ticket, TicketEvent, Escalation])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Ticket, TicketEvent, Escalation, Customer):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return VolumeResult(
        teams=teams,
        agents=agents,
        customers=customers,
        tickets=n_tickets,
        events=n_events,
        escalations=n_escalations,
        seconds=(timezone.now() - started).total_seconds(),
    )
