"""Escalations a second on the task side alone: a backlog of escalating events drained by workers.

Issue #18's goal reads "escalations ≥ 150/s on 2 workers". The end-to-end bench
(``e2e_latency.py``) measures the whole stack at once (web servers, their sockets, the workers,
PostgreSQL and Redis on the same cores), so its sustained rate is the stack's, not the
workers'. Here the web side is out of the picture:

1. a production-shaped stack (scratch PostgreSQL database, private Redis as broker and channel
   layer, production settings) with the bench team, its "Angry customer" rule and ``--tickets``
   tickets held by a senior agent, their clocks running;
2. with no task cluster running, one angry customer message is added to each ticket through the
   services, so the broker holds ``--tickets`` queued events, each of which escalates its
   ticket to the team lead;
3. one ``qcluster`` with ``--workers`` worker processes is started and drains the backlog.

Printed: the rate between the first and the last escalation (their commit times as recorded),
the wall time from the cluster's start, and CPU per escalation of the cluster's processes (its
start-up, measured on an idle start beforehand, taken off) and of the PostgreSQL backends.
Every event must have escalated its ticket exactly once, or the run fails.

    .venv/bin/python bench/escalation_drain.py --tickets 2000 --workers 2 [--rounds 3]

Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and ``redis-server`` on the PATH.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack, cpu_seconds, django_setup, running_stack
from bench.write_path_cost import ANGRY, _fresh_tickets, _seed
from bench.write_side_by_side import PostgresBackends, db_cpu_used


@dataclass
class Drain:
    escalations: int
    first_to_last_s: float
    wall_s: float
    cluster_cpu_s: float
    db_cpu_s: float

    @property
    def rate(self) -> float:
        # n escalations span n - 1 gaps between the first and the last.
        return (self.escalations - 1) / self.first_to_last_s

    def cpu_ms(self, seconds: float) -> float:
        return seconds * 1000 / self.escalations


def _queue_clear(stack: Stack) -> None:
    """Drop what the set-up queued (its events were evaluated in this process already)."""
    import redis

    client = redis.Redis.from_url(stack.redis_url)
    try:
        for key in client.keys("django_q:*"):
            client.delete(key)
    finally:
        client.close()


def _cluster_idle_cpu(stack: Stack) -> float:
    """CPU a cluster spends starting and idling for one second: taken off the drain's figure."""
    stack.start_worker(0)
    stack.wait_for_clusters(1)
    time.sleep(1)
    used = cpu_seconds(stack.processes["worker0"].pid, reaped=True)
    stack.kill("worker0")
    return used


def _backlog(stack: Stack, fx: dict, tickets: int) -> list[int]:
    """One angry message on each fresh ticket, with no cluster running: ``tickets`` queued
    events, each of which escalates its ticket."""
    from django.db import connections

    from tickets.models import Ticket
    from tickets.services import message_add

    _fresh_tickets(fx, tickets)
    _queue_clear(stack)
    ids = list(fx["fresh"])
    for i, ticket in enumerate(Ticket.objects.filter(pk__in=ids).order_by("pk")):
        message_add(ticket=ticket, author_type="customer", body=f"{ANGRY} ({i})")
    connections.close_all()
    return ids


def _drain(stack: Stack, ticket_ids: list[int], idle_cpu: float, timeout: float) -> Drain:
    from django.db import connections
    from django.db.models import Max, Min

    from escalations.models import Escalation

    backends = PostgresBackends()
    # The driver's pooled backend (it wrote the backlog) is connected already: only what each
    # backend uses from here on counts.
    db_before = backends.cpu(stack.db_name)
    started = time.monotonic()
    stack.start_worker(0)
    pid = stack.processes["worker0"].pid
    # Sampled while the drain runs: a worker recycled after its 500th task takes its backend
    # with it, so each backend's CPU is the last value seen.
    db_cpu: dict[int, float] = {}
    done = 0
    mine = Escalation.objects.filter(ticket_id__in=ticket_ids)
    while time.monotonic() - started < timeout:
        db_cpu.update(backends.cpu(stack.db_name))
        done = mine.count()
        if done >= len(ticket_ids):
            break
        time.sleep(0.25)
    wall = time.monotonic() - started
    cluster_cpu = cpu_seconds(pid, reaped=True) - idle_cpu
    db_cpu.update(backends.cpu(stack.db_name))
    backends.close()
    stack.kill("worker0")
    if done != len(ticket_ids):
        raise SystemExit(f"drain incomplete: {done} of {len(ticket_ids)} escalations")
    per_ticket = mine.values("ticket_id").distinct().count()
    assert per_ticket == done, f"{done} escalations on {per_ticket} tickets: not exactly once"
    span = mine.aggregate(first=Min("created_at"), last=Max("created_at"))
    connections.close_all()
    return Drain(
        escalations=done,
        first_to_last_s=(span["last"] - span["first"]).total_seconds(),
        wall_s=wall,
        cluster_cpu_s=cluster_cpu,
        db_cpu_s=db_cpu_used(db_before, db_cpu),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=2000, help="escalations per round")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the cluster")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--redis-port", type=int, default=6413)
    args = parser.parse_args()

    with running_stack(
        db_name="kd_bench_drain", web=0, workers=1, redis_port=args.redis_port,
        env={"Q_WORKERS": str(args.workers)},
    ) as stack:  # fmt: skip
        django_setup(stack)
        fx = _seed(0)
        _queue_clear(stack)
        idle_cpu = _cluster_idle_cpu(stack)
        drains = []
        for round_index in range(args.rounds):
            ids = _backlog(stack, fx, args.tickets)
            drain = _drain(stack, ids, idle_cpu, args.timeout)
            drains.append(drain)
            print(
                f"round {round_index + 1}: {drain.escalations} escalations, "
                f"{drain.rate:.1f}/s first to last ({drain.first_to_last_s:.1f} s; "
                f"{drain.wall_s:.1f} s from the cluster's start), "
                f"cluster CPU {drain.cpu_ms(drain.cluster_cpu_s):.2f} ms and PostgreSQL "
                f"{drain.cpu_ms(drain.db_cpu_s):.2f} ms per escalation",
                flush=True,
            )
        print(
            f"median of {len(drains)}: {statistics.median(d.rate for d in drains):.1f} "
            f"escalations/s on {args.workers} workers; CPU per escalation: cluster "
            f"{statistics.median(d.cpu_ms(d.cluster_cpu_s) for d in drains):.2f} ms, PostgreSQL "
            f"{statistics.median(d.cpu_ms(d.db_cpu_s) for d in drains):.2f} ms "
            f"(idle start of a cluster: {idle_cpu:.2f} s CPU, taken off)"
        )


if __name__ == "__main__":
    main()
