"""The Redis cache shares one connection pool per process across cache objects, and one client
over it across calls."""

from __future__ import annotations

import pytest

from kimondesk import cache as shared_cache
from kimondesk.cache import RedisCache

OPTIONS = {"pool_class": "kimondesk.cache.SharedConnectionPool"}


def redis_cache(location: str) -> RedisCache:
    return RedisCache(location, {"OPTIONS": OPTIONS})


@pytest.fixture(autouse=True)
def no_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_cache, "_pools", {})


def test_two_cache_objects_of_one_process_share_the_pool() -> None:
    # Given two cache objects, as two ASGI requests get them
    first, second = redis_cache("redis://127.0.0.1:6399/0"), redis_cache("redis://127.0.0.1:6399/0")

    # When each asks for its connection pool
    pools = [c._cache._get_connection_pool(write=True) for c in (first, second)]

    # Then it is the same pool, and only one was made
    assert pools[0] is pools[1]
    assert len(shared_cache._pools) == 1


def test_another_server_or_process_gets_its_own_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = redis_cache("redis://127.0.0.1:6399/0")._cache._get_connection_pool(write=True)
    other_db = redis_cache("redis://127.0.0.1:6399/1")._cache._get_connection_pool(write=True)

    monkeypatch.setattr(shared_cache.os, "getpid", lambda: -1)
    forked = redis_cache("redis://127.0.0.1:6399/0")._cache._get_connection_pool(write=True)

    assert len({id(parent), id(other_db), id(forked)}) == 3
    assert other_db.connection_kwargs["db"] == 1


def test_every_call_of_every_cache_object_gets_the_same_client_over_the_shared_pool() -> None:
    # Given two cache objects of one process (two ASGI requests)
    first, second = redis_cache("redis://127.0.0.1:6399/0"), redis_cache("redis://127.0.0.1:6399/0")

    # When each asks for a client, for reading and for writing, twice
    clients = [
        c._cache.get_client(write=write) for c in (first, second) for write in (True, False, True)
    ]

    # Then one client serves them all, over the shared pool
    assert len({id(client) for client in clients}) == 1
    assert clients[0].connection_pool is first._cache._get_connection_pool(write=True)
    # and another server gets its own
    other = redis_cache("redis://127.0.0.1:6399/1")._cache.get_client(write=True)
    assert other is not clients[0]
    assert other.connection_pool.connection_kwargs["db"] == 1


def test_the_configured_cache_counts_across_calls() -> None:
    # In the production-shape run this is the Redis cache above, talking to Redis.
    from django.core.cache import cache

    cache.delete("kd-test-counter")
    cache.add("kd-test-counter", 0, 60)
    assert [cache.incr("kd-test-counter") for _ in range(3)] == [1, 2, 3]
    cache.delete("kd-test-counter")
