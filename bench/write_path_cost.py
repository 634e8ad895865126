"""What one write costs the server: queries and CPU per customer message, ticket create and escalation.

In process, through the full API stack (Django's handler, DRF, token auth, throttle, idempotency,
services, the SLA sync, the rollup, the push on commit) against PostgreSQL and Redis, with
production-shape settings (``DEBUG`` off, the Redis broker and channel layer). The worker's share
(``event_evaluate`` of each queued event) is run in the same process afterwards and timed apart.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kd_perf_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 CHANNELS_PREFIX=perf \\
        .venv/bin/python bench/write_path_cost.py --requests 300 [--profile message|create]

CPU is ``time.process_time`` of this process (web or worker part; PostgreSQL's own CPU is not
in it); the median of ``--rounds`` rounds is printed. Queries are counted in a separate pass.

``--kinds escalation``: each request is an angry customer message on a fresh ticket (created
through the services beforehand, held by an agent, its clocks running), whose evaluation fires
the "Angry customer" rule and escalates the ticket to the team lead: the worker column is then
one escalation, from the event's evaluation to the after-commit fan-out (live pushes through
Redis). ``--profile escalation`` profiles that worker part alone (``PROFILE_PART=web``: the
angry message's request instead; ``PROFILE_SQL=1`` also prints
its statements; ``PROFILE_SORT=tottime`` sorts by own time; ``PROFILE_CALLEES=name`` prints
what the functions matching ``name`` call, ``PROFILE_CALLERS=name`` what calls them).
``DATABASE_URL=sqlite:///…`` runs it
on SQLite.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kimondesk.settings.dev")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

NEUTRAL = "Hello, could you tell me when the corrected invoice will be sent? Thank you."
ANGRY = (
    "This is unacceptable. Three weeks and still no fix, I will cancel my account and "
    "switch to a competitor if nobody calls me today."
)
KINDS = ("message", "create", "escalation")


def _database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname="postgres"
    ) as conn:
        conn.autocommit = True
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _seed(tickets: int) -> dict[str, Any]:
    from rest_framework.authtoken.models import Token

    from escalations.models import Calendar, OpeningHours, Rule, SLAPolicy, SLATarget
    from tests import factories
    from tickets.models import Agent, Customer, Ticket
    from tickets.services import message_add, ticket_create

    if Agent.objects.filter(username="bench-lead").exists():
        lead = Agent.objects.get(username="bench-lead")
    else:
        team = factories.TeamFactory(name="Bench team")
        lead = factories.LeadFactory(username="bench-lead", team=team)
        factories.SeniorFactory(username="bench-senior", team=team)
        queue = factories.QueueFactory(name="Bench queue", team=team)
        calendar = Calendar.objects.create(name="Bench hours", timezone="Europe/Berlin")
        OpeningHours.objects.bulk_create(
            OpeningHours(calendar=calendar, weekday=d, start="08:00", end="18:00") for d in range(5)
        )
        for order, (name, conditions) in enumerate(
            [
                ("Enterprise", [{"field": "tier", "op": "eq", "value": "enterprise"}]),
                ("Default", []),
            ]
        ):
            policy = SLAPolicy.objects.create(
                name=name, order=order, calendar=calendar, conditions=conditions
            )
            SLATarget.objects.bulk_create(
                SLATarget(policy=policy, metric=m, priority=p, minutes=mins)
                for m, mins in (("first_response", 60), ("next_response", 120), ("resolution", 960))
                for p in ("", "urgent")
            )
        factories.RuleFactory(name="Angry customer", team=team, trigger_kind="sentiment_negative")
        factories.RuleFactory(name="Breach", team=team, trigger_kind="sla_breach")
        for _ in range(20):
            factories.CustomerFactory()
    queue = lead.team.queues.get()
    customers = list(Customer.objects.order_by("pk")[:20])
    have = Ticket.objects.filter(queue=queue, subject__startswith="Seed ").count()
    for i in range(have, tickets):
        # Through the services, so each has its clocks and a first response (a customer
        # message then restarts the next-response clock, as on a live ticket).
        ticket = ticket_create(
            subject=f"Seed {i}", customer=customers[i % 20], body=NEUTRAL, queue=queue
        )
        message_add(ticket=ticket, author_type="agent", body="On it.", author=lead)
    Rule.objects.filter(name="Angry customer").update(cooldown_minutes=0)
    token, _ = Token.objects.get_or_create(user=lead)
    # Messages go to the seeded tickets only (not to those the create rounds opened).
    seeded = Ticket.objects.filter(queue=queue, subject__startswith="Seed ")
    ids = list(seeded.order_by("pk").values_list("pk", flat=True))
    return {
        "token": token.key,
        "queue": queue.pk,
        "customers": [c.pk for c in customers],
        "tickets": ids,
        "fresh": [],
    }


def _fresh_tickets(fx: dict[str, Any], n: int) -> None:
    """``n`` new tickets for the escalation kind, held by the senior agent, created through the
    services (clocks running) and their events evaluated, so that the timed part is the angry
    message alone. Each escalates once, to the team lead."""
    from escalations.engine.evaluate import event_evaluate
    from tickets.models import Agent, Customer, Queue
    from tickets.services import ticket_create, ticket_update

    queue = Queue.objects.get(pk=fx["queue"])
    senior = Agent.objects.get(username="bench-senior")
    customers = list(Customer.objects.filter(pk__in=fx["customers"]))
    last = _last_event()
    fresh = []
    for i in range(n):
        ticket = ticket_create(
            subject=f"Fresh {i}", customer=customers[i % len(customers)], body=NEUTRAL, queue=queue
        )
        ticket = ticket_update(ticket=ticket, actor=None, assignee=senior)
        fresh.append(ticket.pk)
    for event_id in _events_since(last):
        event_evaluate(event_id=event_id)
    fx["fresh"] = fresh


def _client(token: str) -> Any:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _send(kind: str, client: Any, fx: dict[str, Any], i: int) -> None:
    if kind == "escalation":
        ticket = fx["fresh"].pop()
        response = client.post(
            f"/api/v1/tickets/{ticket}/messages/",
            {"author_type": "customer", "body": f"{ANGRY} ({i})"},
            format="json",
        )
    elif kind == "message":
        ticket = fx["tickets"][i % len(fx["tickets"])]
        response = client.post(
            f"/api/v1/tickets/{ticket}/messages/",
            {"author_type": "customer", "body": f"{NEUTRAL} ({i})"},
            format="json",
        )
    else:
        response = client.post(
            "/api/v1/tickets/",
            {
                "subject": f"Invoice question {i}",
                "customer": fx["customers"][i % len(fx["customers"])],
                "queue": fx["queue"],
                "body": NEUTRAL,
            },
            format="json",
        )
    assert response.status_code == 201, response.content


def _events_since(last: int) -> list[int]:
    from tickets.models import TicketEvent

    return list(TicketEvent.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True))


def _last_event() -> int:
    from tickets.models import TicketEvent

    return TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _escalations() -> int:
    from escalations.models import Escalation

    return Escalation.objects.count()


def _round(
    kind: str,
    client: Any,
    fx: dict[str, Any],
    n: int,
    start: int,
    profiler: cProfile.Profile | None = None,
) -> tuple[float, float]:
    from escalations.engine.evaluate import event_evaluate

    if kind == "escalation":
        _fresh_tickets(fx, n)
    last = _last_event()
    web_profiler = profiler if os.environ.get("PROFILE_PART") == "web" else None
    worker_profiler = None if web_profiler is not None else profiler
    if web_profiler is not None:
        web_profiler.enable()
    t0 = time.process_time()
    for i in range(start, start + n):
        _send(kind, client, fx, i)
    web = (time.process_time() - t0) * 1000 / n
    if web_profiler is not None:
        web_profiler.disable()
    events = _events_since(last)
    escalated = _escalations()
    if worker_profiler is not None:
        worker_profiler.enable()
    t0 = time.process_time()
    for event_id in events:
        event_evaluate(event_id=event_id)
    worker = (time.process_time() - t0) * 1000 / n
    if worker_profiler is not None:
        worker_profiler.disable()
    if kind == "escalation":
        # Every angry message must have escalated its ticket, or the figure is not one escalation.
        assert _escalations() - escalated == n, (_escalations() - escalated, n)
    return web, worker


def _queries(kind: str, client: Any, fx: dict[str, Any], start: int) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from escalations.engine.evaluate import event_evaluate

    if kind == "escalation":
        _fresh_tickets(fx, 1)
    last = _last_event()
    with CaptureQueriesContext(connection) as web:
        _send(kind, client, fx, start)
    events = _events_since(last)
    with CaptureQueriesContext(connection) as worker:
        for event_id in events:
            event_evaluate(event_id=event_id)
    if os.environ.get("SHOW_QUERIES"):
        for q in web.captured_queries:
            print("WEB", q["sql"][:160])
        for q in worker.captured_queries:
            print("WORKER", q["sql"][: int(os.environ.get("SQL_WIDTH", "160"))])
    return len(web), len(worker)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--profile", choices=KINDS)
    parser.add_argument(
        "--kinds", default="message,create", help=f"comma-separated, of {', '.join(KINDS)}"
    )
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    assert set(kinds) <= set(KINDS), kinds

    import django

    django.setup()
    _database()
    from django.core.management import call_command
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    # As Django's test client does: keep this one connection across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    fx = _seed(args.tickets)
    client = _client(fx["token"])
    from django.core.cache import cache
    from django_q.conf import Conf

    from escalations.queueing import task_broker

    cache.clear()  # the throttle's history
    Conf.SYNC = False
    for kind in ("message", "create"):
        for i in range(20):  # warm up: imports, caches, connection
            _send(kind, client, fx, i)
    _round("escalation", client, fx, 10, 500)  # and the escalation path
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        if args.profile == "escalation":
            # The worker's part only: the evaluation, the escalation and its fan-out.
            _round(args.profile, client, fx, args.requests, 1000, profiler=profiler)
            if os.environ.get("PROFILE_SQL"):
                os.environ["SHOW_QUERIES"] = "1"
                _queries(args.profile, client, fx, 1999)
        else:
            profiler.enable()
            _round(args.profile, client, fx, args.requests, 1000)
            profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
        stats.print_stats(os.environ.get("PROFILE_FILTER", ""), 60)
        if os.environ.get("PROFILE_CALLEES"):
            stats.print_callees(os.environ["PROFILE_CALLEES"])
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
        task_broker().purge_queue()
        return
    for kind in kinds:
        webs, workers = [], []
        for r in range(args.rounds):
            web, worker = _round(kind, client, fx, args.requests, 10_000 * (r + 1))
            webs.append(web)
            workers.append(worker)
            task_broker().purge_queue()
            cache.clear()
        web_q, worker_q = _queries(kind, client, fx, 99_999)
        print(
            f"{kind:8s} web {statistics.median(webs):6.2f} ms CPU, {web_q} queries | "
            f"worker {statistics.median(workers):6.2f} ms CPU, {worker_q} queries "
            f"(rounds: web {' '.join(f'{w:.1f}' for w in webs)})"
        )
    task_broker().purge_queue()


if __name__ == "__main__":
    main()
