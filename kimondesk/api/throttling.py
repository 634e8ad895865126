from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class TokenRateThrottle(UserRateThrottle):
    """Per agent (hence per token) limit; the rate is read from ``API_THROTTLE_RATE`` per request."""

    scope = "user"

    def __init__(self) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self) -> str | None:
        return getattr(settings, "API_THROTTLE_RATE", None) or super().get_rate()
