"""Worker-to-socket live push latency, in the embedded default and in production shape.

Each probe is a django-q2 task run by a ``qcluster`` worker (``bench.live_probe.probe``): it
stamps ``time.time()`` and pushes an event to a ticket group through ``tickets.realtime``, as
the escalation engine does. WebSocket clients signed in as the team lead hold the ticket's
socket on every web process; latency = arrival - stamp (same machine, same clock). Queue pickup
is not included: this measures the live push path alone.

Shapes (each in its own process, since Django is set up once per process):
  embedded   ``make run``: SQLite file, uvicorn, one qcluster, no REDIS_URL (database outbox)
  postgres   PostgreSQL without Redis: 2 uvicorn, 2 qcluster (database outbox, ORM broker)
  redis      production: PostgreSQL + Redis, 2 uvicorn, 2 qcluster (channels-redis)

    .venv/bin/python bench/live_push.py --shape all --probes 300 --rate 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import PYTHON, ROOT, percentile, running_stack, wait_for_port

WARMUP = 10
EMBEDDED_PORT = 8691


def fixture_create() -> tuple[int, str]:
    """A team lead, a ticket of their team and a signed-in session; Django is set up already."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tickets.models import Agent, Customer, Queue, Role, Team, Ticket

    team = Team.objects.create(name="Bench team")
    lead = Agent.objects.create_user("bench-lead", team=team, role=Role.LEAD)
    queue = Queue.objects.create(name="Inbox", team=team)
    customer = Customer.objects.create(external_id="bench-1", name="Bench customer")
    ticket = Ticket.objects.create(subject="Bench", customer=customer, queue=queue, status="open")
    session = SessionStore()
    session[SESSION_KEY] = str(lead.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = lead.get_session_auth_hash()
    session.create()
    return ticket.pk, session.session_key or ""


async def listen(port: int, ticket_id: int, session: str, arrivals: dict, ready: asyncio.Event):  # type: ignore[no-untyped-def,type-arg]
    import websockets

    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/tickets/{ticket_id}/",
        additional_headers={"Cookie": f"sessionid={session}", "Origin": f"http://127.0.0.1:{port}"},
        open_timeout=30,
    ) as ws:
        ready.set()
        async for raw in ws:
            event = json.loads(raw)
            if event.get("type") == "bench.probe":
                arrivals[(port, event["seq"])] = (time.time() - event["sent_at"]) * 1000


async def measure(ports: list[int], ticket_id: int, session: str, probes: int, rate: float):  # type: ignore[no-untyped-def]
    from asgiref.sync import sync_to_async
    from django_q.tasks import async_task

    arrivals: dict[tuple[int, int], float] = {}
    readies = [asyncio.Event() for _ in ports]
    listeners = [
        asyncio.create_task(listen(port, ticket_id, session, arrivals, ready))
        for port, ready in zip(ports, readies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    enqueue = sync_to_async(async_task, thread_sensitive=True)
    total = WARMUP + probes
    for seq in range(total):
        await enqueue("bench.live_probe.probe", ticket_id, seq)
        await asyncio.sleep(1 / rate)
    deadline = time.monotonic() + 30
    while len(arrivals) < total * len(ports) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    for task in listeners:
        task.cancel()
    measured = [ms for (_, seq), ms in arrivals.items() if seq >= WARMUP]
    lost = probes * len(ports) - len(measured)
    return measured, lost


@contextlib.contextmanager
def embedded_processes() -> Iterator[tuple[list[int], dict[str, str]]]:
    """``make run`` on a scratch SQLite file: uvicorn and a qcluster, dev settings, no Redis."""
    tmp = Path(tempfile.mkdtemp(prefix="kd-live-"))
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "LIVE_LAYER")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kimondesk.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp / 'kimondesk.sqlite3'}",
            "LOG_LEVEL": "WARNING",
        }
    )
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    web = subprocess.Popen(
        [str(ROOT / ".venv/bin/uvicorn"), "kimondesk.asgi:application", "--host", "127.0.0.1",
         "--port", str(EMBEDDED_PORT), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    worker = subprocess.Popen(
        [PYTHON, "manage.py", "qcluster"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_port(EMBEDDED_PORT)
        yield [EMBEDDED_PORT], env
    finally:
        web.terminate()
        os.killpg(worker.pid, 15)
        web.wait(10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(10)


def run_shape(shape: str, probes: int, rate: float) -> dict[str, Any]:
    import django

    if shape == "embedded":
        context: Any = embedded_processes()
    else:
        extra = {"REDIS_URL": ""} if shape == "postgres" else {}
        context = running_stack(
            db_name=f"kd_livecore_{shape}",
            web=2,
            workers=2,
            env=extra,
            base_port=8672,
            redis_port=6397,
        )
    with context as started:
        if shape == "embedded":
            ports, env = started
        else:
            stack = started
            for i in range(2):
                stack.start_web(i)
                stack.start_worker(i)
            ports, env = stack.web_ports, stack.base_env()
        os.environ.update(env)
        django.setup()
        ticket_id, session = fixture_create()
        time.sleep(3)  # workers up
        measured, lost = asyncio.run(measure(ports, ticket_id, session, probes, rate))
    return {
        "shape": shape,
        "sockets": len(ports),
        "probes": probes,
        "rate": rate,
        "median_ms": round(statistics.median(measured), 1),
        "p99_ms": round(percentile(measured, 99), 1),
        "max_ms": round(max(measured), 1),
        "lost": lost,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=["embedded", "postgres", "redis", "all"], default="all")
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="probes per second")
    args = parser.parse_args()
    if args.shape == "all":
        print(f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
        for shape in ("embedded", "postgres", "redis"):
            subprocess.run(
                [PYTHON, __file__, "--shape", shape, "--probes", str(args.probes),
                 "--rate", str(args.rate)],
                check=True,
            )  # fmt: skip
        return
    print(json.dumps(run_shape(args.shape, args.probes, args.rate)), flush=True)


if __name__ == "__main__":
    main()
