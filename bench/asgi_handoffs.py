"""Server CPU per HTTP request: Django's stock ASGI handler against ``SyncChainASGIHandler``.

Django's ``ASGIHandler`` runs the middleware chain in async mode, handing each request to the
sync thread and back about twenty times; ``kimondesk.asgi_handler.SyncChainASGIHandler`` runs
the same chain in sync mode with one hand-off. Two uvicorn servers (1 worker each, the same
settings and database) serve the same requests, interleaved by round; the figure is the server
process's CPU (utime + stime from ``/proc/<pid>/stat``) per request and the requests per second,
4 keep-alive clients at a time.

    .venv/bin/python bench/asgi_handoffs.py [--requests 800] [--rounds 5]

Uses a scratch SQLite database under ``var/`` (or ``DATABASE_URL``) and the development
settings with ``DEBUG`` off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVERS = {
    "stock ASGIHandler": ("bench.asgi_handoffs:stock_application", ["--factory"], 8761),
    "SyncChainASGIHandler": ("kimondesk.asgi:application", [], 8762),
}
PATHS = ("/healthz", "/api/v1/tickets/?page_size=25")


def stock_application() -> object:
    """The same project behind Django's own handler (uvicorn ``--factory``)."""
    from channels.routing import ProtocolTypeRouter
    from django.core.asgi import get_asgi_application

    return ProtocolTypeRouter({"http": get_asgi_application()})


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "kimondesk.settings.dev")
    env.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'asgi_handoffs.sqlite3'}")
    env.update(DEBUG="false", ALLOWED_HOSTS="127.0.0.1", PYTHONPATH=str(ROOT))
    return env


def _token(env: dict[str, str]) -> str:
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from rest_framework.authtoken.models import Token\n"
        "from tests import factories\n"
        "from tickets.models import Agent\n"
        "agent = Agent.objects.filter(username='bench-admin').first()\n"
        "if agent is None:\n"
        "    agent = Agent.objects.create_superuser('bench-admin', 'b@example.com', 'x')\n"
        "    factories.TicketFactory.create_batch(30)\n"
        "print(Token.objects.get_or_create(user=agent)[0].key)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True
    )
    return out.stdout.decode().strip().splitlines()[-1]


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _trial(port: int, pid: int, path: str, n: int, token: str) -> tuple[float, float]:
    def client(count: int) -> None:
        headers = {"Authorization": f"Token {token}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as http:
            for _ in range(count):
                assert http.get(path).status_code == 200

    threads = [threading.Thread(target=client, args=(n // 4,)) for _ in range(4)]
    cpu0, t0 = _cpu(pid), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds, cpu = time.monotonic() - t0, _cpu(pid) - cpu0
    return cpu / n * 1000, n / seconds


def _wait_until_serving(port: int) -> None:
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"no server answered on port {port}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = _env()
    token = _token(env)
    procs = {}
    for name, (app, extra, port) in SERVERS.items():
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, *extra, "--port", str(port),
             "--log-level", "warning"],
            env=env, cwd=ROOT,
        )  # fmt: skip
    try:
        for _app, _extra, port in SERVERS.values():
            _wait_until_serving(port)
        results: dict[tuple[str, str], list[tuple[float, float]]] = {}
        names = list(SERVERS)
        for round_no in range(args.rounds + 1):  # round 0 warms up
            order = names[round_no % 2 :] + names[: round_no % 2]
            for path in PATHS:
                for name in order:
                    port, pid = SERVERS[name][2], procs[name].pid
                    figures = _trial(port, pid, path, args.requests, token)
                    if round_no:
                        results.setdefault((path, name), []).append(figures)
        for (path, name), rows in results.items():
            cpu = statistics.median(r[0] for r in rows)
            rate = statistics.median(r[1] for r in rows)
            print(f"{path:34} {name:22} {cpu:6.2f} ms CPU/request  {rate:6.0f} req/s")
    finally:
        for proc in procs.values():
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
