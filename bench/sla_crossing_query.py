"""The SLA sweep's crossing queries with 100,000 open tickets on PostgreSQL.

Creates the database ``kd_sla_bench`` (dropped afterwards), bulk-inserts open tickets with a
first-response and a resolution clock each (most green with instants spread over the coming
days, some paused, some met, a few due now), then times the two find queries of
``sla_sweep`` and prints their plans.

    .venv/bin/python bench/sla_crossing_query.py [--tickets 100000] [--due 50] [--recompute]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import django_setup, running_stack

SEED_SQL = """
INSERT INTO tickets_customer (external_id, name, email, tier, created_at, updated_at)
VALUES ('bench-1', 'Bench customer', '', 'standard', now(), now());

INSERT INTO tickets_ticket (subject, customer_id, status, priority, customer_sentiment,
    escalation_count, created_at, updated_at)
SELECT 'Ticket ' || g, (SELECT id FROM tickets_customer LIMIT 1),
    CASE WHEN g %% 10 = 0 THEN 'pending' ELSE 'open' END, 'normal', 'unknown', 0,
    now() - interval '1 hour', now()
FROM generate_series(1, %(tickets)s) AS g;

-- Two clocks per ticket: first response (every 3rd met) and resolution.
INSERT INTO escalations_slaclock (ticket_id, metric, target_minutes, state, started_at,
    elapsed_seconds, checkpoint_at, paused_at, due_at, amber_at, breach_at, met_at, met_late,
    updated_at)
SELECT t.id, m.metric, 60,
    CASE WHEN t.status = 'pending' THEN 'paused'
         WHEN m.metric = 'first_response' AND t.id %% 3 = 0 THEN 'met'
         WHEN t.id %% 7 = 0 THEN 'amber'
         ELSE 'green' END,
    t.created_at, 0, now(), NULL,
    now() + (t.id %% 5000) * interval '1 minute' + m.shift,
    now() + (t.id %% 5000) * interval '1 minute' + m.shift - interval '15 minutes',
    now() + (t.id %% 5000) * interval '1 minute' + m.shift,
    NULL, false, now()
FROM tickets_ticket t
CROSS JOIN (VALUES ('first_response', interval '20 minutes'),
                   ('resolution', interval '2 days')) AS m(metric, shift);

UPDATE escalations_slaclock SET paused_at = now(), due_at = NULL, amber_at = NULL,
    breach_at = NULL WHERE state IN ('paused', 'met');

-- A few clocks due right now: amber for some, breach for others.
UPDATE escalations_slaclock SET amber_at = now() - interval '5 seconds'
WHERE id IN (SELECT id FROM escalations_slaclock WHERE state = 'green' ORDER BY id
             LIMIT %(due)s);
UPDATE escalations_slaclock SET breach_at = now() - interval '2 seconds'
WHERE id IN (SELECT id FROM escalations_slaclock WHERE state = 'amber' ORDER BY id
             LIMIT %(due)s);
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--recompute", action="store_true", help="also time sla_policy_changed over them"
    )
    args = parser.parse_args()

    with running_stack(
        db_name="kd_sla_bench", web=0, workers=0, base_port=8200, redis_port=8249
    ) as stack:
        django_setup(stack)
        from django.db import connection
        from django.utils import timezone

        from escalations.models import SLAClock
        from escalations.sla.selectors import sla_clocks_due_amber, sla_clocks_due_breach
        from escalations.sla.services import SWEEP_BATCH

        started = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in SEED_SQL.split(";\n"):
                if statement.strip():
                    cursor.execute(statement, {"tickets": args.tickets, "due": args.due})
        seeded = time.perf_counter() - started
        clocks = SLAClock.objects.count()
        print(f"seeded {args.tickets} open tickets, {clocks} clocks in {seeded:.1f} s")

        now = timezone.now()
        queries = {
            "amber": lambda: list(sla_clocks_due_amber(now=now)[:SWEEP_BATCH]),
            "breach": lambda: list(sla_clocks_due_breach(now=now)[:SWEEP_BATCH]),
        }
        for name, run in queries.items():
            found = len(run())
            timings = []
            for _ in range(args.runs):
                t = time.perf_counter()
                run()
                timings.append((time.perf_counter() - t) * 1000)
            qs = (sla_clocks_due_amber if name == "amber" else sla_clocks_due_breach)(now=now)
            plan = qs[:SWEEP_BATCH].explain(analyze=True)
            print(
                f"\n{name}: {found} due of {clocks} clocks; ORM round trip median "
                f"{statistics.median(timings):.2f} ms, max {max(timings):.2f} ms "
                f"({args.runs} runs)"
            )
            print(plan)

        if args.recompute:
            from escalations.models import SLAPolicy, SLATarget
            from escalations.sla.services import sla_policy_changed

            policy = SLAPolicy.objects.create(name="Bench")
            SLATarget.objects.create(policy=policy, metric="first_response", minutes=60)
            SLATarget.objects.create(policy=policy, metric="resolution", minutes=480)
            t = time.perf_counter()
            changed = sla_policy_changed(policy=policy)
            print(
                f"\nsla_policy_changed: {changed} clocks of {args.tickets} open tickets "
                f"recomputed in {time.perf_counter() - t:.1f} s"
            )


if __name__ == "__main__":
    main()
