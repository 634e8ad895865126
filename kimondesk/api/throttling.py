from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle

from kimondesk.conf import kimondesk_settings

# DRF's sliding log, kept in Redis as a sorted set of request instants and decided in one round
# trip: drop the instants that left the window, refuse at the limit (returning the count and the
# oldest instant, for Retry-After), otherwise record this request. Each request costs
# O(log n) in Redis instead of reading and writing back the whole pickled history (up to the
# rate's count of floats: 6,000 at the default rate) twice per request.
_SLIDING_LOG = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or ARGV[1]
  return {0, count, oldest}
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return {1, count + 1, '0'}
"""
_script: Script | None = None


class TokenRateThrottle(UserRateThrottle):
    """Per agent (hence per token) limit; the rate is read from ``API_THROTTLE_RATE`` per request.

    The same sliding window as DRF's (at most N requests in any trailing period); with the Redis
    cache it is one Redis call per request, otherwise DRF's history in the cache.
    """

    scope = "user"

    def __init__(self) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self) -> str | None:
        return kimondesk_settings().api_throttle_rate or super().get_rate()

    def allow_request(self, request: Request, view: Any) -> bool:
        backend = caches["default"]  # ``self.cache`` is a proxy: ask the handler what it is
        if not isinstance(backend, RedisCache) or self.num_requests is None:
            return bool(super().allow_request(request, view))
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        global _script
        # The cache's own client and connection pool (``kimondesk.cache``): no second pool.
        client = backend._cache.get_client(key, write=True)  # type: ignore[attr-defined]
        if _script is None:
            _script = client.register_script(_SLIDING_LOG)
        self.now = self.timer()
        allowed, count, oldest = _script(
            keys=[backend.make_and_validate_key(key)],
            args=[repr(self.now), self.duration or 0, self.num_requests, uuid.uuid4().hex],
            client=client,
        )
        if not allowed:
            # What DRF's ``wait`` reads: as many instants as the window holds, the oldest last.
            self.history = [self.now] * (int(count) - 1) + [float(oldest)]
            return False
        return True
