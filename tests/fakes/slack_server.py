"""A real HTTP server on 127.0.0.1 that plays a Slack incoming webhook.

``FakeSlack`` runs ``http.server`` in a thread. Queue the answers it should give (``ok``, a status
code, 429 with ``Retry-After``, or ``hang`` to time the client out); it records every request body.
With nothing queued it answers ``fallback()`` (``OK`` unless a test sets it, e.g. to play an outage).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float = 0.0


OK = Answer()


def status(code: int, body: str = "error") -> Answer:
    return Answer(status=code, body=body)


def rate_limited(retry_after: int) -> Answer:
    return Answer(status=429, body="rate_limited", headers={"Retry-After": str(retry_after)})


def hang(seconds: float) -> Answer:
    return Answer(hang_seconds=seconds)


class FakeSlack:
    def __init__(self, port: int) -> None:
        self.port = port
        self.answers: deque[Answer] = deque()
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.fallback: Callable[[], Answer] = lambda: OK
        self._lock = threading.Lock()
        self._stop_hanging = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                with fake._lock:
                    fake.requests.append(json.loads(raw or b"{}"))
                    fake.paths.append(self.path)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    answer = fake.answers.popleft() if fake.answers else fake.fallback()
                if answer.hang_seconds:
                    fake._stop_hanging.wait(answer.hang_seconds)
                    return
                payload = answer.body.encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/T000/B000/secret-token"

    def queue(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop_hanging.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        time.sleep(0)


def fake_slack_serving(ports: range) -> Iterator[FakeSlack]:
    """Body of a pytest fixture: a fake on the first free port of ``ports``, stopped after."""
    for port in ports:
        try:
            server = FakeSlack(port).start()
        except OSError:
            continue
        yield server
        server.stop()
        return
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1} for the fake Slack server")
