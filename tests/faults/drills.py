"""Helpers of the fault drills: polling, sessions, the stack's view of the test database."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from tickets.models import Agent

ANGRY = "This is unacceptable. I will cancel my account and switch to a competitor today."


def database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def wait_until(predicate: Callable[[], bool], *, timeout: float, what: str) -> float:
    """Poll ``predicate`` every 50 ms; returns the seconds it took, fails after ``timeout``."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - started


def session_for(agent: Agent) -> str:
    """A signed-in session for ``agent`` (signed with the stack's key), as a cookie value."""
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    return str(session.session_key)


CSRF = "fault0drill0csrf0token0000000032"  # a 32-character secret: cookie and form field


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Reply:
    status: int
    body: bytes
    seconds: float
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


def http(url: str, *, session: str = "", form: dict[str, str] | None = None) -> Reply:
    """One request without following redirects; a form is posted with a CSRF token."""
    cookies = [f"sessionid={session}"] if session else []
    data = None
    if form is not None:
        cookies.append(f"csrftoken={CSRF}")
        data = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": CSRF}).encode()
    # Loopback http:// URLs of the stack only.
    request = urllib.request.Request(url, data=data, headers={"Cookie": "; ".join(cookies)})  # noqa: S310
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=30) as response:
            status, body, headers = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, body, headers = exc.code, exc.read(), exc.headers
    return Reply(status, body, time.monotonic() - started, headers.get("Content-Type", ""))


class Socket:
    """A WebSocket client in a thread of its own, collecting what the server pushes."""

    def __init__(self, url: str, *, session: str, open_timeout: float = 10.0) -> None:
        self.url = url
        self.session = session
        self.open_timeout = open_timeout
        self.received: queue.Queue[dict[str, Any]] = queue.Queue()
        self.opened = threading.Event()
        self.closed = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._pending: set[asyncio.Future[Any]] = set()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Socket:
        self._thread.start()
        deadline = time.monotonic() + self.open_timeout + 1
        while not (self.opened.is_set() or self.closed.is_set()) and time.monotonic() < deadline:
            self.opened.wait(0.05)
        if not self.opened.is_set() or self.closed.is_set():
            self.close()
            raise AssertionError(f"the socket {self.url} did not open")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._stop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread.is_alive():
            self._thread.join(10)

    def _run(self) -> None:
        self._loop.run_until_complete(self._listen())
        self._loop.close()

    async def _listen(self) -> None:
        import websockets

        self._stop = asyncio.Event()
        origin = "http://" + urllib.parse.urlsplit(self.url).netloc
        try:
            async with websockets.connect(
                self.url,
                additional_headers={"Cookie": f"sessionid={self.session}", "Origin": origin},
                open_timeout=self.open_timeout,
            ) as ws:
                self.opened.set()
                stop = asyncio.ensure_future(self._stop.wait())
                self._pending.add(stop)
                while True:
                    recv = asyncio.ensure_future(ws.recv())
                    done, _ = await asyncio.wait({recv, stop}, return_when=asyncio.FIRST_COMPLETED)
                    if stop in done:
                        recv.cancel()
                        return
                    self.received.put(json.loads(recv.result()))
        except Exception:  # closed by the server or never opened: the drill looks at ``closed``
            return
        finally:
            for task in self._pending:
                task.cancel()
            self.closed.set()

    def next(self, *, timeout: float, kind: str) -> dict[str, Any]:
        """The next pushed event of ``kind`` (others are skipped) within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind} event on {self.url} within {timeout} s")
            try:
                event = self.received.get(timeout=left)
            except queue.Empty:
                continue
            if event.get("type") == kind:
                return event


def socket_reopen(url: str, *, session: str, within: float) -> tuple[Socket, int]:
    """Connect the way an agent page does after losing its socket: try again (after 0.5 s) until
    a socket opens and is still open half a second later. Returns it and the number of tries."""
    deadline = time.monotonic() + within
    tries = 0
    while True:
        tries += 1
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{url} did not reopen within {within} s ({tries - 1} tries)")
        socket = Socket(url, session=session, open_timeout=max(left, 1.0))
        try:
            socket.__enter__()
        except AssertionError:
            time.sleep(0.5)
            continue
        if not socket.closed.wait(0.5):
            return socket, tries
        socket.close()
