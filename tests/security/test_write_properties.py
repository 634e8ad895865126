"""Property-based bounds over every write endpoint: whatever a caller sends, the API answers
below 500, and nothing it accepted makes a task fail later (rule evaluation, the SLA sweep, the
unacknowledged sweep), with times far in the future."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from escalations.engine.acknowledge import escalations_unacknowledged_bump
from escalations.engine.evaluate import event_evaluate
from escalations.sla.services import sla_sweep
from tests import factories
from tickets.models import TicketEvent

# Hostile and ordinary values for any field: huge and negative numbers, floats, non-ASCII
# digits, long and odd text, wrong types, nesting.
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, 1, -1, 525_600, 525_601, 10**12, 10**15, 2**63, 1.5, 1e400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["²", "\uff11", "1e400", "-0", "NaN", "localtime", "Factory", "<script>", "x" * 30_000]
    ),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _body(fields: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Each field either a plausible value or anything; fields may be missing."""
    return st.fixed_dictionaries(
        {}, optional={name: st.one_of(good, ANY_VALUE) for name, good in fields.items()}
    )


PRIORITY = st.sampled_from(["low", "normal", "high", "urgent"])
MINUTES = st.integers(min_value=-10, max_value=10**16)
TRIGGER = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["sentiment_negative", "refund_threshold", "tier_upgrade", "nope"]),
        "params": st.one_of(
            st.just({}),
            st.fixed_dictionaries({"amount": ANY_VALUE, "currency": st.sampled_from(["USD", "X"])}),
        ),
    }
)

WRITES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "post",
        "/api/v1/tickets/",
        {
            "subject": st.text(max_size=300),
            "customer": st.just("{customer}"),
            "queue": st.just("{queue}"),
            "body": st.text(max_size=200),
            "priority": PRIORITY,
            "tags": st.lists(st.text(max_size=60), max_size=60),
        },
    ),
    (
        "patch",
        "/api/v1/tickets/{ticket}/",
        {
            "status": st.sampled_from(["open", "pending", "solved"]),
            "priority": PRIORITY,
            "queue": st.just("{queue}"),
            "assignee": st.just("{agent}"),
            "tags": st.lists(st.text(max_size=60), max_size=5),
        },
    ),
    (
        "post",
        "/api/v1/tickets/{ticket}/messages/",
        {"author_type": st.sampled_from(["customer", "agent"]), "body": st.text(max_size=300)},
    ),
    (
        "post",
        "/api/v1/tickets/{ticket}/notes/",
        {"body": st.text(max_size=300), "pinned": st.booleans()},
    ),
    (
        "post",
        "/api/v1/tickets/{ticket}/refunds/",
        {
            "amount": st.decimals(allow_nan=True).map(str),
            "currency": st.sampled_from(["USD", "EUR", "XXX", "usd"]),
            "reason": st.text(max_size=300),
        },
    ),
    (
        "post",
        "/api/v1/tickets/{ticket}/escalate/",
        {
            "tried": st.text(max_size=50),
            "diagnosis": st.text(max_size=50),
            "authority_needed": st.text(max_size=50),
            "target": st.just("{target}"),
        },
    ),
    (
        "post",
        "/api/v1/customers/",
        {
            "external_id": st.text(max_size=80),
            "name": st.text(max_size=300),
            "email": st.emails(),
            "tier": st.sampled_from(["free", "premium", "gold"]),
        },
    ),
    (
        "patch",
        "/api/v1/customers/{customer}/",
        {
            "name": st.text(max_size=300),
            "email": st.emails(),
            "tier": st.sampled_from(["free", "enterprise"]),
        },
    ),
    (
        "post",
        "/api/v1/targets/",
        {
            "name": st.text(max_size=120),
            "kind": st.sampled_from(["agent", "queue", "team_lead", "slack"]),
            "agent": st.just("{agent}"),
            "queue": st.just("{queue}"),
        },
    ),
    (
        "post",
        "/api/v1/rules/",
        {
            "name": st.text(min_size=1, max_size=160),
            "trigger": TRIGGER,
            "conditions": st.just([]),
            "target": st.just("{target}"),
            "cooldown_minutes": MINUTES,
            "ack_limit_minutes": MINUTES,
            "order": st.integers(),
        },
    ),
    (
        "post",
        "/api/v1/sla-policies/",
        {
            "name": st.text(min_size=1, max_size=160),
            "conditions": st.just([]),
            "amber_percent": st.integers(),
            "targets": st.lists(
                st.fixed_dictionaries(
                    {
                        "metric": st.sampled_from(["first_response", "resolution", "x"]),
                        "minutes": MINUTES,
                    }
                ),
                max_size=3,
            ),
            "order": st.integers(),
        },
    ),
    (
        "post",
        "/api/v1/calendars/",
        {
            "name": st.text(max_size=120),
            "timezone": st.sampled_from(
                ["UTC", "Europe/Berlin", "localtime", "Factory", "Mars/Base"]
            ),
            "hours": st.lists(
                st.fixed_dictionaries(
                    {
                        "weekday": st.integers(-1, 8),
                        "start": st.sampled_from(["09:00", "25:00", "\uff19:00"]),
                        "end": st.sampled_from(["17:00", "00:00", "x"]),
                    }
                ),
                max_size=3,
            ),
        },
    ),
    (
        "patch",
        "/api/v1/rules/{rule}/",
        {
            "trigger": TRIGGER,
            "cooldown_minutes": MINUTES,
            "ack_limit_minutes": MINUTES,
            "target": st.just("{target}"),
            "enabled": st.booleans(),
        },
    ),
    (
        "patch",
        "/api/v1/sla-policies/{policy}/",
        {
            "amber_percent": st.integers(),
            "targets": st.lists(
                st.fixed_dictionaries({"metric": st.just("resolution"), "minutes": MINUTES}),
                max_size=2,
            ),
        },
    ),
    (
        "post",
        "/api/v1/webhooks/",
        {
            "url": st.sampled_from(
                ["https://example.com/hook", "http://127.0.0.1/x", "https://[::1", "ftp://x"]
            ),
            "events": st.lists(st.sampled_from(["ticket.created", "nope"]), max_size=2),
        },
    ),
    (
        "post",
        "/api/v1/agents/",
        {
            "username": st.text(max_size=200),
            "password": st.text(max_size=50),
            "team": st.just("{team}"),
            "role": st.sampled_from(["junior", "lead", "boss"]),
        },
    ),
    (
        "post",
        "/api/v1/teams/",
        {
            "name": st.text(max_size=120),
            "timezone": st.sampled_from(["UTC", "localtime", "Factory"]),
        },
    ),
    (
        "post",
        "/api/v1/exchange-rates/",
        {
            "team": st.just("{team}"),
            "base": st.sampled_from(["EUR", "usd", "XYZ", "", "EURO", " GBP"]),
            "quote": st.sampled_from(["USD", "EUR", "jpy", "US"]),
            "rate": st.sampled_from(
                ["1.1", "0", "-1", "1e400", "NaN", "0.0000001", "1000000", "1000000.000001"]
            ),
            "valid_from": st.sampled_from(["2026-12-01", "0001-01-01", "9999-12-31", "2026-13-01"]),
        },
    ),
    (
        "post",
        "/api/v1/queues/",
        {"name": st.text(max_size=120), "team": st.just("{team}"), "specialist": st.booleans()},
    ),
]


def _resolve(value: Any, ids: dict[str, int]) -> Any:
    if (
        isinstance(value, str)
        and value.startswith("{")
        and value.endswith("}")
        and value[1:-1] in ids
    ):
        return ids[value[1:-1]]
    return value


@pytest.fixture
def desk(db) -> dict[str, Any]:
    team = factories.TeamFactory(name="Alpha")
    lead = factories.LeadFactory(username="lead", team=team)
    team.lead = lead
    team.save()
    senior = factories.SeniorFactory(username="senior", team=team)
    queue = factories.QueueFactory(name="General", team=team)
    customer = factories.CustomerFactory()
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=senior)
    target = factories.TargetFactory(name="Senior", kind="agent", agent=senior, team=team)
    rule = factories.RuleFactory(name="Angry", team=team, target=target)
    policy = factories.SLAPolicyFactory(name="Standard", team=team)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=lead).key}")
    ids = {
        "team": team.pk,
        "queue": queue.pk,
        "customer": customer.pk,
        "ticket": ticket.pk,
        "agent": senior.pk,
        "target": target.pk,
        "rule": rule.pk,
        "policy": policy.pk,
    }
    return {"client": client, "ids": ids}


def _tasks_run_cleanly(caplog) -> None:
    """Every stored event evaluated, then both sweeps run at several future instants: no
    exception escapes, and no row had to be skipped by the per-row isolation."""
    with caplog.at_level(logging.ERROR, logger="escalations.sweeps"):
        for event_id in TicketEvent.objects.order_by("id").values_list("pk", flat=True):
            event_evaluate(event_id=event_id)
        for ahead in (timedelta(minutes=1), timedelta(days=2), timedelta(days=800)):
            sla_sweep(now=timezone.now() + ahead)
            escalations_unacknowledged_bump(now=timezone.now() + ahead)
    assert [r.getMessage() for r in caplog.records if r.name == "escalations.sweeps"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "fields"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES]
)
def test_no_write_answers_5xx_or_stores_a_row_that_breaks_a_task(
    desk, caplog, method, path, fields
):
    answered: list[int] = []

    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(body=_body(fields))
    def call(body: dict[str, Any]) -> None:
        payload = {name: _resolve(value, desk["ids"]) for name, value in body.items()}
        url = path.format(**desk["ids"])
        # Sent as written, NaN and Infinity included (not valid JSON: a 400 is the answer).
        raw = json.dumps(payload, allow_nan=True)
        response = getattr(desk["client"], method)(url, raw, content_type="application/json")
        answered.append(response.status_code)
        assert response.status_code < 500, (payload, response.content[:300])

    call()

    assert len(answered) == 25
    _tasks_run_cleanly(caplog)
