import os

import pytest
from django.db import connection

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


def test_forgetting_clears_the_postgresql_pools():
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools["stale"] = object()

    database_connections_forget()

    assert DatabaseWrapper._connection_pools == {}
