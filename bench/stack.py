"""Bring up a production-shaped KimonDesk on this machine for benchmarks and fault drills.

A fresh PostgreSQL database, a private Redis server on its own port (so a drill may restart it),
N uvicorn web processes and M qcluster workers, all with the production settings module.
Everything binds 127.0.0.1 and is stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BENCH_SECRET = "bench-" + "k" * 30 + "0123456789abcdefghijklmnopqrstuvwxyz"


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (a qcluster's workers are grandchildren)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending += [int(c) for c in children]
    return found


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """User + system CPU time of a process and all its descendants so far; with ``reaped``,
    also that of descendants which have exited and been waited for (a qcluster recycles its
    worker processes: without it, a recycled worker's CPU vanishes from the sum)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in process_tree(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            if reaped:
                total += (int(fields[13]) + int(fields[14])) / tick
    return total


def rss_peak_kib(pid: int) -> int:
    """The largest peak resident set size (VmHWM) among a process and its descendants, KiB."""
    peak = 0
    for p in process_tree(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    return peak


@dataclass
class Stack:
    db_name: str
    web_ports: list[int]
    redis_port: int
    workers: int
    env: dict[str, str] = field(default_factory=dict)
    # A database that already exists (e.g. a test database): used as is, never created or dropped.
    existing_database_url: str = ""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="kd-bench-")))

    @property
    def database_url(self) -> str:
        if self.existing_database_url:
            return self.existing_database_url
        return f"postgres://postgres@127.0.0.1:5432/{self.db_name}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def base_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "kimondesk.settings.production",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "SECRET_KEY": BENCH_SECRET,
                "SECURE_SSL_REDIRECT": "False",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "API_THROTTLE_RATE": "1000000/min",
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.env)
        return env

    # --- services ---------------------------------------------------------------------------
    def start_redis(self) -> None:
        self.processes["redis"] = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--bind", "127.0.0.1", "--port", str(self.redis_port),
                "--save", "", "--appendonly", "no", "--dir", str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.redis_port)

    def stop_redis(self) -> None:
        proc = self.processes.pop("redis", None)
        if proc:
            proc.terminate()
            proc.wait(10)

    def restart_redis(self) -> None:
        """Stop and start the private Redis on the same port; it comes back empty (no saves)."""
        self.stop_redis()
        self.start_redis()

    def clusters_alive(self) -> int:
        """qcluster processes whose heartbeat is in Redis (each expires 3 s after its last beat)."""
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        try:
            return len(client.keys("django_q:*:cluster:*"))
        finally:
            client.close()

    def wait_for_clusters(self, count: int, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self.clusters_alive() != count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} task clusters not running after {timeout} s")
            time.sleep(0.1)

    def queue_length(self) -> int:
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        try:
            return sum(int(client.llen(key)) for key in client.keys("django_q:*:q"))
        finally:
            client.close()

    def create_database(self) -> None:
        for sql in (
            f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)",
            f"CREATE DATABASE {self.db_name}",
        ):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        self.manage("migrate", "--noinput", "-v0")

    def drop_database(self) -> None:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
             f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)"],
            check=False,
        )  # fmt: skip

    def manage(self, *args: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.base_env(), check=True)

    def start_web(self, index: int) -> None:
        port = self.web_ports[index]
        self.processes[f"web{index}"] = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "uvicorn"), "kimondesk.asgi:application",
                "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                "--log-level", "warning", "--ws-ping-interval", "0",
            ],
            cwd=ROOT,
            env=self.base_env(),
            stdout=open(self.tmp / f"web{index}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(port)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz?scope=web", timeout=10) as r:
            assert r.status == 200, r.read()

    def start_worker(self, index: int) -> None:
        self.processes[f"worker{index}"] = subprocess.Popen(
            [PYTHON, "manage.py", "qcluster"],
            cwd=ROOT,
            env=self.base_env(),
            stdout=open(self.tmp / f"worker{index}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, name: str, sig: int = signal.SIGTERM, grace: float = 30.0) -> None:
        """Signal a process (a worker's whole process group); SIGKILL it after ``grace`` s."""
        proc = self.processes.pop(name)
        group = name.startswith("worker")
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, sig)
            else:
                proc.send_signal(sig)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(proc.pid, signal.SIGKILL)
                else:
                    proc.kill()
            proc.wait(10)

    def rss(self) -> dict[str, int]:
        return {name: rss_peak_kib(p.pid) for name, p in self.processes.items()}

    def cpu(self) -> dict[str, float]:
        # reaped: a qcluster recycles its workers (every 500 tasks); their CPU must still count.
        return {name: cpu_seconds(p.pid, reaped=True) for name, p in self.processes.items()}

    def stop(self, grace: float = 30.0) -> None:
        for name in list(self.processes):
            with contextlib.suppress(Exception):
                self.kill(name, signal.SIGTERM, grace)
        keep = os.environ.get("KD_BENCH_LOGS")
        if keep:
            shutil.copytree(self.tmp, keep, dirs_exist_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def running_stack(
    *, db_name: str, web: int = 2, workers: int = 2, base_port: int = 8600, redis_port: int = 6391,
    env: dict[str, str] | None = None, keep_db: bool = False,
    existing_database_url: str = "", stop_grace: float = 30.0,
) -> Iterator[Stack]:  # fmt: skip
    """A started private Redis and a migrated database (created here unless
    ``existing_database_url`` names one); web and worker processes are started by the caller."""
    stack = Stack(
        db_name=db_name,
        web_ports=[base_port + i for i in range(web)],
        redis_port=redis_port,
        workers=workers,
        env=env or {},
        existing_database_url=existing_database_url,
    )
    try:
        stack.start_redis()
        if not existing_database_url:
            stack.create_database()
        yield stack
    finally:
        stack.stop(stop_grace)
        if not keep_db and not existing_database_url:
            stack.drop_database()


def django_setup(stack: Stack) -> None:
    """Configure Django in this (the driver's) process against the stack's database."""
    os.environ.update(stack.base_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
