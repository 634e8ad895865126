"""Fault drills against a production-shaped stack (``bench/stack.py``) on the test database.

The test process is the driver: it writes through the services into the test database (committed:
every drill is ``django_db(transaction=True)``) and queues tasks into the stack's private Redis,
which web and qcluster processes started with the production settings read. Every process a drill
starts is stopped when it ends; the test database goes with the test session.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from django_q.conf import Conf

from bench.stack import BENCH_SECRET, Stack, running_stack
from escalations.models import Rule, TargetKind
from tests import factories
from tickets.models import Agent, Role, Ticket

from .drills import database_url

# Private Redis ports 6392-6398 and web ports 8550-8591, one slot per stack in this session.
_slots = itertools.count()


@pytest.fixture
def fault_stack(settings, monkeypatch) -> Iterator[Callable[..., Stack]]:
    """Start a stack on the test database: ``fault_stack(web=1, workers=1)``.

    The driver's tasks go to the stack's Redis (not run inline), its pushes to the stack's channel
    layer, and it signs sessions with the stack's secret key so the web processes accept them.
    """
    contexts = []

    def start(*, web: int = 0, workers: int = 0, env: dict[str, str] | None = None) -> Stack:
        slot = next(_slots) % 7
        context = running_stack(
            db_name=str(connection.settings_dict["NAME"]),
            web=web,
            workers=workers,
            base_port=8550 + slot * 6,
            redis_port=6392 + slot,
            # Q_SAVE_LIMIT=0: the drills count finished tasks in django-q2's Success table.
            env={"Q_WORKERS": "2", "Q_SAVE_LIMIT": "0", **(env or {})},
            existing_database_url=database_url(),
            stop_grace=5.0,
        )
        stack = context.__enter__()
        contexts.append(context)
        monkeypatch.setattr(Conf, "SYNC", False)
        monkeypatch.setattr(Conf, "ORM", None)
        monkeypatch.setattr(Conf, "REDIS", stack.redis_url)
        # Task packages are signed: with the stack's key, or its clusters refuse them.
        monkeypatch.setattr(Conf, "SECRET_KEY", BENCH_SECRET)
        settings.SECRET_KEY = BENCH_SECRET
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [stack.redis_url],
                    "prefix": stack.base_env().get("CHANNELS_PREFIX", "kimondesk"),
                },
            }
        }
        for index in range(web):
            stack.start_web(index)
        for index in range(workers):
            stack.start_worker(index)
        if workers:
            stack.wait_for_clusters(workers)
        return stack

    try:
        yield start
    finally:
        for context in reversed(contexts):
            if os.environ.get("KD_DRILL_LOGS"):  # debugging a drill: show what the processes said
                for log in sorted(context.gen.gi_frame.f_locals["stack"].tmp.glob("*.log")):
                    print(f"--- {log.name}\n{log.read_text(errors='replace')[-30000:]}")
            context.__exit__(None, None, None)


@dataclass
class Escalating:
    """Tickets held by a junior, and a rule sending negative customer messages to the lead."""

    lead: Agent
    junior: Agent
    rule: Rule
    tickets: list[Ticket]


@pytest.fixture
def escalating(db) -> Callable[[int], Escalating]:
    def make(count: int) -> Escalating:
        team = factories.TeamFactory(name="Drill team")
        lead = factories.LeadFactory(username="drill-lead", team=team)
        junior = factories.AgentFactory(username="drill-junior", team=team, role=Role.JUNIOR)
        queue = factories.QueueFactory(name="Drill inbox", team=team)
        customer = factories.CustomerFactory()
        target = factories.TargetFactory(name="Lead", kind=TargetKind.TEAM_LEAD, team=team)
        rule = factories.RuleFactory(
            name="Angry → lead", team=team, target=target, cooldown_minutes=0
        )
        tickets = Ticket.objects.bulk_create(
            Ticket(
                subject=f"Drill {i}", customer=customer, queue=queue, assignee=junior, status="open"
            )
            for i in range(count)
        )
        return Escalating(lead=lead, junior=junior, rule=rule, tickets=tickets)

    return make
