"""Long bodies: scoring time against message length, and whether a long customer message holds
other writers.

Runs in one process against a fresh SQLite file (the case where a held write lock hurts most:
one writer at a time) or, with ``--database-url``, PostgreSQL.

1. Sentiment scoring time for customer messages of 1,000 … ``MESSAGE_BODY_MAX_CHARS``
   characters (median of ``--repeat`` runs), and the time per 1,000 characters: a flat column
   is linear time.
2. A writer thread adds ``--notes`` internal notes to ticket B, one after another, while the main
   thread posts a maximum-length customer message to ticket A through the service; the notes'
   worst latency is compared with the same notes written alone. Scoring runs before the
   message's transaction, so the notes must not wait for it.
3. A 1 MB message body through the API: the time to the 400 (nothing is scored or written).

    .venv/bin/python bench/body_bounds.py [--repeat 3] [--notes 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = [
    "the",
    "refund",
    "is",
    "late",
    "and",
    "I",
    "am",
    "furious",
    "this",
    "is",
    "terrible",
    "service",
    "never",
    "again",
    "please",
    "help",
    "my",
    "order",
    "arrived",
    "broken",
    "and",
    "nobody",
    "answers",
]


def text_of(chars: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    out: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--notes", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kd-body-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kimondesk.settings.test")
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from escalations.engine.sentiment import sentiment_score_message
    from kimondesk.bounds import MESSAGE_BODY_MAX_CHARS
    from tests import factories
    from tickets import services
    from tickets.models import AuthorType, Ticket, TicketEvent

    logging.disable(logging.CRITICAL)
    settings.ALLOWED_HOSTS = ["testserver"]

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")

    print("\n1. scoring time against length")
    print("| characters | median ms | ms per 1,000 characters |")
    print("|---:|---:|---:|")
    for chars in (1_000, 2_500, 5_000, 10_000, MESSAGE_BODY_MAX_CHARS):
        text = text_of(chars)
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            sentiment_score_message(text)
            runs.append((time.perf_counter() - start) * 1000)
        median = statistics.median(runs)
        print(f"| {chars:,} | {median:.1f} | {median / chars * 1000:.2f} |")

    team = factories.TeamFactory(name="Bench")
    queue = factories.QueueFactory(name="Bench", team=team)
    agent = factories.AgentFactory(username="bench-agent", team=team)
    customer = factories.CustomerFactory()
    ticket_a = factories.TicketFactory(queue=queue, customer=customer)
    ticket_b = factories.TicketFactory(queue=queue, customer=customer)

    def notes(latencies: list[float]) -> None:
        # Spread over about a second, so they overlap the long message's scoring.
        for n in range(args.notes):
            start = time.perf_counter()
            services.note_add(ticket=ticket_b, body=f"note {n}", author=agent)
            latencies.append((time.perf_counter() - start) * 1000)
            time.sleep(1.0 / args.notes)
        connection.close()

    def beside(*, hold_lock: bool) -> tuple[float, list[float]]:
        latencies: list[float] = []
        writer = threading.Thread(target=notes, args=(latencies,))
        long_body = text_of(MESSAGE_BODY_MAX_CHARS, seed=11)
        writer.start()
        start = time.perf_counter()
        if hold_lock:
            # The former shape: the message is scored inside its write transaction.
            with transaction.atomic():
                Ticket.objects.select_for_update().filter(pk=ticket_a.pk).first()
                TicketEvent.objects.create(ticket=ticket_a, kind="note_added", data={})
                sentiment_score_message(long_body)
        else:
            services.message_add(ticket=ticket_a, author_type=AuthorType.CUSTOMER, body=long_body)
        message_ms = (time.perf_counter() - start) * 1000
        writer.join()
        return message_ms, latencies

    alone: list[float] = []
    notes(alone)
    print(
        f"\n2. {args.notes} notes written beside one {MESSAGE_BODY_MAX_CHARS:,}-character message"
    )
    print("| case | message ms | notes median ms | notes worst ms |")
    print("|---|---:|---:|---:|")
    print(f"| notes alone | - | {statistics.median(alone):.1f} | {max(alone):.1f} |")
    for label, hold in (
        ("scored inside the write transaction (before)", True),
        ("scored before the transaction (now)", False),
    ):
        message_ms, latencies = beside(hold_lock=hold)
        print(
            f"| {label} | {message_ms:.0f} | {statistics.median(latencies):.1f} "
            f"| {max(latencies):.1f} |"
        )

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=agent)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    start = time.perf_counter()
    response = client.post(
        f"/api/v1/tickets/{ticket_a.pk}/messages/",
        {"author_type": "customer", "body": "x" * 1_000_000},
        format="json",
    )
    refused_ms = (time.perf_counter() - start) * 1000
    print(f"\n3. a 1 MB body through the API: {response.status_code} in {refused_ms:.0f} ms")


if __name__ == "__main__":
    main()
