"""A live ASGI server (daphne, in a subprocess) on the test database, and signed-in browsers.

The server opens the same test database as the tests (the named one of
``kimondesk.settings.test``) and, when ``REDIS_URL`` is set, the same channel layer. Tests that use
it need ``transactional_db`` so that what they write is committed and visible to the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

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


@pytest.fixture(scope="session")
def live_url(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Start daphne on the test database; stop it before the database is dropped."""
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kimondesk.settings.test",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "0",
    }
    log_path = Path(settings.BASE_DIR) / "var" / "browser-daphne.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "kimondesk.asgi:application",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("daphne exited; see var/browser-daphne.log")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("daphne did not start within 30 s")


def session_cookie(agent: Any, live_url: str) -> dict[str, Any]:
    """A Playwright cookie signing ``agent`` in (a real session row, committed)."""
    client = Client()
    client.force_login(agent)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_url,
    }
