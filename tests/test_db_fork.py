import os

import pytest
from django.db import connection, connections

from kimondesk.db import database_connections_forget


@pytest.mark.django_db
def test_a_forked_child_forgets_the_parents_connection_and_opens_its_own():
    connection.ensure_connection()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: fork handlers have already run
        ok = connection.connection is None
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)

    assert answer == b"1"
    assert connection.connection is not None  # the parent keeps its own


def test_forgetting_clears_the_postgresql_pools(monkeypatch):
    from django.db.backends.postgresql.base import DatabaseWrapper

    # Forgetting drops pools and connections unclosed, as a forked child must (it shares the
    # parent's sockets). Here, in the test process, the real pool's idle connections would stay
    # open until garbage collection, often too late for the run to drop the test database: this
    # thread's connection goes back to the pool first, and the pools forgotten are a stand-in.
    connections.close_all()
    monkeypatch.setattr(DatabaseWrapper, "_connection_pools", {"stale": object()})

    database_connections_forget()

    assert DatabaseWrapper._connection_pools == {}
