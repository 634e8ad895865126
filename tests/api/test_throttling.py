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
