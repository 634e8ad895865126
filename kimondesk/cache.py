"""One Redis connection pool per process for Django's cache.

Django keeps a cache object per async context, so under ASGI every request builds a new
``RedisCache`` with a new connection pool and opens a new TCP connection to Redis (for the API
throttle and the sign-in counters). Handing Django this pool class makes every cache object of a
process share one pool per server URL instead.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import redis

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
