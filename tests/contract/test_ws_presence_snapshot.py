"""What ticket sockets receive while two agents have the page open, equals the snapshot.

Presence (who has the page open, who is typing) goes from socket to socket over the channel
layer and never through ``tickets.realtime``, so it is recorded here at the sockets themselves
(``WebsocketCommunicator``), with one product push (a note) seen arriving at both pages. The
snapshot is ``ws_presence.json``: per step, what each page received, in order.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from tests import factories
from tests.escalations.sla.conftest import T0, FrozenNow
from tests.tickets.sockets import signed_in_socket, worker_connections_closed
from tickets import presence

from .scenario import Normaliser, _call, _client
from .snapshots import WS_PRESENCE, json_text, snapshot_compare, steps_changed

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(worker_connections_closed.__name__),
]

# A page has received everything of a step once it has been quiet this long.
QUIET_SECONDS = 1.0


def _world() -> dict[str, Any]:
    team = factories.TeamFactory(name="Support")
    queue = factories.QueueFactory(name="General", team=team)
    ann = factories.AgentFactory(username="ann", name="Ann Able", team=team)
    bob = factories.SeniorFactory(username="bob", name="Bob Baker", team=team)
    customer = factories.CustomerFactory(external_id="acme", name="Acme Ltd", tier="standard")
    ticket = factories.TicketFactory(queue=queue, customer=customer, subject="Printer on fire")
    return {"team": team, "queue": queue, "ann": ann, "bob": bob, "ticket": ticket}


def _note_add(*, agent: Any, ticket_id: int, body: str) -> None:
    _call(_client(agent), "post", f"/api/v1/tickets/{ticket_id}/notes/", {"body": body})


async def _drained(socket: WebsocketCommunicator) -> list[dict[str, Any]]:
    received = []
    while not await socket.receive_nothing(timeout=QUIET_SECONDS):
        received.append(await socket.receive_json_from())
    return received


async def test_presence_and_a_push_at_the_sockets_match_the_snapshot(monkeypatch):
    monkeypatch.setattr(timezone, "now", FrozenNow(T0))
    world = await database_sync_to_async(_world)()
    ann, bob, ticket = world["ann"], world["bob"], world["ticket"]
    normaliser = Normaliser(
        named={
            ("agent", ann.pk): "ann",
            ("agent", bob.pk): "bob",
            ("team", world["team"].pk): "support",
            ("queue", world["queue"].pk): "general",
            ("ticket", ticket.pk): "ticket#1",
        }
    )
    path = f"/ws/tickets/{ticket.pk}/"
    pages: dict[str, WebsocketCommunicator] = {}
    steps: list[dict[str, Any]] = []

    async def step(name: str) -> None:
        received = {who: await _drained(socket) for who, socket in pages.items()}
        steps.append({"step": name, "received": normaliser.value(received)})

    # When Ann opens the page, then Bob
    pages["ann"] = await signed_in_socket(path, ann)
    await step("Ann opens the ticket page")
    pages["bob"] = await signed_in_socket(path, bob)
    await step("Bob opens it too")

    # Bob types, then stops (reports are rate-limited: wait out the interval in between)
    await pages["bob"].send_json_to({"type": "presence.typing", "typing": True})
    await step("Bob types")
    await asyncio.sleep(presence.TYPING_MIN_INTERVAL_SECONDS)
    await pages["bob"].send_json_to({"type": "presence.typing", "typing": False})
    await step("Bob stops typing")

    # Ann adds a note through the API: both pages get the same push
    await database_sync_to_async(_note_add)(agent=ann, ticket_id=ticket.pk, body="On it.")
    await step("Ann adds a note")

    # Bob leaves
    await pages.pop("bob").disconnect()
    await step("Bob closes the page")
    await pages.pop("ann").disconnect()

    # Then what each page received, step by step, is the committed contract
    snapshot_compare(WS_PRESENCE, json_text(steps), summary=steps_changed(WS_PRESENCE, steps))
