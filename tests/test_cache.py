"""The Redis cache shares one connection pool per process across cache objects."""

from __future__ import annotations

import pytest
from django.core.cache.backends.redis import RedisCache

from kimondesk import cache as shared_cache

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
