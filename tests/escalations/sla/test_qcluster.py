"""The sweeper chain under a real ``qcluster`` process: crossings announced within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from escalations.models import SLAClock
from tests import factories
from tickets.models import EventKind, TicketEvent
from tickets.services import ticket_create

ROOT = Path(__file__).resolve().parents[3]


def cluster_env(cluster_name: str) -> dict[str, str]:
    """The environment of a child process that opens this test's database, not sync."""
    env = dict(os.environ)
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{name}"
    else:
        parts = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kimondesk.settings.test",
            "Q_SYNC": "0",
            "Q_CLUSTER_NAME": cluster_name,
            "Q_WORKERS": "2",
            # Short links, so that the test also sees a hand-over to the next link.
            "SLA_SWEEPER_LIFETIME_SECONDS": "2",
        }
    )
    return env


@pytest.mark.qcluster
@pytest.mark.django_db(transaction=True)
def test_real_cluster_announces_amber_and_red_within_seconds():
    # Given a ticket whose first-response clock turns amber in 3 s and red in 5 s
    policy = factories.SLAPolicyFactory(name="Live")
    factories.SLATargetFactory(policy=policy, minutes=60)
    ticket = ticket_create(
        subject="Live",
        customer=factories.CustomerFactory(),
        queue=factories.QueueFactory(),
        body="?",
    )
    clock = SLAClock.objects.get(ticket=ticket, metric="first_response")
    amber_at = timezone.now() + timedelta(seconds=3)
    breach_at = amber_at + timedelta(seconds=2)
    SLAClock.objects.filter(pk=clock.pk).update(
        amber_at=amber_at, breach_at=breach_at, due_at=breach_at
    )
    name = f"kd-sla-test-{uuid.uuid4().hex[:8]}"
    env = cluster_env(name)
    python = sys.executable
    # When the sweeper is registered and a cluster runs
    subprocess.run(
        [python, "manage.py", "ensure_schedules"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    cluster = subprocess.Popen(
        [python, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_STATE_CHANGED)
    try:
        deadline = time.monotonic() + 30
        while events.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # a duplicate would show up now
    finally:
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait(10)
        if settings.REDIS_URL:
            import redis

            redis.Redis.from_url(settings.REDIS_URL).delete(f"django_q:{name}:q")
    # Then amber and red were each announced once, a few seconds at most after their instants
    announced = list(events.order_by("id"))
    assert [e.data for e in announced] == [
        {"metric": "first_response", "from": "green", "to": "amber", "clock": clock.pk},
        {"metric": "first_response", "from": "amber", "to": "red", "clock": clock.pk},
    ]
    lags = [
        (announced[0].created_at - amber_at).total_seconds(),
        (announced[1].created_at - breach_at).total_seconds(),
    ]
    assert all(0 <= lag < 5 for lag in lags), lags
