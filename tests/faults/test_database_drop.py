"""PostgreSQL connections dropped under a web process: requests fail cleanly and recover."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from django.db import connection

from .drills import Reply, database_url, http, session_for, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]
POOL_TIMEOUT = 5.0


def _terminate_backends(admin: psycopg.Connection, *, keep: set[int]) -> int:
    """Terminate every session on the test database except ``keep``; returns how many."""
    rows = admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> ALL(%s)",
        [connection.settings_dict["NAME"], list(keep)],
    ).fetchall()
    return len(rows)


def test_dropped_database_connections_fail_requests_cleanly_and_recover(fault_stack, escalating):
    # given a web process with its connection pool (health checks on; a request waits at most
    # DB_POOL_TIMEOUT for a connection) and a signed-in lead whose ticket catch-up endpoint reads
    # the session, the ticket and its SLA
    drill = escalating(1)
    ticket = drill.tickets[0]
    stack = fault_stack(web=1, env={"DB_POOL_TIMEOUT": str(POOL_TIMEOUT)})
    base = f"http://127.0.0.1:{stack.web_ports[0]}"
    url = f"{base}/tickets/{ticket.pk}/live/?since=0"
    lead = session_for(drill.lead)
    assert http(url, session=lead).status == 200
    connection.ensure_connection()
    driver_pid = connection.connection.info.backend_pid
    db = str(connection.settings_dict["NAME"])
    # The administrator's session is on the maintenance database: it may lock the test one out.
    maintenance = database_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as admin:
        keep = {driver_pid}
        try:
            # when a request is in flight (held on a lock on the session table) and every
            # connection of the web process is terminated
            locker = psycopg.connect(database_url())
            locker_pid = locker.info.backend_pid
            keep.add(locker_pid)
            locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
            replies: list[Reply] = []
            request = threading.Thread(target=lambda: replies.append(http(url, session=lead)))
            request.start()
            wait_until(
                lambda: (
                    admin.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                        "AND wait_event_type = 'Lock'",
                        [db],
                    ).fetchone()[0]
                    == 1
                ),
                timeout=10,
                what="the request waiting on the lock",
            )
            terminated = _terminate_backends(admin, keep=keep)
            request.join(15)
            locker.rollback()
            locker.close()
            keep.discard(locker_pid)

            # then the in-flight request fails at once with a plain 500 (no hang, no details)
            [in_flight] = replies
            assert in_flight.status == 500
            assert in_flight.seconds < 5
            assert b"Traceback" not in in_flight.body
            assert db.encode() not in in_flight.body
            # and the next requests succeed on new connections
            after = [http(url, session=lead) for _ in range(5)]
            assert [r.status for r in after] == [200] * 5

            # when the idle persistent connection is terminated between requests
            _terminate_backends(admin, keep=keep)
            # then the health check replaces it: the next request succeeds
            assert http(url, session=lead).status == 200

            # when the database refuses new connections for a while
            admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false')
            _terminate_backends(admin, keep=keep)
            down_at = time.monotonic()
            ready = http(f"{base}/readyz?scope=web")
            page = http(url, session=lead)
            # then readiness says so, naming only the failed check, and pages fail cleanly once
            # the pool gives up waiting for a connection
            assert ready.status == 503
            assert ready.json()["checks"]["database"]["ok"] is False
            assert ready.seconds < POOL_TIMEOUT + 2
            assert page.status == 500
            assert page.seconds < POOL_TIMEOUT + 2
            admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
            up_at = time.monotonic()
            # and it recovers as soon as the database takes connections again
            ready_again = wait_until(
                lambda: http(f"{base}/readyz?scope=web").status == 200,
                timeout=30,
                what="/readyz 200",
            )
            page_again = wait_until(
                lambda: http(url, session=lead).status == 200, timeout=30, what="the page 200"
            )
            assert [http(url, session=lead).status for _ in range(5)] == [200] * 5
        finally:
            admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
    print(
        f"\n[drill postgres] terminated {terminated} sessions under an in-flight request: 500 in "
        f"{in_flight.seconds * 1000:.0f} ms, next 5 requests 200; database refused "
        f"{up_at - down_at:.1f} s: /readyz 503 in {ready.seconds * 1000:.0f} ms, page 500 in "
        f"{page.seconds * 1000:.0f} ms (pool timeout {POOL_TIMEOUT} s); /readyz 200 again "
        f"{ready_again:.1f} s after, the page {ready_again + page_again:.1f} s after"
    )
