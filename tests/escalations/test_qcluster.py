"""A real ``manage.py qcluster`` process evaluates a ticket event and escalates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_q.conf import Conf

from escalations.models import Escalation
from tests import factories
from tickets import services as ticket_services

ROOT = Path(__file__).resolve().parents[2]
ANGRY = "This is terrible, awful service. I am furious and I want a lawyer."


def current_database_url() -> str:
    """The URL of the database this test runs on, for the cluster process to open."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@pytest.fixture
def qcluster():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kimondesk.settings.test",
        "DATABASE_URL": current_database_url(),
        "Q_SYNC": "0",
        "Q_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    yield process
    # The cluster's graceful stop can take many seconds; its whole session goes after a grace.
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=3)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.mark.qcluster
@pytest.mark.django_db(transaction=True)
def test_a_real_cluster_evaluates_the_event(
    qcluster, monkeypatch, team, queue, customer, junior, senior, senior_target
):
    # given a sentiment rule, and tasks going to the broker instead of running inline
    factories.RuleFactory(name="Angry", trigger_kind="sentiment_negative", target=senior_target)
    ticket = ticket_services.ticket_create(
        subject="Invoice", customer=customer, body="Hello, a question.", queue=queue
    )
    ticket_services.ticket_update(ticket=ticket, actor=None, assignee=junior)
    monkeypatch.setattr(Conf, "SYNC", False)

    # when the customer turns angry (committed: the task is queued on commit)
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    assert Escalation.objects.count() == 0

    # then the cluster process escalates it (bounded wait)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and not Escalation.objects.exists():
        assert qcluster.poll() is None, qcluster.stderr.read().decode() if qcluster.stderr else ""
        time.sleep(0.3)
    escalation = Escalation.objects.get()
    assert escalation.to_agent == senior
    assert escalation.from_agent == junior
