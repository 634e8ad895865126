"""Crossing-to-event and crossing-to-escalation lag under a real qcluster (Redis broker).

Creates the database ``kd_sla_bench`` (dropped afterwards) and a private Redis, an escalation
rule on the ``frt_amber`` trigger (to the team lead), tickets through the services, and moves
their first-response clocks so that amber and breach instants fall over the next ``--spread``
seconds; then registers the sweeper (``manage.py ensure_schedules``), starts the web processes and
``--clusters`` qcluster processes (production shape: 2 and 2 by default, the sweeper's lease lets
one cluster sweep at a time) and waits for every ``sla_state_changed`` event and every
escalation. Lag = the event's (or the escalation's) ``created_at`` minus the clock's amber/breach
instant. Every crossing must be announced once and every ticket escalated once.

    .venv/bin/python bench/sla_lag.py [--tickets 100] [--spread 40] [--web 2] [--clusters 2]

Add ``--write`` to record the figures in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import django_setup, percentile, running_stack


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--spread", type=float, default=40.0)
    parser.add_argument("--workers", type=int, default=2, help="worker processes per cluster")
    parser.add_argument("--web", type=int, default=2, help="uvicorn web processes")
    parser.add_argument("--clusters", type=int, default=2, help="qcluster processes")
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()

    with running_stack(
        db_name="kd_sla_bench",
        web=args.web,
        workers=args.clusters,
        base_port=8200,
        redis_port=8249,
        env={"Q_WORKERS": str(args.workers), "Q_CLUSTER_NAME": "kd-sla-bench"},
    ) as stack:
        django_setup(stack)
        from django.utils import timezone

        from escalations.models import Escalation, SLAClock
        from tests import factories
        from tickets.models import EventKind, TicketEvent
        from tickets.services import ticket_create

        policy = factories.SLAPolicyFactory(name="Bench")
        factories.SLATargetFactory(policy=policy, metric="first_response", minutes=60)
        team = factories.TeamFactory(name="Bench team")
        factories.LeadFactory(username="bench-lead", team=team)
        queue = factories.QueueFactory(team=team)
        factories.RuleFactory(
            name="FRT amber to the lead",
            trigger_kind="frt_amber",
            target=factories.TargetFactory(kind="team_lead", team=team),
        )
        customer = factories.CustomerFactory()
        tickets = [
            ticket_create(subject=f"Bench {n}", customer=customer, queue=queue, body="Help")
            for n in range(args.tickets)
        ]
        # Amber instants spread over the window (after the cluster has started), breach 2 s later.
        start = timezone.now() + timedelta(seconds=8)
        expected: dict[tuple[int, str], object] = {}
        for n, ticket in enumerate(tickets):
            amber = start + timedelta(seconds=args.spread * n / args.tickets)
            breach = amber + timedelta(seconds=2)
            clock = SLAClock.objects.get(ticket=ticket, metric="first_response")
            SLAClock.objects.filter(pk=clock.pk).update(
                amber_at=amber, breach_at=breach, due_at=breach
            )
            expected[(clock.pk, "amber")] = amber
            expected[(clock.pk, "red")] = breach

        stack.manage("ensure_schedules")
        for index in range(args.web):
            stack.start_web(index)
        for index in range(args.clusters):
            stack.start_worker(index)
        deadline = time.monotonic() + args.spread + 60
        events = TicketEvent.objects.filter(kind=EventKind.SLA_STATE_CHANGED)
        escalations = Escalation.objects.filter(trigger="frt_amber")
        while (
            events.count() < len(expected) or escalations.count() < args.tickets
        ) and time.monotonic() < deadline:
            time.sleep(0.5)

        lags = []
        amber_of_ticket = {}
        seen: set[tuple[int, str]] = set()
        for event in events:
            key = (event.data["clock"], event.data["to"])
            assert key not in seen, f"crossing announced twice: {key}"
            seen.add(key)
            lags.append((event.created_at - expected[key]).total_seconds())  # type: ignore[operator]
            if key[1] == "amber":
                amber_of_ticket[event.ticket_id] = expected[key]
        escalation_lags = [
            (e.created_at - amber_of_ticket[e.ticket_id]).total_seconds()  # type: ignore[operator]
            for e in escalations
        ]
        per_ticket = Counter(escalations.values_list("ticket_id", flat=True))
        doubled = sorted(t for t, n in per_ticket.items() if n > 1)
        lines = [
            f"- {len(lags)} of {len(expected)} crossings announced ({args.tickets} clocks, amber "
            f"and red each, spread over {args.spread:.0f} s), none twice",
            f"- {len(escalation_lags)} of {args.tickets} frt_amber escalations made, "
            f"{len(doubled)} tickets escalated more than once",
        ]
        for label, values in (("event", lags), ("escalation", escalation_lags)):
            if values:
                lines.append(
                    f"- crossing-to-{label} lag p50 {statistics.median(values) * 1000:.0f} ms, "
                    f"p95 {percentile(values, 95) * 1000:.0f} ms, "
                    f"max {max(values) * 1000:.0f} ms, min {min(values) * 1000:.0f} ms"
                )
    text = "\n".join(lines)
    print(text)
    if args.write:
        from bench.docs import benchmarks_section_write, production_shape

        command = " ".join(a for a in sys.argv[1:] if a != "--write")
        benchmarks_section_write(
            "SLA crossing-to-event lag in production shape",
            f"    .venv/bin/python bench/sla_lag.py {command}\n\n"
            f"{production_shape(web=args.web, clusters=args.clusters, workers=args.workers)}"
            f"\n\n{text}\n",
        )


if __name__ == "__main__":
    main()
