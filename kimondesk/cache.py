"""One Redis connection pool, and one Redis client over it, per process for Django's cache.

Django keeps a cache object per async context, so under ASGI every request builds a new
``RedisCache`` with a new connection pool and opens a new TCP connection to Redis (for the API
throttle and the sign-in counters). Handing Django this pool class makes every cache object of a
process share one pool per server URL instead.

Django also builds a new redis-py client for every cache call (``RedisCacheClient.get_client``):
about 0.13 ms each, most of it filling the client's table of response callbacks. A redis-py
client is safe to share between threads (each command takes a connection from the pool), so
``RedisCache`` here keeps one client per pool.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis
from django.core.cache.backends import redis as django_redis

_pools: dict[tuple[int, str, str], redis.ConnectionPool] = {}
_pools_lock = threading.Lock()


class SharedConnectionPool(redis.ConnectionPool):
    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> redis.ConnectionPool:  # type: ignore[override]
        # Keyed by process too: a forked worker must not reuse its parent's sockets.
        key = (os.getpid(), url, repr(sorted(kwargs.items())))
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                pool = _pools[key] = redis.ConnectionPool.from_url(url, **kwargs)
            return pool


class _SharedClientCacheClient(django_redis.RedisCacheClient):
    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        # Django's private helpers (not in its type stubs): the pool as Django picks it.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client: redis.Redis | None = getattr(pool, "kimondesk_client", None)
        if client is None:
            # Two threads may both build one; either serves, the pool is the same.
            client = pool.kimondesk_client = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache, with one client per connection pool instead of one per call."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClientCacheClient
