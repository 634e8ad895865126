from __future__ import annotations

import os
from pathlib import Path

import pytest
from channels.layers import channel_layers
from channels_redis.core import RedisChannelLayer

from tests import factories

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(
    ("postgres://", "postgresql://", "pgsql://")
)


def pytest_sessionstart(session):
    """A run killed mid-way leaves the SQLite test database's ``-wal``/``-shm`` files behind
    after the database itself is gone; the next run's new database would be read through them
    by the worker processes some tests start ("no such table"). Without the database they are
    stale for certain: removed."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        return
    name = Path(database.get("TEST", {}).get("NAME") or "")
    if name.name and not name.exists():
        for suffix in ("-wal", "-shm"):
            name.with_name(name.name + suffix).unlink(missing_ok=True)


def pytest_collection_modifyitems(config, items):
    # Tests marked ``postgres`` prove database-level guarantees (row locks, triggers); SQLite
    # cannot show them, so they run only in CI's PostgreSQL pass. So do the ``faults`` drills,
    # which start web and worker processes against a PostgreSQL database.
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the DATABASE_URL pass of .ci/run")
    for item in items:
        if "postgres" in item.keywords or item.get_closest_marker("faults"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _redis_channel_layer_per_test():
    """channels-redis keeps asyncio locks in the layer instance; one still held when a socket
    test's event loop ends fails the next test's loop ("bound to a different event loop"). Each
    test gets a fresh Redis layer (the database outbox layer holds no loop-bound state)."""
    yield
    for alias, layer in list(channel_layers.backends.items()):
        if isinstance(layer, RedisChannelLayer):
            del channel_layers.backends[alias]


@pytest.fixture
def team(db):
    return factories.TeamFactory(name="Support")


@pytest.fixture
def lead(team):
    return factories.LeadFactory(username="lead", team=team)


@pytest.fixture
def senior(team):
    return factories.SeniorFactory(username="senior", team=team)


@pytest.fixture
def junior(team):
    return factories.AgentFactory(username="junior", team=team)


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(username="admin")


@pytest.fixture
def queue(team):
    return factories.QueueFactory(name="General", team=team)


@pytest.fixture
def customer(db):
    return factories.CustomerFactory(tier="standard")
