"""End-to-end escalation latency, ingest throughput and WebSocket fan-out, in production shape.

A customer message arrives through the REST API (spread over the web servers) → the sentiment
trigger fires in a qcluster worker → the escalation commits → the summary reaches the receiving
agent's sockets, connected to the last web server (every push crosses the Redis channel layer).

    .venv/bin/python bench/e2e_latency.py --rate 50 --duration 60            # scenario 1
    .venv/bin/python bench/e2e_latency.py --rate 0 --duration 30             # 2: ingest (max rate)
    .venv/bin/python bench/e2e_latency.py --rate 50 --duration 30 --ticket-sockets 1000  # 3: fan-out

Add ``--write`` to record the figures in docs/benchmarks.md. Needs PostgreSQL on 127.0.0.1:5432
(trust auth) and ``redis-server`` on the PATH; a private Redis and a scratch database are used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import Stack, percentile, running_stack

NEUTRAL_MESSAGE = "Hello, could you tell me when the corrected invoice will be sent? Thank you."
NEGATIVE_MESSAGE = (
    "This is unacceptable. Three weeks and still no fix, I will cancel my account and "
    "switch to a competitor if nobody calls me today."
)


@dataclass
class Fixture:
    ticket_ids: list[int]
    warmup_ticket_ids: list[int]
    token: str
    receiver_session: str
    receiver_id: int


@dataclass
class Results:
    sent_at: dict[int, float] = field(default_factory=dict)
    accepted: int = 0
    escalating_accepted: int = 0
    rejected: int = 0
    rejected_statuses: dict[int, int] = field(default_factory=dict)
    notify_latency_ms: list[float] = field(default_factory=list)
    summary_latency_ms: list[float] = field(default_factory=list)
    queue_samples: list[int] = field(default_factory=list)
    send_seconds: float = 0.0
    started: float = 0.0
    warmup_sent_at: dict[int, float] = field(default_factory=dict)
    warmup_latency_ms: list[float] = field(default_factory=list)
    timeline: list[tuple[float, float]] = field(default_factory=list)
    drain_seconds: float = 0.0


def fixture_create(stack: Stack, tickets: int, warmup_tickets: int) -> Fixture:
    """Data written straight through the ORM in the driver process (no workflow side effects)."""
    from bench.stack import django_setup

    django_setup(stack)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from escalations.models import Rule, Target, TargetKind
    from tickets.models import Agent, Customer, Queue, Role, Team, Ticket

    team = Team.objects.create(name="Bench team")
    lead = Agent.objects.create_user("bench-lead", team=team, role=Role.LEAD)
    team.lead = lead
    team.save()
    holder = Agent.objects.create_user("bench-junior", team=team, role=Role.JUNIOR)
    integration = Agent.objects.create_superuser("bench-integration")
    queue = Queue.objects.create(name="Inbox", team=team)
    customer = Customer.objects.create(external_id="bench-1", name="Bench customer")
    target = Target.objects.create(name="Team lead", kind=TargetKind.TEAM_LEAD, team=team)
    Rule.objects.create(
        name="Angry customer → lead",
        team=team,
        trigger_kind="sentiment_negative",
        target=target,
        cooldown_minutes=0,
    )
    rows = Ticket.objects.bulk_create(
        Ticket(subject=f"Bench {i}", customer=customer, queue=queue, assignee=holder, status="open")
        for i in range(tickets + warmup_tickets)
    )
    session = SessionStore()
    session[SESSION_KEY] = str(lead.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = lead.get_session_auth_hash()
    session.create()
    token = Token.objects.create(user=integration)
    ids = [t.pk for t in rows]
    return Fixture(ids[:tickets], ids[tickets:], token.key, session.session_key or "", lead.pk)


def post_message(port: int, token: str, ticket_id: int, body: str) -> int:
    request = urllib.request.Request(  # loopback only
        f"http://127.0.0.1:{port}/api/v1/tickets/{ticket_id}/messages/",
        data=json.dumps({"author_type": "customer", "body": body}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


async def socket_listen(url: str, session: str, origin: str, on_event, ready: asyncio.Event):  # type: ignore[no-untyped-def]
    import websockets

    async with websockets.connect(
        url,
        additional_headers={"Cookie": f"sessionid={session}", "Origin": origin},
        open_timeout=30,
    ) as ws:
        ready.set()
        async for raw in ws:
            on_event(json.loads(raw), time.perf_counter())


async def run(stack: Stack, fixture: Fixture, args: argparse.Namespace) -> Results:
    import redis

    results = Results()
    # POSTs are spread over every web server (as a load balancer would); the receiving agent's
    # sockets sit on the last one, and the pushes come from the workers through Redis.
    ws_port = stack.web_ports[-1]
    origin = f"http://127.0.0.1:{ws_port}"
    total = len(fixture.ticket_ids)
    done = asyncio.Event()

    def on_notification(event: dict, at: float) -> None:  # type: ignore[type-arg]
        if event.get("type") == "escalation.assigned" and event["ticket"] in results.warmup_sent_at:
            sent = results.warmup_sent_at[event["ticket"]]
            results.warmup_latency_ms.append((at - sent) * 1000)
        if event.get("type") == "escalation.assigned" and event["ticket"] in results.sent_at:
            sent = results.sent_at[event["ticket"]]
            results.notify_latency_ms.append((at - sent) * 1000)
            results.timeline.append((sent - results.started, (at - sent) * 1000))
            if (
                len(results.notify_latency_ms) >= results.escalating_accepted
                and sending_finished.is_set()
            ):
                done.set()

    def on_ticket_event(event: dict, at: float) -> None:  # type: ignore[type-arg]
        if event.get("type") == "escalation.summary" and event["ticket"] in results.sent_at:
            results.summary_latency_ms.append((at - results.sent_at[event["ticket"]]) * 1000)

    sending_finished = asyncio.Event()
    every = max(1, round(1 / args.escalating_share))
    listeners = []
    ready_events = []
    sockets = [(f"ws://127.0.0.1:{ws_port}/ws/notifications/", on_notification)]
    sockets += [
        (f"ws://127.0.0.1:{ws_port}/ws/tickets/{tid}/", on_ticket_event)
        for tid in [t for t in fixture.ticket_ids if t % every == 0][: args.ticket_sockets]
    ]
    for url, handler in sockets:
        ready = asyncio.Event()
        ready_events.append(ready)
        listeners.append(
            asyncio.create_task(
                socket_listen(url, fixture.receiver_session, origin, handler, ready)
            )
        )
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready_events)), 120)
    print(f"{len(sockets)} sockets open on web server 2", flush=True)

    queue = redis.Redis.from_url(stack.redis_url)
    queue_key = "django_q:kimondesk:q"

    async def sample_queue() -> None:
        while not done.is_set():
            results.queue_samples.append(int(queue.llen(queue_key)))
            await asyncio.sleep(1)

    sampler = asyncio.create_task(sample_queue())
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=args.concurrency)

    async def send(ticket_id: int, *, measured: bool = True) -> None:
        escalating = ticket_id % every == 0
        if escalating:
            (results.sent_at if measured else results.warmup_sent_at)[ticket_id] = (
                time.perf_counter()
            )
        body = NEGATIVE_MESSAGE if escalating else NEUTRAL_MESSAGE
        status = await loop.run_in_executor(
            pool,
            post_message,
            stack.web_ports[ticket_id % len(stack.web_ports)],
            fixture.token,
            ticket_id,
            body,
        )
        if not measured:
            return
        if status == 201:
            results.accepted += 1
            results.escalating_accepted += int(escalating)
        else:
            results.rejected += 1
            results.rejected_statuses[status] = results.rejected_statuses.get(status, 0) + 1

    async def paced(ticket_ids: list[int], *, measured: bool) -> list[asyncio.Task[None]]:
        """Start one POST every 1/rate seconds; returns the tasks still in flight."""
        began = time.perf_counter()
        tasks = []
        for i, ticket_id in enumerate(ticket_ids):
            await asyncio.sleep(max(0.0, began + i / args.rate - time.perf_counter()))
            tasks.append(asyncio.create_task(send(ticket_id, measured=measured)))
        return tasks

    # Warm-up at the same rate, unmeasured: every process opens its database and Redis
    # connections and fills its caches, as a server in rotation already has.
    if args.warmup and args.rate > 0:
        await asyncio.gather(*await paced(fixture.warmup_ticket_ids, measured=False))
        await asyncio.sleep(1)  # let the last warm-up escalations drain

    started = time.perf_counter()
    results.started = started
    pending = []
    if args.rate > 0:
        pending = await paced(fixture.ticket_ids, measured=True)
    else:
        # At most ``concurrency`` requests in flight; a new one starts when one finishes.
        semaphore = asyncio.Semaphore(args.concurrency)

        async def bounded(ticket_id: int) -> None:
            try:
                await send(ticket_id)
            finally:
                semaphore.release()

        deadline = started + args.duration
        for ticket_id in fixture.ticket_ids:
            await semaphore.acquire()
            if time.perf_counter() > deadline:
                semaphore.release()
                break
            pending.append(asyncio.create_task(bounded(ticket_id)))
    await asyncio.gather(*pending)
    results.send_seconds = time.perf_counter() - started
    sending_finished.set()
    if len(results.notify_latency_ms) >= results.escalating_accepted:
        done.set()
    try:
        await asyncio.wait_for(done.wait(), args.drain_timeout)
    except TimeoutError:
        print("drain timed out: some escalations never arrived", flush=True)
    results.drain_seconds = time.perf_counter() - started - results.send_seconds
    done.set()
    await sampler
    for task in listeners:
        task.cancel()
    pool.shutdown()
    del total
    return results


def report(
    args: argparse.Namespace, results: Results, rss: dict[str, int], cpu: dict[str, float]
) -> str:
    n = results.accepted
    lat = results.notify_latency_ms
    summ = results.summary_latency_ms
    samples = results.queue_samples
    third = max(1, len(samples) // 3)
    lines = [
        f"- messages accepted: {n} (rejected {results.rejected}: {results.rejected_statuses}) in {results.send_seconds:.1f} s "
        f"= {n / results.send_seconds:.1f} messages/s offered"
        + (
            f" (target rate {args.rate}/s)"
            if args.rate
            else " (as fast as 2 web servers take them)"
        ),
        f"- escalations delivered to the receiver's notification socket: {len(lat)} of "
        f"{results.escalating_accepted} escalating messages; "
        f"drained {results.drain_seconds:.1f} s after the last POST",
        f"- latency POST → `escalation.assigned` on the socket: p50 {percentile(lat, 50):.0f} ms, "
        f"p95 {percentile(lat, 95):.0f} ms, p99 {percentile(lat, 99):.0f} ms, max {max(lat, default=0):.0f} ms",
    ]
    if results.warmup_latency_ms:
        warm = results.warmup_latency_ms
        lines.append(
            f"- before that, {args.warmup:.0f} s of warm-up at the same rate right after the processes "
            f"started (not in the figures above): {len(warm)} escalations, p50 "
            f"{percentile(warm, 50):.0f} ms, p99 {percentile(warm, 99):.0f} ms, max {max(warm):.0f} ms"
        )
    if summ:
        lines.append(
            f"- latency POST → `escalation.summary` on {args.ticket_sockets} ticket sockets: "
            f"{len(summ)} received, p50 {percentile(summ, 50):.0f} ms, p95 {percentile(summ, 95):.0f} ms, "
            f"p99 {percentile(summ, 99):.0f} ms"
        )
    if samples:
        lines.append(
            f"- queue length (sampled each second): max {max(samples)}, mean of the first third "
            f"{statistics.mean(samples[:third]):.1f}, of the last third {statistics.mean(samples[-third:]):.1f}"
        )
    busy = results.send_seconds + results.drain_seconds
    lines.append(
        f"- CPU used during the run ({busy:.0f} s, 2 cores = {2 * busy:.0f} core-seconds available): "
        + ", ".join(f"{name} {sec:.1f} s" for name, sec in sorted(cpu.items()))
    )
    lines.append(
        "- peak RSS: "
        + ", ".join(f"{name} {kib / 1024:.0f} MiB" for name, kib in sorted(rss.items()))
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rate", type=float, default=50, help="messages/s; 0 = as fast as possible"
    )
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument(
        "--warmup", type=float, default=5, help="seconds of unmeasured traffic at --rate first"
    )
    parser.add_argument("--ticket-sockets", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--escalating-share",
        type=float,
        default=1.0,
        help="share of messages that turn their ticket negative and escalate (the rest are neutral)",
    )
    parser.add_argument(
        "--timeline", metavar="FILE", help="write (sent at s, latency ms) pairs as JSON"
    )
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--base-port", type=int, default=8600)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument(
        "--write", metavar="SECTION", help="record under this heading in docs/benchmarks.md"
    )
    args = parser.parse_args()

    tickets = int(args.rate * args.duration) if args.rate else int(400 * args.duration)
    warmup_tickets = int(args.rate * args.warmup)
    with running_stack(
        db_name="kd_bench_e2e", web=args.web, workers=args.workers,
        base_port=args.base_port, redis_port=args.redis_port,
    ) as stack:  # fmt: skip
        fixture = fixture_create(stack, tickets, warmup_tickets)
        for i in range(args.web):
            stack.start_web(i)
        for i in range(args.workers):
            stack.start_worker(i)
        time.sleep(3)  # let the clusters spawn their workers
        cpu_before = stack.cpu()
        results = asyncio.run(run(stack, fixture, args))
        rss = stack.rss()
        cpu = {name: used - cpu_before.get(name, 0.0) for name, used in stack.cpu().items()}
    text = report(args, results, rss, cpu)
    if args.timeline:
        Path(args.timeline).write_text(json.dumps(sorted(results.timeline)))
    command = "    .venv/bin/python bench/e2e_latency.py " + " ".join(
        a for a in sys.argv[1:] if not a.startswith("--write") and a != args.write
    )
    print(text)
    if args.write:
        from bench.docs import benchmarks_section_write, production_shape

        benchmarks_section_write(
            args.write,
            f"{command}\n\n{production_shape(web=args.web, clusters=args.workers)}\n\n{text}\n",
        )


if __name__ == "__main__":
    main()
