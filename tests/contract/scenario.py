"""A deterministic scenario that makes every live event the product pushes, and its capture.

The scenario drives the product the way users and integrations do: the v1 REST API (the contract
itself), the escalation rules' evaluation task (run synchronously, as in every test) and the SLA
sweep. Each push is captured where it enters the channel layer in use (in-memory, the database
outbox or channels-redis): the ``(group, payload)`` that reaches the sockets.

``ws_events()`` returns the normalised record: per step, per group, the payloads in push order,
with ids as stable placeholders (agents, teams and queues by role and name, other rows by kind and
first-seen order) and timestamps as offsets from the frozen start ``T0``. Presence, which goes
from socket to socket and not through a push, is recorded at the sockets by
``test_ws_presence_snapshot.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from escalations.models import TargetKind
from escalations.sla.services import sla_sweep
from tests import factories
from tests.escalations.sla.conftest import T0, FrozenNow
from tickets.mail.models import Mailbox

HANDOFF = {
    "tried": "Re-sent the invoice and checked the payment provider",
    "diagnosis": "The card was charged twice by the provider",
    "authority_needed": "A refund above my limit",
}


@dataclass
class Capture:
    """Every push, in order: ``(step, group, payload)``."""

    step: str = "setup"
    steps: list[str] = field(default_factory=list)
    pushes: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def record(self, group: str, message: dict[str, Any]) -> None:
        # What a socket sends is the JSON of ``payload`` (consumers relay ``message["payload"]``).
        encoded = json.loads(json.dumps(message, cls=DjangoJSONEncoder))
        self.pushes.append((self.step, group, encoded.get("payload", encoded)))


@contextmanager
def pushes_captured(monkeypatch: Any) -> Iterator[Capture]:
    """Record every push at the channel layer in use, then let it go on to that layer."""
    capture = Capture()
    layer = get_channel_layer()
    assert layer is not None
    group_send = layer.group_send

    def recording_group_send(group: str, message: dict[str, Any]) -> Any:
        capture.record(group, message)  # when called: the order the sender chose
        return group_send(group, message)

    monkeypatch.setattr(layer, "group_send", recording_group_send)
    publish_many = getattr(layer, "publish_many", None)
    if publish_many is not None:  # the database outbox layer stores batches without group_send

        def recording_publish_many(pushes: list[tuple[str, dict[str, Any]]]) -> Any:
            for group, message in pushes:
                capture.record(group, message)
            return publish_many(pushes)

        monkeypatch.setattr(layer, "publish_many", recording_publish_many)
    yield capture


class Normaliser:
    """Stable placeholders for ids and timestamps (see the module docstring)."""

    # An integer under one of these keys is the id of that kind of row.
    ID_KEYS = {
        # A note in the summary event names its author by id alone.
        "author": "agent",
        "ticket": "ticket",
        "escalation": "escalation",
        "team": "team",
        "message": "message",
        "note": "note",
        "refund": "refund",
        "summary_note": "note",
    }
    # ``{"id", "name"}`` references: the key says what they point to.
    REF_KEYS = {
        "author": "agent",
        "by": "agent",
        "on_behalf_of": "agent",
        "addressed_to": "agent",
        "actor": "agent",
        "assignee": "agent",
        "queue": "queue",
        "message": "message",
        "note": "note",
        "refund": "refund",
        "viewers": "agent",
    }
    ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
    # Ids inside text: notification sentences ("#12: ..."), rendered HTML (anchors, links).
    TEXT_IDS = [
        (re.compile(r"(?<![&\w])#(\d+)\b"), "ticket", "#{}"),
        (re.compile(r"/tickets/(\d+)/"), "ticket", "/tickets/{}/"),
        (re.compile(r"/escalations/(\d+)/"), "escalation", "/escalations/{}/"),
        (re.compile(r"\bnote-(\d+)\b"), "note", "note-{}"),
        (re.compile(r'data-escalation="(\d+)"'), "escalation", 'data-escalation="{}"'),
    ]

    def __init__(self, *, named: dict[tuple[str, int], str]) -> None:
        self.labels = dict(named)
        self.counts: dict[str, int] = {}

    def id(self, kind: str, pk: int) -> str:
        label = self.labels.get((kind, pk))
        if label is None:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            label = self.labels[(kind, pk)] = f"{kind}#{self.counts[kind]}"
        return f"<{label}>"

    def time(self, match: re.Match[str]) -> str:
        at = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        seconds = (at - T0).total_seconds()
        return f"<T0{'+' if seconds >= 0 else '-'}{timedelta(seconds=abs(seconds))}>"

    def group(self, name: str) -> str:
        kind, _, pk = name.partition(".")
        if pk == "all":
            return f"{kind}:all"
        return f"{kind}:{self.id(kind, int(pk))}"

    def value(self, value: Any, key: str | None = None, parent: str | None = None) -> Any:
        if isinstance(value, dict):
            if key in ("from", "to") and parent is not None:
                key = parent  # ``changes.<field>.from/to`` point to what ``<field>`` does
            kind = self.REF_KEYS.get(key or "")
            out = {}
            for k, v in value.items():
                if k == "id" and kind is not None and isinstance(v, int):
                    out[k] = self.id(kind, v)
                else:
                    out[k] = self.value(v, k, key)
            return out
        if isinstance(value, list):
            return [self.value(v, key, parent) for v in value]
        if isinstance(value, int) and not isinstance(value, bool):
            kind = self.ID_KEYS.get(key or "")
            return self.id(kind, value) if kind is not None else value
        if isinstance(value, str):
            for pattern, kind, template in self.TEXT_IDS:
                value = pattern.sub(
                    lambda m, kind=kind, template=template: template.format(
                        self.id(kind, int(m.group(1)))
                    ),
                    value,
                )
            return self.ISO.sub(self.time, value)
        return value


def _client(agent: Any) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=agent)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _call(client: APIClient, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """One API request that must succeed (201 for a POST that creates, else 200)."""
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code in (200, 201), (method, path, response.content)
    return response.json() if response.content else {}


def ws_events(*, monkeypatch: Any) -> list[dict[str, Any]]:
    """Run the scenario and return its normalised pushes (see the module docstring)."""
    now = FrozenNow(T0)
    monkeypatch.setattr(timezone, "now", now)

    # Given one team with its lead, a senior and a junior, two queues (one with a mailbox),
    # a customer, an SLA policy, a rule that escalates negative sentiment to the lead, a macro
    team = factories.TeamFactory(name="Support")
    lead = factories.LeadFactory(username="lead", name="Lena Lead", team=team)
    senior = factories.SeniorFactory(username="senior", name="Sam Senior", team=team)
    junior = factories.AgentFactory(username="junior", name="Jo Junior", team=team)
    general = factories.QueueFactory(name="General", team=team)
    billing = factories.QueueFactory(name="Billing", team=team)
    Mailbox.objects.create(queue=general, address="support@help.example.com")
    customer = factories.CustomerFactory(
        external_id="acme", name="Acme Ltd", email="anna@acme.example", tier="standard"
    )
    policy = factories.SLAPolicyFactory(name="Standard", order=10)
    for metric, minutes in [("first_response", 60), ("next_response", 30), ("resolution", 480)]:
        factories.SLATargetFactory(policy=policy, metric=metric, priority=None, minutes=minutes)
    lead_target = factories.TargetFactory(name="Team lead", kind=TargetKind.TEAM_LEAD, team=team)
    factories.RuleFactory(
        name="Angry customer", team=team, target=lead_target, trigger_kind="sentiment_negative"
    )
    macro = factories.MacroFactory(
        name="Refund sent",
        team=team,
        body="Hi {{ customer_name }}, your refund is on its way.",
        set_status="pending",
        add_tags=["refund-sent"],
        internal_note="Refund confirmed by {{ agent_name }}.",
    )
    as_lead, as_junior = _client(lead), _client(junior)
    normaliser = Normaliser(
        named={
            ("agent", lead.pk): "lead",
            ("agent", senior.pk): "senior",
            ("agent", junior.pk): "junior",
            ("team", team.pk): "support",
            ("queue", general.pk): "general",
            ("queue", billing.pk): "billing",
        }
    )

    with pushes_captured(monkeypatch) as capture:

        def step(name: str, *, minutes_later: float = 0) -> None:
            now.advance(minutes=minutes_later)
            capture.step = name
            capture.steps.append(name)

        # --- ticket #1: the customer's conversation --------------------------------------
        step("ticket created (API)")
        first = _call(
            as_junior,
            "post",
            "/api/v1/tickets/",
            {
                "subject": "December invoice",
                "customer": customer.pk,
                "body": "Hello, I have a question about my December invoice.",
                "queue": general.pk,
                "priority": "normal",
            },
        )
        ticket = f"/api/v1/tickets/{first['id']}/"

        step("assigned to the senior, then reassigned to the junior by the lead", minutes_later=1)
        _call(as_lead, "patch", ticket, {"assignee": senior.pk})
        _call(as_lead, "patch", ticket, {"assignee": junior.pk})

        step("status, priority, tags and queue changed in one update", minutes_later=1)
        changes = {"status": "open", "priority": "high", "tags": ["billing"], "queue": billing.pk}
        _call(as_junior, "patch", ticket, changes)
        _call(as_junior, "patch", ticket, {"queue": general.pk})

        step("customer message (sentiment scored)", minutes_later=2)
        body = "Thanks, I can send the bank statement."
        _call(as_junior, "post", f"{ticket}messages/", {"author_type": "customer", "body": body})

        step("agent reply (mailed to the customer)", minutes_later=2)
        body = "Thank you, I am looking into it now."
        _call(as_junior, "post", f"{ticket}messages/", {"author_type": "agent", "body": body})

        step("internal note", minutes_later=1)
        _call(as_junior, "post", f"{ticket}notes/", {"body": "Provider confirms a double charge."})

        step("refund request", minutes_later=1)
        refund = {"amount": "49.90", "currency": "EUR", "reason": "Double charge"}
        _call(as_junior, "post", f"{ticket}refunds/", refund)

        step("customer tier upgraded", minutes_later=1)
        _call(as_lead, "patch", f"/api/v1/customers/{customer.pk}/", {"tier": "premium"})

        step(
            "negative customer message: the rule escalates to the lead (evaluation task)",
            minutes_later=2,
        )
        body = "This is awful. I am furious, cancel my account now!"
        _call(as_junior, "post", f"{ticket}messages/", {"author_type": "customer", "body": body})

        step("macro applied by the lead", minutes_later=3)
        body = "Hi Acme Ltd, your refund is on its way."
        applied = {"ticket": first["id"], "body": body}
        _call(as_lead, "post", f"/api/v1/macros/{macro.pk}/apply/", applied)

        # --- ticket #2: a manual escalation, its acknowledgement and a question ------------
        step("second ticket created and assigned", minutes_later=1)
        second = _call(
            as_junior,
            "post",
            "/api/v1/tickets/",
            {
                "subject": "Cannot sign in",
                "customer": customer.pk,
                "body": "Hello, how do I change the email address I sign in with?",
                "queue": general.pk,
            },
        )
        _call(as_lead, "patch", f"/api/v1/tickets/{second['id']}/", {"assignee": junior.pk})

        step("manual escalation by the junior (to the team lead)", minutes_later=2)
        escalated = _call(as_junior, "post", f"/api/v1/tickets/{second['id']}/escalate/", HANDOFF)
        escalation = f"/api/v1/escalations/{escalated['id']}/"

        step("the lead acknowledges", minutes_later=1)
        _call(as_lead, "post", f"{escalation}acknowledge/")

        step("the lead asks the junior a question about the escalation", minutes_later=1)
        _call(as_lead, "post", f"{escalation}question/", {"body": "Did you check the spam folder?"})

        # --- time passes: SLA crossings found by the sweep ---------------------------------
        now.at = T0 + timedelta(minutes=60)
        step("SLA sweep at T0+60m")
        sla_sweep()
        now.at = T0 + timedelta(minutes=75)
        step("SLA sweep at T0+75m")
        sla_sweep()

    return _normalised(capture, normaliser, ticket_ids=[first["id"], second["id"]])


def _normalised(
    capture: Capture, normaliser: Normaliser, *, ticket_ids: list[int]
) -> list[dict[str, Any]]:
    for pk in ticket_ids:
        normaliser.id("ticket", pk)  # tickets numbered in creation order
    # Every step, also one that pushes nothing (that is part of the contract too).
    by_step: dict[str, dict[str, list[Any]]] = {name: {} for name in capture.steps}
    for name, group, payload in capture.pushes:
        by_step[name].setdefault(normaliser.group(group), []).append(normaliser.value(payload))
    return [
        {"step": name, "pushes": dict(sorted(groups.items()))} for name, groups in by_step.items()
    ]
