"""A live ASGI server (uvicorn, in a subprocess, as `make run` and production use) on the test database, and signed-in browsers.

The server opens the same test database as the tests (the named one of
``kimondesk.settings.test``) and, when ``REDIS_URL`` is set, the same channel layer. Tests that use
it need ``transactional_db`` so that what they write is committed and visible to the server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.browser.axe import axe_violations

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"


def _free_port() -> int:
    """A port the system says is free now (several test runs may share the machine, so a fixed
    range collides: a second server fails to bind while the first one answers its probes)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def _asgi_server(*, database_url: str, log_name: str, **extra_env: str) -> Iterator[str]:
    """uvicorn on the test database in a subprocess; yields its URL and stops it afterwards."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        **extra_env,
    }
    log_path = Path(settings.BASE_DIR) / "var" / log_name
    log_path.parent.mkdir(exist_ok=True)
    for _attempt in range(5):
        port = _free_port()
        server = _server_start(port=port, env=env, log_path=log_path)
        if server is not None:
            break
    else:
        raise RuntimeError(f"the server could not listen on a free port; see {log_path}")
    url = f"http://127.0.0.1:{port}"
    try:
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _server_start(*, port: int, env: dict[str, str], log_path: Path) -> Any:
    """A uvicorn that is up and listening on ``port``, or None if the port was taken meanwhile
    (another job's server may answer there: ours must still be running once it does)."""
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "kimondesk.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--lifespan",
                "off",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    # Another job's server may answer on the port: our own log says whether we listen there
    # (uvicorn exits after a listen failure).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        logged = log_path.read_bytes()
        if f"Uvicorn running on http://127.0.0.1:{port}".encode() in logged:
            _wait_until_up(f"http://127.0.0.1:{port}", server)
            return server
        if b"address already in use" in logged:
            break
        time.sleep(0.1)
    server.kill()
    server.wait()
    return None


@pytest.fixture(scope="session")
def live_url(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Start uvicorn on the test database; stop it before the database is dropped."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    with _asgi_server(database_url=database_url, log_name="browser-server.log") as url:
        yield url


def make_run_env() -> dict[str, str]:
    """The environment ``make run`` gives its processes: tasks go to the broker (no sync mode)
    and live pushes travel between processes (the database outbox without REDIS_URL)."""
    return {
        "Q_SYNC": "0",
        "LIVE_LAYER": "redis" if os.environ.get("REDIS_URL") else "outbox",
    }


@pytest.fixture(scope="module")
def make_run_url(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The process layout of ``make run`` on the test database: a uvicorn web server and a
    separate ``manage.py qcluster``, with no REDIS_URL unless the run sets one (CI's PostgreSQL
    + Redis pass). Yields the web server's URL."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    env = make_run_env()
    cluster_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    log_path = Path(settings.BASE_DIR) / "var" / "browser-qcluster.log"
    log_path.parent.mkdir(exist_ok=True)
    with (
        _asgi_server(database_url=database_url, log_name="browser-make-run.log", **env) as url,
        log_path.open("wb") as log,
    ):
        cluster = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=settings.BASE_DIR,
            env=cluster_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield url
        finally:
            # The cluster's graceful stop can take many seconds: its session goes after a grace.
            os.killpg(cluster.pid, signal.SIGTERM)
            try:
                cluster.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(cluster.pid, signal.SIGKILL)
                cluster.wait(timeout=5)


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited; see its log under var/")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start within 30 s")


def session_cookie(agent: Any, live_url: str) -> dict[str, Any]:
    """A Playwright cookie signing ``agent`` in (a real session row, committed)."""
    client = Client()
    client.force_login(agent)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_url,
    }


@pytest.fixture
def axe() -> Any:
    """``axe(page)``: the page's critical and serious WCAG 2.1 A/AA violations, by axe-core
    (``tests/browser/axe.py``)."""
    return axe_violations
