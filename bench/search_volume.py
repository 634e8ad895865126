"""Ticket search over 1,000,000 tickets on PostgreSQL.

Creates the database ``kd_search_bench`` (dropped afterwards unless ``--keep``), bulk-inserts
teams, queues, 100,000 customers and the tickets with one customer message each (subjects and
messages drawn from a skewed vocabulary, so some words are in many tickets and most in few),
builds their search documents with ``ticket_search_documents_rebuild`` (what bulk imports use),
then times searches as a junior (sees one team: a third of the tickets) and as an admin (sees
all): the ranked ids (``ticket_search_ranked_ids``) and what the API and the results page do
with them (count + the first 25 rows).

    .venv/bin/python bench/search_volume.py [--tickets 1000000] [--runs 15] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import django_setup, running_stack

CUSTOMERS = 100_000
REUSE_URL = "postgres://postgres@127.0.0.1:5432/kd_search_bench"
SUPPORT_WORDS = [
    "refund",
    "invoice",
    "order",
    "account",
    "password",
    "login",
    "delivery",
    "payment",
    "charge",
    "subscription",
    "cancel",
    "upgrade",
    "error",
    "crash",
    "broken",
    "late",
    "missing",
    "damaged",
    "wrong",
    "email",
    "address",
    "card",
    "billing",
    "plan",
    "contract",
    "renewal",
    "discount",
    "coupon",
    "shipping",
    "tracking",
    "return",
    "warranty",
    "replacement",
    "install",
    "update",
    "sync",
    "export",
    "import",
    "report",
    "dashboard",
    "api",
    "token",
    "timeout",
    "slow",
    "outage",
]
FIRST = [
    "Maria", "Tom", "Anna", "Lukas", "Sofia", "Jonas", "Emma", "Felix", "Mia", "Paul", "Lena",
    "Noah", "Clara", "Elias", "Hannah", "Ben", "Lea", "Finn", "Laura", "Max",
]  # fmt: skip


def _syllable_words(rng: random.Random, count: int, parts: int) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "de", "ba", "zu", "pe", "gri",
                 "hol", "ster", "man", "berg", "wald", "ton", "ric"]  # fmt: skip
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(parts, parts + 2))))
    return sorted(words)


SEED_SQL = """
INSERT INTO tickets_team (name, timezone, default_currency, created_at)
SELECT 'Bench ' || g, 'UTC', 'EUR', now() FROM generate_series(1, 3) g;

INSERT INTO tickets_queue (name, team_id, specialist)
SELECT 'Queue ' || q, t.id, false FROM tickets_team t CROSS JOIN generate_series(1, 3) q;

INSERT INTO tickets_customer (external_id, name, email, tier, created_at, updated_at)
SELECT 'CRM-' || g,
       'Customer ' || g, '', 'standard', now(), now()
FROM generate_series(0, %(customers)s - 1) g;
"""

CUSTOMER_NAMES_SQL = """
UPDATE tickets_customer c
SET name = n.name, email = lower(replace(n.name, ' ', '.')) || '@example.com'
FROM (
    SELECT id,
           (%(first)s::text[])[1 + (row_number() OVER (ORDER BY id) - 1) %% %(nfirst)s]
           || ' ' ||
           (%(last)s::text[])[1 + ((row_number() OVER (ORDER BY id) - 1) / %(nfirst)s)
                               %% %(nlast)s]
           || CASE WHEN row_number() OVER (ORDER BY id) > %(nfirst)s * %(nlast)s
                   THEN ' ' || (row_number() OVER (ORDER BY id)) ELSE '' END AS name
    FROM tickets_customer
) n
WHERE c.id = n.id
"""

TICKETS_SQL = """
INSERT INTO tickets_ticket (subject, customer_id, status, priority, queue_id,
    customer_sentiment, escalation_count, created_at, updated_at)
SELECT array_to_string(ARRAY(
           SELECT (%(words)s::text[])[1 + floor(pow(random(), 2) * %(nwords)s)::int]
           FROM generate_series(1, 5) WHERE g > 0), ' '),
       %(first_customer)s + (g::bigint * 7919) %% %(customers)s,
       (ARRAY['new', 'open', 'pending', 'solved', 'closed'])[1 + g %% 5],
       'normal',
       %(first_queue)s + g %% 9,
       'unknown', 0, now() - g * interval '7 seconds', now()
FROM generate_series(1, %(tickets)s) g
"""

MESSAGES_SQL = """
INSERT INTO tickets_message (ticket_id, author_type, body, sentiment, sentiment_reasons,
    sentiment_language, created_at)
SELECT t.id, 'customer',
       array_to_string(ARRAY(
           SELECT (%(words)s::text[])[1 + floor(pow(random(), 2) * %(nwords)s)::int]
           FROM generate_series(1, 30) WHERE t.id > 0), ' '),
       'neutral', '[]'::jsonb, 'en', t.created_at
FROM tickets_ticket t
"""


def _timed(run, runs: int) -> tuple[float, float, object]:
    result = run()
    timings = []
    for _ in range(runs):
        t = time.perf_counter()
        run()
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time a kept database again")
    args = parser.parse_args()

    rng = random.Random(20261206)
    last_names = _syllable_words(rng, 5000, 2)
    vocabulary = SUPPORT_WORDS + _syllable_words(rng, 3000, 3)
    rng.shuffle(vocabulary)

    with running_stack(
        db_name="kd_search_bench",
        web=0,
        workers=0,
        base_port=8280,
        redis_port=8279,
        keep_db=args.keep,
        existing_database_url=REUSE_URL if args.reuse else "",
    ) as stack:
        django_setup(stack)
        from django.db import connection

        from tickets.models import Agent, Customer, Queue, Role, Team, Ticket
        from tickets.search.documents import ticket_search_documents_rebuild
        from tickets.search.selectors import ticket_search_ranked_ids, tickets_search

        if Ticket.objects.count() < args.tickets:
            started = time.perf_counter()
            params = {
                "first": FIRST,
                "last": last_names,
                "nfirst": len(FIRST),
                "nlast": len(last_names),
                "customers": CUSTOMERS,
                "words": vocabulary,
                "nwords": len(vocabulary),
                "tickets": args.tickets,
            }
            with connection.cursor() as cursor:
                for statement in SEED_SQL.split(";\n"):
                    if statement.strip():
                        cursor.execute(statement, params)
                cursor.execute(CUSTOMER_NAMES_SQL, params)
                params["first_customer"] = Customer.objects.order_by("id").first().pk  # type: ignore[union-attr]
                params["first_queue"] = Queue.objects.order_by("id").first().pk  # type: ignore[union-attr]
                cursor.execute(TICKETS_SQL, params)
                cursor.execute(MESSAGES_SQL, params)
            seeded = time.perf_counter() - started
            started = time.perf_counter()
            ticket_search_documents_rebuild()
            built = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(
                f"seeded {args.tickets:,} tickets with one message each and {CUSTOMERS:,} "
                f"customers in {seeded:.0f} s; search documents built in {built:.0f} s"
            )
        team = Team.objects.order_by("id").first()
        junior, _ = Agent.objects.get_or_create(
            username="bench-junior", defaults={"team": team, "role": Role.JUNIOR}
        )
        admin, _ = Agent.objects.get_or_create(
            username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
        )
        tickets = Ticket.objects.count()
        customer = Customer.objects.order_by("id")[4242]
        counts = {}
        with connection.cursor() as cursor:
            for word in (vocabulary[0], vocabulary[40], vocabulary[2500]):
                cursor.execute(
                    "SELECT count(*) FROM tickets_ticketsearchdocument "
                    "WHERE vector @@ to_tsquery('simple', %s)",
                    [f"'{word}'"],
                )
                counts[word] = cursor.fetchone()[0]
        first, last = customer.name.split(" ", 1)
        queries = {
            "ticket number": f"#{Ticket.objects.order_by('id')[tickets // 2].pk}",
            "customer email": customer.email,
            "customer external id": customer.external_id,
            "customer full name": customer.name,
            "misspelt name": f"{first} {last[:-2]}{last[-1]}",
            f"common word ({counts[vocabulary[0]]:,} tickets)": vocabulary[0],
            f"mid word ({counts[vocabulary[40]]:,} tickets)": vocabulary[40],
            f"rare word ({counts[vocabulary[2500]]:,} tickets)": vocabulary[2500],
            "two words": f"{vocabulary[40]} {vocabulary[41]}",
            "prefix (4 letters)": vocabulary[40][:4],
        }
        print(f"\n{tickets:,} tickets; median / p95 of {args.runs} runs, ms\n")
        print("| query | as | results | ranked ids | API page (ids + count + 25 rows) |")
        print("|---|---|---:|---:|---:|")
        for label, query in queries.items():
            for who, agent in (("junior", junior), ("admin", admin)):
                ids_med, ids_p95, ids = _timed(
                    lambda a=agent, q=query: ticket_search_ranked_ids(agent=a, query=q),
                    args.runs,
                )

                def page(a=agent, q=query) -> int:
                    rows = tickets_search(agent=a, query=q)
                    count = rows.count()
                    list(rows.select_related("customer", "queue", "assignee")[:25])
                    return count

                page_med, page_p95, _ = _timed(page, args.runs)
                print(
                    f"| {label}: `{query}` | {who} | {len(ids)} | {ids_med:.0f} / {ids_p95:.0f} "
                    f"| {page_med:.0f} / {page_p95:.0f} |"
                )


if __name__ == "__main__":
    main()
