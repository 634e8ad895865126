"""The coaching report pages over HTTP in production shape, on the large history.

Needs the database ``kd_reports_bench`` left by ``bench/reports_volume.py --keep`` (1,000,000
tickets by default). Starts 2 uvicorn web processes and 2 qcluster processes on it (production
settings, a private Redis), signs a superuser in, and GETs every team's month overview, one
agent page per team and the rule-health page ``--runs`` times each, alternating the web
servers, after one warm request per page (which fills the monthly rollup, as the 15-minute
schedule does in production). Optionally a steady stream of customer messages runs meanwhile
(``--messages-per-second``), so the pages are timed next to live ticket traffic.

    .venv/bin/python bench/reports_volume.py --keep      # once: generate the volume
    .venv/bin/python bench/reports_http.py [--runs 5] [--messages-per-second 10] [--write]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack, django_setup, percentile, running_stack

DB_URL = "postgres://postgres@127.0.0.1:5432/kd_reports_bench"


def signed_in_session() -> tuple[str, str]:
    """A session cookie for a new superuser, and an API token for the message stream."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from tickets.models import Agent

    admin, _ = Agent.objects.get_or_create(
        username="bench-report-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=admin)
    return session.session_key or "", token.key


def get(port: int, path: str, session: str) -> tuple[int, float]:
    request = urllib.request.Request(  # loopback only
        f"http://127.0.0.1:{port}{path}", headers={"Cookie": f"sessionid={session}"}
    )
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = int(exc.code)
    return status, (time.perf_counter() - start) * 1000


def message_stream(stack: Stack, token: str, rate: float, stop: threading.Event) -> list[int]:
    """Customer messages on the newest tickets, ``rate`` per second, until ``stop``."""
    from tickets.models import Ticket

    ticket_ids = list(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[:2000])
    statuses: list[int] = []
    n = 0
    started = time.perf_counter()
    while not stop.is_set() and ticket_ids:
        ticket_id = ticket_ids[n % len(ticket_ids)]
        request = urllib.request.Request(  # loopback only
            f"http://127.0.0.1:{stack.web_ports[n % len(stack.web_ports)]}"
            f"/api/v1/tickets/{ticket_id}/messages/",
            data=json.dumps({"author_type": "customer", "body": "Any news on this?"}).encode(),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                statuses.append(int(response.status))
        except urllib.error.HTTPError as exc:
            statuses.append(int(exc.code))
        n += 1
        time.sleep(max(0.0, started + n / rate - time.perf_counter()))
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages-per-second", type=float, default=0.0)
    parser.add_argument("--write", action="store_true", help="record in docs/benchmarks.md")
    args = parser.parse_args()

    with running_stack(
        db_name="kd_reports_bench", web=2, workers=2, base_port=8700, redis_port=6395,
        existing_database_url=DB_URL,
    ) as stack:  # fmt: skip
        django_setup(stack)
        from django.db.models import Max

        from reports.selectors import month_shift, team_agents
        from tickets.models import Team, Ticket

        latest = Ticket.objects.aggregate(m=Max("created_at"))["m"]
        month = month_shift(month=latest.date().replace(day=1), months=-1)
        teams = list(Team.objects.filter(name__startswith="Volume").order_by("pk"))
        session, token = signed_in_session()
        stack.manage("collectstatic", "--noinput", "-v0")  # pages need the static manifest
        for index in range(2):
            stack.start_web(index)
            stack.start_worker(index)
        stack.wait_for_clusters(2)

        pages: dict[str, list[str]] = {"overview": [], "agent page": [], "rule health": []}
        for team in teams:
            pages["overview"].append(f"/reports/?team={team.pk}&month={month:%Y-%m}")
            pages["agent page"].append(
                f"/reports/agents/{team_agents(team=team)[1].pk}/?month={month:%Y-%m}"
            )
            pages["rule health"].append(f"/reports/rules/?team={team.pk}&month={month:%Y-%m}")
        for paths in pages.values():  # warm: the first request fills the team-month rollups
            for path in paths:
                status, _ = get(stack.web_ports[0], path, session)
                assert status == 200, (path, status)

        stop = threading.Event()
        streamed: list[int] = []
        stream = None
        if args.messages_per_second:
            stream = threading.Thread(
                target=lambda: streamed.extend(
                    message_stream(stack, token, args.messages_per_second, stop)
                )
            )
            stream.start()
        timings: dict[str, list[float]] = {label: [] for label in pages}
        statuses: list[int] = []
        n = 0
        for _ in range(args.runs):
            for label, paths in pages.items():
                for path in paths:
                    status, ms = get(stack.web_ports[n % 2], path, session)
                    statuses.append(status)
                    timings[label].append(ms)
                    n += 1
        stop.set()
        if stream:
            stream.join()
        rss = stack.rss()

    lines = [
        f"- {len(teams)} teams, month {month:%Y-%m}, {args.runs} timed requests per page after one "
        f"warm request; statuses {dict(sorted((s, statuses.count(s)) for s in set(statuses)))}",
    ]
    if args.messages_per_second:
        accepted = streamed.count(201)
        lines.append(
            f"- meanwhile {len(streamed)} customer messages through the API "
            f"({args.messages_per_second:g}/s), {accepted} accepted"
        )
    for label, values in timings.items():
        lines.append(
            f"- {label}: p50 {statistics.median(values):.0f} ms, p95 {percentile(values, 95):.0f} ms, "
            f"max {max(values):.0f} ms ({len(values)} requests)"
        )
    lines.append(
        "- peak RSS: " + ", ".join(f"{k} {v / 1024:.0f} MiB" for k, v in sorted(rss.items()))
    )
    text = "\n".join(lines)
    print(text)
    if args.write:
        from bench.docs import benchmarks_section_write, production_shape

        command = " ".join(a for a in sys.argv[1:] if a != "--write")
        benchmarks_section_write(
            "Coaching report pages over HTTP in production shape",
            f"    .venv/bin/python bench/reports_volume.py --keep\n"
            f"    .venv/bin/python bench/reports_http.py {command}\n\n"
            f"{production_shape(web=2, clusters=2)} The database of `bench/reports_volume.py` "
            f"(1,000,000 tickets, 5,000,000 events, 300 agents).\n\n{text}\n",
        )


if __name__ == "__main__":
    main()
