"""Helpers of the fault drills: polling, sessions, the stack's view of the test database."""

from __future__ import annotations

import time
from collections.abc import Callable

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
