"""Date filters take any ISO 8601 instant; what PostgreSQL can't store is a 400, never a 500."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

PATHS = ["/api/v1/tickets/", "/api/v1/escalations/", "/api/v1/audit-events/"]


@pytest.fixture
def api(db):
    client = APIClient()
    client.force_authenticate(AdminFactory(username="root"))
    return client


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "value",
    ["6359-01-01T00:00:00-16:07", "2026-01-01T10:00:00+14:00", "2026-01-01T10:00:00Z"],
    ids=["offset-beyond-postgres", "far-east", "utc"],
)
def test_odd_but_valid_instants_are_accepted(api, path, value):
    response = api.get(path, {"created_after": value, "created_before": value})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "value",
    ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2026-13-01T00:00:00Z"],
    ids=["past-year-9999-in-utc", "before-year-1-in-utc", "no-such-month"],
)
def test_instants_outside_the_storable_range_are_a_400_naming_the_field(api, path, value):
    response = api.get(path, {"created_after": value})

    assert response.status_code == 400
    assert list(response.json()) == ["created_after"]
