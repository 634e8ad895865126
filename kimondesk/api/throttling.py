from __future__ import annotations

from rest_framework.throttling import UserRateThrottle

from kimondesk.conf import kimondesk_settings


class TokenRateThrottle(UserRateThrottle):
    """Per agent (hence per token) limit; the rate is read from ``API_THROTTLE_RATE`` per request."""

    scope = "user"

    def __init__(self) -> None:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self) -> str | None:
        return kimondesk_settings().api_throttle_rate or super().get_rate()
