import pytest
from django.db import connection

from kimondesk import health


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "redis", "queue"}
    assert body["checks"]["database"]["vendor"] == connection.vendor
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_readyz_is_503_and_names_the_failed_check_without_details(client, monkeypatch):
    def broken() -> dict:
        raise ConnectionError("redis://:secret@10.0.0.1:6379 refused")

    monkeypatch.setitem(health.CHECKS, "redis", broken)

    response = client.get("/readyz")

    failed = response.json()["checks"]["redis"]
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert (failed["ok"], failed["error"]) == (False, "ConnectionError")
    assert b"secret" not in response.content


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
