"""Database connections across ``fork``.

django-q2 forks its worker processes (and re-forks them every ``recycle`` tasks) from a parent
that has already used the database. A psycopg connection pool does its work in background
threads, which a forked child does not inherit: the child's copy of the pool would wait forever
for connections. The child therefore forgets the parent's pool and connections and opens its own.
"""

from __future__ import annotations

import os

from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper

_registered = False


def database_connections_forget() -> None:
    """In a freshly forked child: drop (without closing) the parent's connections and pools."""
    for connection in connections.all(initialized_only=True):
        # The socket belongs to the parent too: closing it here would break the parent's session.
        connection.connection = None
    DatabaseWrapper._connection_pools.clear()  # type: ignore[attr-defined]


def database_fork_safety_register() -> None:
    global _registered
    if not _registered:
        os.register_at_fork(after_in_child=database_connections_forget)
        _registered = True
