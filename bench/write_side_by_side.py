"""Writes side by side (issue #18): KimonDesk, django-helpdesk and a minimal Django floor.

On this machine, in production shape: a scratch PostgreSQL database with the demo data set
(``seed_demo``, 1,000 tickets), a private Redis, KimonDesk served by uvicorn with 1 worker
(production settings) and one ``qcluster``; next to it the floor app (``bench/floor/``: the same
Django, database settings and tables, raw SQL, no middleware) served the same way; and, when it
installs, django-helpdesk 2.6.1 (``bench/helpdesk_peer/``) in a throwaway environment under
``var/`` on its own database with the same Django, DRF, psycopg and uvicorn versions. Without it
that column is skipped and the reason printed.

For each operation, rounds are interleaved (KimonDesk, helpdesk, floor, then the next round
starting with the next system), after one unmeasured warm-up trial per system and operation:

- customer message via the API: requests/s, and server CPU per request: the uvicorn process,
  the qcluster processes (after the queue has drained) and the PostgreSQL backends connected
  to the system's database, each from ``/proc/<pid>/stat`` (utime + stime) before and after;
- ticket create via the API: the same figures;
- the ticket page of a ticket with 50 messages: latency p50 (one request at a time);
- the ticket list, 25 per page, over the API: requests/s.

The table gives the median over rounds and its ratio to the floor's median.

    .venv/bin/python bench/write_side_by_side.py                  # 5 rounds of 200 requests
    .venv/bin/python bench/write_side_by_side.py --quick          # smoke run, under 2 minutes
    .venv/bin/python bench/write_side_by_side.py --only kimondesk,floor --profile

``--profile`` samples KimonDesk's web process with py-spy (the ``dev`` extra) during its first
measured message trial and prints the top frames. Needs PostgreSQL on 127.0.0.1:5432 (trust
auth) and ``redis-server`` on the PATH; databases ``kd_writebench`` and ``kd_writebench_helpdesk``
are created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import (
    BENCH_SECRET,
    PYTHON,
    ROOT,
    Stack,
    cpu_seconds,
    percentile,
    running_stack,
    wait_for_port,
)

SYSTEMS = ("kimondesk", "helpdesk", "floor")
TITLES = {"kimondesk": "KimonDesk", "helpdesk": "django-helpdesk 2.6.1", "floor": "floor"}
# Reads first: the list then runs on the seeded tickets only (django-helpdesk's list walks every
# ticket, so the create trials would slow it down).
OPERATIONS = ("list", "page", "message", "create")
DB_NAME = "kd_writebench"
HELPDESK_DB = "kd_writebench_helpdesk"
HELPDESK_VENV = ROOT / "var" / "helpdesk-venv"
MESSAGE = "Hello, could you tell me when the corrected invoice will be sent? Thank you."
PAGE_MESSAGES = 50
# Installed into django-helpdesk's environment at the versions KimonDesk's environment has.
SHARED_STACK = (
    "Django", "djangorestframework", "psycopg", "psycopg-binary", "psycopg-pool", "uvicorn",
    "uvloop", "httptools",
)  # fmt: skip
PROJECT_CODE = ("kimondesk/", "tickets/", "escalations/", "reports/")

# (method, path, JSON body or None, headers)
Request = tuple[str, str, dict[str, object] | None, dict[str, str]]


@dataclass
class System:
    """One column: where it listens, which processes and database it uses, how to ask it."""

    name: str
    port: int
    web: Callable[[], int]  # the uvicorn process id
    request: Callable[[str, int], Request]
    database: str
    workers: Callable[[], list[int]] = list
    settle: Callable[[], None] = lambda: None


@dataclass
class Trial:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    web: float = 0.0
    worker: float = 0.0
    db: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else float("nan")

    def cpu_ms(self, part: str) -> float:
        used = self.web + self.worker + self.db if part == "total" else getattr(self, part)
        return 1000 * float(used) / self.sent if self.sent else float("nan")


# --- measuring -----------------------------------------------------------------------------


class PostgresBackends:
    """CPU seconds of the PostgreSQL client backends connected to given databases."""

    def __init__(self) -> None:
        import psycopg

        self.connection = psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        )

    def cpu(self, database: str) -> dict[int, float]:
        rows = self.connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            [database],
        ).fetchall()
        return {int(pid): cpu_seconds(int(pid)) for (pid,) in rows}

    def close(self) -> None:
        self.connection.close()


def db_cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the backends used in between; a backend that started meanwhile counts whole."""
    return sum(used - before.get(pid, 0.0) for pid, used in after.items())


def http_send(conn: http.client.HTTPConnection, request: Request) -> int:
    method, path, body, headers = request
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"Host": "127.0.0.1", **headers}
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=all_headers)
    response = conn.getresponse()
    response.read()
    return int(response.status)


def trial_run(
    system: System, operation: str, *, requests: int, concurrency: int, seconds: float,
    backends: PostgresBackends, profile: Path | None = None,
) -> Trial:  # fmt: skip
    """``requests`` requests on ``concurrency`` keep-alive connections, issuing no new one
    after ``seconds``; CPU of the server, its workers (once drained) and its database."""
    result = Trial()
    lock = threading.Lock()
    counter = iter(range(requests))
    web_pid = system.web()
    spy = profile_start(web_pid, profile) if profile else None
    db_before = backends.cpu(system.database)
    web_before = cpu_seconds(web_pid)
    workers_before = sum(cpu_seconds(pid, reaped=True) for pid in system.workers())
    started = time.perf_counter()
    deadline = started + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", system.port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            begin = time.perf_counter()
            try:
                status = http_send(conn, system.request(operation, index))
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", system.port, timeout=60)
            elapsed = (time.perf_counter() - begin) * 1000
            with lock:
                result.sent += 1
                result.statuses[status] += 1
                result.latencies_ms.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    if spy:
        profile_stop(spy)
    system.settle()
    result.web = cpu_seconds(web_pid) - web_before
    result.worker = sum(cpu_seconds(pid, reaped=True) for pid in system.workers()) - workers_before
    result.db = db_cpu_used(db_before, backends.cpu(system.database))
    return result


def page_check(system: System) -> None:
    """The page request reaches the 50-message ticket (not a sign-in page or an error)."""
    method, path, _, headers = system.request("page", 0)
    conn = http.client.HTTPConnection("127.0.0.1", system.port, timeout=60)
    try:
        conn.request(method, path, headers={"Host": "127.0.0.1", **headers})
        response = conn.getresponse()
        html = response.read().decode(errors="replace")
    finally:
        conn.close()
    last = f"Message {PAGE_MESSAGES - 1}:"
    if response.status != 200 or last not in html:
        raise SystemExit(f"{system.name}: {path} answered {response.status} without {last!r}")


# --- profiling -----------------------------------------------------------------------------


def profile_start(pid: int, output: Path) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not Path(spy).exists():
        print("--profile: py-spy is not installed (`pip install py-spy`, the dev extra)")
        return None
    process = subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--rate", "200", "--format", "raw",
         "--output", str(output), "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.0)  # py-spy attaches
    return process


def profile_stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    if process.returncode:
        print(f"py-spy: {err.decode(errors='replace').strip()[-400:]}")


def profile_report(path: Path, *, top: int = 25) -> str:
    """Top frames of a py-spy raw (collapsed) profile: inclusive and self shares of samples."""
    if not path.exists():
        return "(no profile recorded)"
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    if not total:
        return "(no samples)"
    project = Counter(
        {f: n for f, n in inclusive.items() if any(f"({p}" in f for p in PROJECT_CODE)}
    )
    lines = [
        f"{total} samples (py-spy --gil: the thread holding the GIL) of KimonDesk's web "
        "process during its first measured message trial",
        "",
        "KimonDesk's own code, inclusive (the function and everything it called):",
    ]
    lines += [f"  {100 * n / total:5.1f} %  {frame}" for frame, n in project.most_common(top)]
    lines += ["", "self (the frame itself on the CPU):"]
    lines += [f"  {100 * n / total:5.1f} %  {frame}" for frame, n in own.most_common(top // 2)]
    return "\n".join(lines)


# --- KimonDesk and the floor ----------------------------------------------------------------


@dataclass
class KimonDeskFixture:
    token: str
    session: str
    ticket_ids: list[int]
    page_ticket: int
    customer: int
    queue: int


def kimondesk_fixture(stack: Stack, tickets: int) -> KimonDeskFixture:
    """The demo data set, then a superuser with a token and a session, and a 50-message ticket."""
    stack.manage("seed_demo", "--tickets", str(tickets), "--seed", "18", "-v0")
    from bench.reports_http import signed_in_session
    from bench.stack import django_setup

    django_setup(stack)
    from django.db import connections

    from tickets.models import AuthorType, Message, Status, Ticket

    session, token = signed_in_session()  # a superuser's session and API token
    demo = Ticket.objects.filter(status__in=[Status.NEW, Status.OPEN, Status.PENDING])
    sample = demo.exclude(queue=None).exclude(assignee=None).order_by("pk").first()
    assert sample is not None, "the demo data set has no open assigned ticket"
    page = Ticket.objects.create(
        subject="Fifty messages", customer=sample.customer, queue=sample.queue,
        assignee=sample.assignee, status=Status.OPEN,
    )  # fmt: skip
    Message.objects.bulk_create(
        Message(
            ticket=page,
            author_type=AuthorType.AGENT if n % 2 else AuthorType.CUSTOMER,
            author_agent=sample.assignee if n % 2 else None,
            body=f"Message {n}: the parcel arrived with a broken seal, any news on this?",
        )
        for n in range(PAGE_MESSAGES)
    )
    fixture = KimonDeskFixture(
        token=token,
        session=session,
        ticket_ids=list(demo.exclude(pk=page.pk).order_by("pk").values_list("pk", flat=True)),
        page_ticket=page.pk,
        customer=sample.customer_id,
        queue=sample.queue_id or 0,
    )
    connections.close_all()  # the driver holds no backend of the measured database
    return fixture


def kimondesk_request(fixture: KimonDeskFixture, prefix: str) -> Callable[[str, int], Request]:
    """Requests for KimonDesk (``prefix`` ``/api/v1``) or the floor (``/api``, same shapes)."""
    api = {"Authorization": f"Token {fixture.token}"}
    ids = fixture.ticket_ids

    def request(operation: str, index: int) -> Request:
        if operation == "message":
            path = f"{prefix}/tickets/{ids[index % len(ids)]}/messages/"
            return "POST", path, {"author_type": "customer", "body": MESSAGE}, api
        if operation == "create":
            body: dict[str, object] = {
                "subject": f"Bench ticket {index}: invoice question",
                "customer": fixture.customer,
                "queue": fixture.queue,
                "body": MESSAGE,
            }
            return "POST", f"{prefix}/tickets/", body, api
        if operation == "page":
            cookie = {"Cookie": f"sessionid={fixture.session}"}
            return "GET", f"/tickets/{fixture.page_ticket}/", None, cookie
        return "GET", f"{prefix}/tickets/?page_size=25", None, api

    return request


def queue_drained(stack: Stack, worker_pids: Callable[[], list[int]]) -> Callable[[], None]:
    """Wait until the task queue is empty and the workers stop using CPU (tasks in flight)."""

    def settle() -> None:
        deadline = time.monotonic() + 120
        while stack.queue_length() and time.monotonic() < deadline:
            time.sleep(0.1)
        used = sum(cpu_seconds(pid, reaped=True) for pid in worker_pids())
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = sum(cpu_seconds(pid, reaped=True) for pid in worker_pids())
            if now - used <= 0.01:
                return
            used = now

    return settle


def uvicorn_start(
    stack: Stack, name: str, *, app: str, port: int, env: dict[str, str], uvicorn: str
) -> None:
    """One uvicorn process (1 worker), as ``Stack.start_web`` starts KimonDesk's."""
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        raise SystemExit(f"port {port} is taken: pass --base-port")
    stack.processes[name] = subprocess.Popen(
        [uvicorn, app, "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=open(stack.tmp / f"{name}.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_port(port, timeout=60)


# --- django-helpdesk (the peer column; runs only where it installs) --------------------------


def helpdesk_environment() -> tuple[Path | None, str]:
    """A throwaway venv with django-helpdesk 2.6.1 and KimonDesk's versions of the shared stack:
    its python, or None and the reason it could not be made."""
    python = HELPDESK_VENV / "bin" / "python"
    pins = ["django-helpdesk==2.6.1"] + [
        f"{package}=={importlib.metadata.version(package)}" for package in SHARED_STACK
    ]
    check = [str(python), "-c", "import helpdesk, django, rest_framework, psycopg_pool, uvicorn"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, ""
    made = subprocess.run(
        [sys.executable, "-m", "venv", "--clear", str(HELPDESK_VENV)], capture_output=True
    )
    if made.returncode:
        return None, f"python -m venv failed: {made.stderr.decode(errors='replace')[-300:]}"
    print(f"installing {', '.join(pins)} into {HELPDESK_VENV} …", flush=True)
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *pins],
        capture_output=True,
    )
    if pip.returncode:
        tail = pip.stderr.decode(errors="replace").strip().splitlines()[-3:]
        return None, "pip install django-helpdesk==2.6.1 failed: " + " / ".join(tail)
    return python, ""


def helpdesk_prepare(python: Path, *, tickets: int) -> tuple[dict[str, Any] | None, str]:
    """Create, migrate and seed its own database: the fixture, or None and the reason."""
    for sql in (
        f"DROP DATABASE IF EXISTS {HELPDESK_DB} WITH (FORCE)",
        f"CREATE DATABASE {HELPDESK_DB}",
    ):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    steps = [
        [str(python), "-m", "django", "migrate", "--noinput", "-v0"],
        [str(python), "-m", "bench.helpdesk_peer.seed", "--tickets", str(tickets)],
    ]
    output = ""
    for step in steps:
        done = subprocess.run(step, cwd=ROOT, env=helpdesk_env(), capture_output=True)
        if done.returncode:
            return None, f"{' '.join(step[1:4])} failed: {done.stderr.decode()[-400:]}"
        output = done.stdout.decode()
    return json.loads(output.strip().splitlines()[-1]), ""


def helpdesk_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.helpdesk_peer.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{HELPDESK_DB}",
        "SECRET_KEY": BENCH_SECRET,
        "MEDIA_ROOT": str(ROOT / "var" / "helpdesk-media"),
        "PYTHONUNBUFFERED": "1",
    }


def helpdesk_serve(stack: Stack, python: Path, fixture: dict[str, Any], *, port: int) -> System:
    """uvicorn on the seeded database, and how to ask it for each operation."""
    uvicorn_start(
        stack, "helpdesk", app="bench.helpdesk_peer.asgi:application", port=port,
        env=helpdesk_env(), uvicorn=str(python.parent / "uvicorn"),
    )  # fmt: skip
    api = {"Authorization": f"Token {fixture['token']}"}
    ids: list[int] = fixture["ticket_ids"]

    def request(operation: str, index: int) -> Request:
        if operation == "message":  # its API's follow-up: update_ticket, as a reply by mail
            body: dict[str, object] = {
                "ticket": ids[index % len(ids)], "comment": MESSAGE, "public": True,
                "user": None,
            }  # fmt: skip
            return "POST", "/api/followups/", body, api
        if operation == "create":  # its API's ticket create: TicketForm.save
            body = {
                "queue": fixture["queue"], "title": f"Bench ticket {index}: invoice question",
                "description": MESSAGE, "submitter_email": "customer@example.com",
                "priority": 3,
            }  # fmt: skip
            return "POST", "/api/tickets/", body, api
        if operation == "page":
            cookie = {"Cookie": f"sessionid={fixture['session']}"}
            return "GET", f"/tickets/{fixture['page_ticket']}/", None, cookie
        return "GET", "/api/tickets/?page_size=25", None, api

    process = stack.processes["helpdesk"]
    return System("helpdesk", port, lambda: process.pid, request, HELPDESK_DB)


# --- the run -------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def figure(op: str, trials: list[Trial]) -> dict[str, float]:
    """Medians over rounds of what the table shows for one operation."""
    return {
        "rate": median([t.rate for t in trials]),
        "p50": median([percentile(t.latencies_ms, 50) for t in trials]),
        **{
            part: median([t.cpu_ms(part) for t in trials])
            for part in ("total", "web", "worker", "db")
        },
    }


def table(results: dict[str, dict[str, list[Trial]]], skipped: dict[str, str]) -> str:
    columns = [s for s in SYSTEMS if s in results or s in skipped]
    medians = {s: {op: figure(op, ts) for op, ts in results[s].items()} for s in results}
    floor = medians.get("floor")

    def cell(system: str, op: str, key: str, unit: str) -> str:
        if system in skipped:
            return "skipped"
        value = medians[system][op][key]
        text = f"{value:.{0 if value >= 10 and unit != ' ms' else 1}f}{unit}"
        if key == "total":
            m = medians[system][op]
            text += f" ({m['web']:.1f} + {m['worker']:.1f} + {m['db']:.1f})"
        if floor and system != "floor" and floor[op][key] > 0:
            text += f", {value / floor[op][key]:.3g}x floor"
        return text

    rows = [
        ("customer message via API: req/s", "message", "rate", ""),
        ("… server CPU per request (web + worker + DB)", "message", "total", " ms"),
        ("ticket create: server CPU (web + worker + DB)", "create", "total", " ms"),
        (f"{PAGE_MESSAGES}-message ticket page: p50", "page", "p50", " ms"),
        ("ticket list, 25: req/s", "list", "rate", ""),
    ]
    lines = [
        "| operation | " + " | ".join(TITLES[s] for s in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    lines += [
        f"| {label} | " + " | ".join(cell(s, op, key, unit) for s in columns) + " |"
        for label, op, key, unit in rows
    ]
    for system, reason in skipped.items():
        lines.append(f"\n{TITLES[system]} skipped: {reason}")
    return "\n".join(lines)


def rounds_detail(results: dict[str, dict[str, list[Trial]]]) -> str:
    """Every round's figures, so the spread behind each median shows."""
    lines = []
    for system, by_op in results.items():
        for op, trials in by_op.items():
            statuses: Counter[int] = Counter()
            for t in trials:
                statuses.update(t.statuses)
            if op == "page":
                values = ", ".join(f"{percentile(t.latencies_ms, 50):.1f}" for t in trials)
                what = "p50 ms"
            elif op == "list":
                values = ", ".join(f"{t.rate:.1f}" for t in trials)
                what = "req/s"
            else:
                values = ", ".join(f"{t.rate:.0f}/s {t.cpu_ms('total'):.1f} ms" for t in trials)
                what = "req/s and CPU per request"
            lines.append(f"- {TITLES[system]}, {op} ({what}): {values}; statuses {dict(statuses)}")
    return "\n".join(lines)


@contextlib.contextmanager
def helpdesk_database_dropped() -> Iterator[None]:
    try:
        yield
    finally:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
             f"DROP DATABASE IF EXISTS {HELPDESK_DB} WITH (FORCE)"],
            check=False,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="per trial (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--concurrency", type=int, default=4, help="connections (default 4)")
    parser.add_argument(
        "--trial-seconds", type=float, default=20, help="no new request after this (default 20)"
    )
    parser.add_argument(
        "--warmup", type=int, default=20, help="unmeasured requests first (default 20)"
    )
    parser.add_argument("--tickets", type=int, default=1000, help="demo tickets (default 1000)")
    parser.add_argument(
        "--only", default=",".join(SYSTEMS), help="systems, comma-separated: " + ",".join(SYSTEMS)
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: small N, one round")
    parser.add_argument("--profile", action="store_true", help="py-spy on KimonDesk's web")
    parser.add_argument("--base-port", type=int, default=8791)
    parser.add_argument("--redis-port", type=int, default=6419)
    args = parser.parse_args()
    if args.quick:
        args.requests, args.rounds, args.tickets, args.trial_seconds = 10, 1, 100, 2
        args.warmup = 5
    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(wanted) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    ports = {s: args.base_port + i for i, s in enumerate(SYSTEMS)}
    skipped: dict[str, str] = {}
    helpdesk_python = None
    if "helpdesk" in wanted:
        helpdesk_python, reason = helpdesk_environment()
        if helpdesk_python is None:
            skipped["helpdesk"] = reason
            print(f"django-helpdesk column skipped: {reason}", flush=True)

    began = time.monotonic()
    load_before = os.getloadavg()
    # django-helpdesk's database is migrated and seeded while KimonDesk's is (2 cores).
    prepared: list[tuple[dict[str, Any] | None, str]] = []
    preparing = threading.Thread(
        target=lambda: (
            prepared.append(helpdesk_prepare(helpdesk_python, tickets=args.tickets))
            if helpdesk_python
            else None
        )
    )
    preparing.start()
    with (
        running_stack(
            db_name=DB_NAME, web=1, workers=1, base_port=ports["kimondesk"],
            redis_port=args.redis_port,
        ) as stack,
        helpdesk_database_dropped(),
    ):  # fmt: skip
        print(f"seeding {args.tickets} demo tickets …", flush=True)
        static = subprocess.Popen(  # the page needs the manifest; meanwhile the seed runs
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=stack.base_env(),
        )
        fixture = kimondesk_fixture(stack, args.tickets)
        if static.wait():
            raise SystemExit("collectstatic failed")
        preparing.join()
        systems: dict[str, System] = {}
        if "kimondesk" in wanted:
            stack.start_web(0)
            stack.start_worker(0)
            stack.wait_for_clusters(1)

            def worker_pids() -> list[int]:
                return [stack.processes["worker0"].pid]

            systems["kimondesk"] = System(
                "kimondesk", ports["kimondesk"], lambda: stack.processes["web0"].pid,
                kimondesk_request(fixture, "/api/v1"), DB_NAME, worker_pids,
                queue_drained(stack, worker_pids),
            )  # fmt: skip
        if helpdesk_python is not None:
            peer_fixture, reason = prepared[0] if prepared else (None, "seeding crashed")
            if peer_fixture is None:
                skipped["helpdesk"] = reason
                print(f"django-helpdesk column skipped: {reason}", flush=True)
            else:
                systems["helpdesk"] = helpdesk_serve(
                    stack, helpdesk_python, peer_fixture, port=ports["helpdesk"]
                )
        if "floor" in wanted:
            env = {**stack.base_env(), "DJANGO_SETTINGS_MODULE": "bench.floor.settings"}
            uvicorn_start(
                stack, "floor", app="bench.floor.asgi:application", port=ports["floor"],
                env=env, uvicorn=str(ROOT / ".venv" / "bin" / "uvicorn"),
            )  # fmt: skip
            systems["floor"] = System(
                "floor", ports["floor"], lambda: stack.processes["floor"].pid,
                kimondesk_request(fixture, "/api"), DB_NAME,
            )  # fmt: skip
        for system in systems.values():
            page_check(system)
        print(f"ready after {time.monotonic() - began:.0f} s: {', '.join(systems)}", flush=True)

        backends = PostgresBackends()
        order = list(systems.values())
        results: dict[str, dict[str, list[Trial]]] = {s: {} for s in systems}
        profile_file = stack.tmp / "message.pyspy.txt" if args.profile else None
        try:
            for op in OPERATIONS:
                concurrency = 1 if op == "page" else args.concurrency
                for system in order:  # warm-up, unmeasured
                    trial_run(
                        system, op, requests=args.warmup, concurrency=concurrency,
                        seconds=args.trial_seconds, backends=backends,
                    )  # fmt: skip
                for round_ in range(args.rounds):
                    turn = order[round_ % len(order) :] + order[: round_ % len(order)]
                    for system in turn:
                        spy = (
                            profile_file
                            if profile_file and round_ == 0 and op == "message"
                            and system.name == "kimondesk"
                            else None
                        )  # fmt: skip
                        trial = trial_run(
                            system, op, requests=args.requests, concurrency=concurrency,
                            seconds=args.trial_seconds, backends=backends, profile=spy,
                        )  # fmt: skip
                        results[system.name].setdefault(op, []).append(trial)
                        print(
                            f"round {round_ + 1} {op:<7} {system.name:<9} {trial.ok}/{trial.sent} ok "
                            f"{trial.rate:6.1f}/s p50 {percentile(trial.latencies_ms, 50):6.1f} ms "
                            f"CPU {trial.cpu_ms('total'):5.1f} ms/request "
                            f"(web {trial.cpu_ms('web'):.1f} worker {trial.cpu_ms('worker'):.1f} "
                            f"db {trial.cpu_ms('db'):.1f})",
                            flush=True,
                        )
            profile_text = profile_report(profile_file) if profile_file else ""
        finally:
            backends.close()
    load = os.getloadavg()
    print()
    print(
        f"{args.rounds} rounds of {args.requests} requests (at most {args.trial_seconds:.0f} s each), "
        f"{args.concurrency} connections (the page: 1), {args.tickets} demo tickets; "
        f"{time.monotonic() - began:.0f} s; load average (1 / 5 min) {load_before[0]:.1f} / "
        f"{load_before[1]:.1f} at the start, {load[0]:.1f} / {load[1]:.1f} at the end"
    )
    print()
    print(table(results, skipped))
    print()
    print(rounds_detail(results))
    if profile_text:
        print()
        print(profile_text)


if __name__ == "__main__":
    main()
