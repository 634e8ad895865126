"""Benchmark: the coaching report of one month on a large history, on PostgreSQL.

Creates the database ``kd_reports_bench``, migrates it, generates the volume with
``manage.py seed_volume`` (1,000,000 tickets, 5,000,000 events, 300 agents in 6 teams by default),
then times, for every team, the month overview (the selectors and the template render), the
agent page (12-month trend, SVG chart) and the rule-health page, and drops the database.

    .venv/bin/python bench/reports_volume.py                 # the full run (several minutes)
    .venv/bin/python bench/reports_volume.py --keep          # keep the database afterwards
    .venv/bin/python bench/reports_volume.py --reuse --keep  # time an existing database again
    .venv/bin/python bench/reports_volume.py --tickets 20000 # a quick smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "kd_reports_bench"
SERVER = "postgres://postgres@127.0.0.1:5432"


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", sql], check=True)


def drop() -> None:
    psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 (a constant)
        f"WHERE datname = '{DB}' AND pid <> pg_backend_pid()"
    )
    psql(f"DROP DATABASE IF EXISTS {DB}")


def manage(*args: str) -> None:
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DB}", "DEBUG": "0"}
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


def timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm the caches once
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def measure(runs: int) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DB}"
    os.environ["DEBUG"] = "0"
    # Test settings: plain static storage (no collectstatic manifest needed), DEBUG off.
    os.environ["DJANGO_SETTINGS_MODULE"] = "kimondesk.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Max
    from django.template.loader import render_to_string

    from reports.charts import Series, line_chart_svg
    from reports.selectors import (
        TREND_MONTHS,
        agent_report,
        month_choice,
        month_shift,
        month_window,
        rule_health,
        team_agents,
        team_zone,
    )
    from reports.services import agent_month_cells_ensure, agent_month_cells_refresh
    from reports.views import report_overview_context
    from tickets.models import Team, Ticket

    latest = Ticket.objects.aggregate(m=Max("created_at"))["m"]
    month = month_shift(month=latest.date().replace(day=1), months=-1)  # the last complete month
    print(f"month {month:%Y-%m}; tickets {Ticket.objects.count():,}")
    teams = list(Team.objects.filter(name__startswith="Volume").order_by("pk"))
    overview, agent_page, rules_page, refresh = [], [], [], []
    for team in teams:
        agents = team_agents(team=team)
        # The rollup: computing one month from the event log (what the schedule does), then
        # every month the pages need (done once; closed months never change).
        start = time.perf_counter()
        agent_month_cells_refresh(team=team, month=month)
        refresh.append((time.perf_counter() - start) * 1000)
        agent_month_cells_ensure(team=team, last=month, months=TREND_MONTHS)

        def page(team=team):
            return render_to_string(
                "reports/overview.html",
                {
                    "teams": teams,
                    "team": team,
                    "month": month,
                    "choice": month_choice(team=team, month=month),
                    **report_overview_context(team, month),
                },
            )

        def agent(team=team, member=agents[1]):
            agent_month_cells_ensure(team=team, last=month, months=TREND_MONTHS)
            report = agent_report(agent=member, month=month, rollup=True)
            chart = line_chart_svg(
                title="trend",
                labels=[m.window.label for m in report.trend],
                series=[Series("Rate", "s-raw", [r.rate for r, _ in report.months])],
            )
            return render_to_string("reports/agent.html", {"report": report, "chart": chart})

        def rules(team=team):
            window = month_window(month=month, zone=team_zone(team=team))
            return render_to_string(
                "reports/rules.html",
                {
                    "stats": rule_health(team=team, window=window),
                    "teams": teams,
                    "team": team,
                    "month": month,
                    "window": window,
                },
            )

        overview.append(timed(page, runs))
        agent_page.append(timed(agent, runs))
        rules_page.append(timed(rules, runs))
        print(
            f"{team.name} ({len(agents)} agents): overview {overview[-1][0]:.0f} ms, "
            f"agent page {agent_page[-1][0]:.0f} ms, rules {rules_page[-1][0]:.0f} ms (medians); "
            f"one month's rollup refresh {refresh[-1]:.0f} ms"
        )
    incremental(teams=teams, latest=latest)
    for label, values in (
        ("overview", overview),
        ("agent page", agent_page),
        ("rules", rules_page),
    ):
        medians = [m for m, _ in values]
        print(
            f"{label}: median of team medians {statistics.median(medians):.0f} ms, "
            f"worst team median {max(medians):.0f} ms, worst single run {max(x for _, x in values):.0f} ms"
        )


def incremental(*, teams, latest, samples: int = 300) -> None:
    """The cost of keeping the rollup current: the report's part of one escalation
    (``agent_month_escalation_count``: the escalation cell upsert and the handled-ticket check)
    and of one ticket event (``agent_month_event_count``), on tickets of the latest month; each
    call in its own transaction, rolled back, so the database is left as it was."""
    import random

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from escalations.models import Escalation
    from reports.selectors import month_current
    from reports.services import (
        agent_month_cells_refresh,
        agent_month_escalation_count,
        agent_month_event_count,
    )
    from tickets.models import EventKind, Ticket, TicketEvent

    # The running month as the 15-minute repair leaves it: its handled tickets are counted.
    for team in teams:
        agent_month_cells_refresh(team=team, month=month_current(team=team, now=latest))

    rnd = random.Random(20261206)
    since = latest.replace(day=1)
    tickets = list(
        Ticket.objects.filter(
            created_at__gte=since, assignee__isnull=False, queue__team__in=teams
        ).select_related("customer")[: samples * 4]
    )
    rnd.shuffle(tickets)
    tickets = tickets[:samples]

    def each(call) -> list[float]:
        out = []
        for ticket in tickets:
            with transaction.atomic():
                start = time.perf_counter()
                call(ticket)
                out.append((time.perf_counter() - start) * 1000)
                transaction.set_rollback(True)
        return out

    def escalation(ticket):
        escalation = Escalation(
            ticket=ticket,
            trigger="manual",
            initiated_by_id=ticket.assignee_id,
            from_agent_id=ticket.assignee_id,
            created_at=latest,
        )
        agent_month_escalation_count(escalation=escalation, ticket=ticket)

    def event(ticket):
        note = TicketEvent(
            ticket=ticket,
            kind=EventKind.NOTE_ADDED,
            assignee_id=ticket.assignee_id,
            created_at=latest,
        )
        agent_month_event_count(event=note, ticket=ticket)

    for label, call in (("per escalation", escalation), ("per ticket event", event)):
        each(call)  # warm
        with CaptureQueriesContext(connection) as queries:
            runs = sorted(each(call))
        print(
            f"incremental rollup update {label}: median {statistics.median(runs):.2f} ms, "
            f"p95 {runs[int(len(runs) * 0.95)]:.2f} ms, max {runs[-1]:.2f} ms "
            f"({len(runs)} tickets, {len(queries) / len(runs):.1f} queries each "
            "incl. SAVEPOINT/RELEASE/ROLLBACK of the benchmark's own transaction)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--teams", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the existing database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    if args.reuse:
        manage("migrate", "--noinput", "-v0")
    else:
        drop()
        psql(f"CREATE DATABASE {DB}")
        manage("migrate", "--noinput", "-v0")
        start = time.perf_counter()
        manage(
            "seed_volume",
            f"--tickets={args.tickets}",
            f"--agents={args.agents}",
            f"--teams={args.teams}",
        )
        print(f"generation: {time.perf_counter() - start:.0f} s")
    try:
        measure(args.runs)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop()


if __name__ == "__main__":
    main()
