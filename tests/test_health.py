from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from escalations.models import TaskLease
from escalations.sla.sweeper import LEASE_NAME
from kimondesk import health
from kimondesk.schedules import periodic_tasks


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_each_dependency(client):
    _sweeper_renewed(5)

    response = client.get("/readyz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "redis", "queue", "periodic"}
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


def _sweeper_renewed(seconds_ago: float) -> None:
    TaskLease.objects.update_or_create(
        name=LEASE_NAME,
        defaults={"renewed_at": timezone.now() - timedelta(seconds=seconds_ago)},
    )


@pytest.mark.django_db
def test_migrate_registers_every_periodic_schedule():
    # The test database was migrated: post_migrate created the rows without any command
    assert set(Schedule.objects.values_list("name", flat=True)) == {
        t.name for t in periodic_tasks()
    }


@pytest.mark.django_db
def test_readyz_fails_when_the_sla_sweeper_is_stalled(client, settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "SLA_SWEEPER_STALL_SECONDS": 120}
    _sweeper_renewed(121)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["periodic"] == {
        "ok": False,
        "error": "TimeoutError",
        "ms": response.json()["checks"]["periodic"]["ms"],
    }


@pytest.mark.django_db
def test_readyz_fails_when_a_schedule_is_missing(client):
    _sweeper_renewed(0)
    Schedule.objects.filter(name="sla-sweeper-watchdog").delete()

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["periodic"]["error"] == "LookupError"


@pytest.mark.django_db
def test_readyz_never_started_sweeper_is_not_ready(client):
    TaskLease.objects.filter(name=LEASE_NAME).delete()

    assert client.get("/readyz").status_code == 503


@pytest.mark.django_db
def test_readyz_web_scope_leaves_the_periodic_check_out(client):
    TaskLease.objects.filter(name=LEASE_NAME).delete()

    response = client.get("/readyz?scope=web")

    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "redis", "queue"}
