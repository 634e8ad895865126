from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_requests_over_the_rate_get_429_with_retry_after(client_for, junior, senior, settings):
    # Given a rate of three requests a minute per token
    settings.API_THROTTLE_RATE = "3/min"
    client = client_for(junior)

    # When the agent sends a fourth request
    codes = [client.get("/api/v1/teams/").status_code for _ in range(4)]
    throttled = client.get("/api/v1/teams/")

    # Then it is refused with a Retry-After, while another token is not affected
    assert codes == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert "throttled" in throttled.json()["detail"].lower()
    assert client_for(senior).get("/api/v1/teams/").status_code == 200


@pytest.fixture(params=["locmem", "redis"])
def cache_backend(request, settings):
    """The throttle on each cache it runs with: DRF's history in the local cache, or the one-call
    sliding log in Redis (only where a Redis is configured)."""
    if request.param == "redis":
        if not settings.REDIS_URL:
            pytest.skip("no REDIS_URL")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": settings.REDIS_URL,
                "KEY_PREFIX": "throttle-test",
            }
        }
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    yield request.param
    cache.clear()


def test_the_window_slides_and_retry_after_names_when_a_slot_frees(
    client_for, junior, settings, monkeypatch, cache_backend
):
    # Given a rate of two requests a minute, and a clock under the test's control
    settings.API_THROTTLE_RATE = "2/min"
    now = [1_000_000.0]
    monkeypatch.setattr("rest_framework.throttling.SimpleRateThrottle.timer", lambda self: now[0])
    client = client_for(junior)

    def status_at(at: float) -> int:
        now[0] = at
        return client.get("/api/v1/teams/").status_code

    # When requests come at 0 s and 20 s, then at 50 s (over the limit)
    assert [status_at(1_000_000.0), status_at(1_000_020.0)] == [200, 200]
    now[0] = 1_000_050.0
    refused = client.get("/api/v1/teams/")

    # Then the third is refused until the first leaves the window (10 s later)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "10"
    # and at 60 s exactly the first request has left the window, but not the second
    assert status_at(1_000_060.0) == 200
    assert status_at(1_000_061.0) == 429
    # and a refused request does not count: at 80 s the 20 s one has left
    assert status_at(1_000_080.0) == 200
