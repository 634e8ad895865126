"""An open socket stops relaying once its agent loses access: access is re-checked on pushes,
not only at connect (every push in tests; at most every SOCKET_RECHECK_SECONDS in production)."""

from __future__ import annotations

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from kimondesk.asgi import application
from tests import factories
from tickets import consumers, realtime
from tickets.consumers import CLOSE_FORBIDDEN
from tickets.models import Agent, Queue, Team, Ticket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

EVENT = {"type": "ticket.updated", "ticket": 0, "subject": "Alpha invoice"}


@pytest_asyncio.fixture(autouse=True)
async def _close_worker_connections(transactional_db):
    yield
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def _signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


async def _open(path: str, client: Client) -> WebsocketCommunicator:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket = WebsocketCommunicator(
        application, path, headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)]
    )
    connected, _ = await socket.connect()
    assert connected is True
    return socket


@sync_to_async
def _push_to_ticket(ticket_id: int) -> None:
    realtime.push_to_ticket(ticket_id, {**EVENT, "ticket": ticket_id})


@sync_to_async
def _push_to_agent(agent_id: int) -> None:
    realtime.push_many([(realtime.agent_group(agent_id), EVENT)])


async def _assert_closed_without_payload(socket: WebsocketCommunicator) -> None:
    output = await socket.receive_output(timeout=2)
    assert output == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert await socket.receive_nothing(timeout=0.1) is True


@pytest.fixture
def world_a(db):
    team_a = factories.TeamFactory(name="Alpha")
    team_b = factories.TeamFactory(name="Bravo")
    junior = factories.AgentFactory(username="junior_a", team=team_a)
    ticket = factories.TicketFactory(
        subject="Alpha invoice", queue=factories.QueueFactory(name="Alpha general", team=team_a)
    )
    factories.QueueFactory(name="Bravo general", team=team_b)
    return junior, ticket


async def test_a_push_reaches_an_agent_who_still_has_access(world_a):
    junior, ticket = world_a
    socket = await _open(f"/ws/tickets/{ticket.pk}/", await _signed_in(junior))

    await _push_to_ticket(ticket.pk)

    assert await socket.receive_json_from(timeout=2) == {**EVENT, "ticket": ticket.pk}
    await socket.disconnect()


async def test_ticket_moved_to_another_team_stops_the_pushes(world_a):
    junior, ticket = world_a
    socket = await _open(f"/ws/tickets/{ticket.pk}/", await _signed_in(junior))
    await database_sync_to_async(
        lambda: Ticket.objects.filter(pk=ticket.pk).update(
            queue=Queue.objects.get(name="Bravo general")
        )
    )()

    await _push_to_ticket(ticket.pk)

    await _assert_closed_without_payload(socket)


async def test_agent_moved_to_another_team_stops_the_pushes(world_a):
    junior, ticket = world_a
    socket = await _open(f"/ws/tickets/{ticket.pk}/", await _signed_in(junior))
    await database_sync_to_async(
        lambda: Agent.objects.filter(pk=junior.pk).update(team=Team.objects.get(name="Bravo"))
    )()

    await _push_to_ticket(ticket.pk)

    await _assert_closed_without_payload(socket)


@pytest.mark.parametrize("path", ["/ws/tickets/{ticket}/", "/ws/notifications/"])
async def test_deactivated_agent_stops_receiving(world_a, path):
    junior, ticket = world_a
    socket = await _open(path.format(ticket=ticket.pk), await _signed_in(junior))
    await database_sync_to_async(
        lambda: Agent.objects.filter(pk=junior.pk).update(is_active=False)
    )()

    await _push_to_ticket(ticket.pk)
    await _push_to_agent(junior.pk)

    await _assert_closed_without_payload(socket)


@pytest.mark.parametrize("path", ["/ws/tickets/{ticket}/", "/ws/notifications/"])
async def test_signing_out_stops_the_pushes(world_a, path):
    junior, ticket = world_a
    client = await _signed_in(junior)
    socket = await _open(path.format(ticket=ticket.pk), client)
    await sync_to_async(client.logout)()

    await _push_to_ticket(ticket.pk)
    await _push_to_agent(junior.pk)

    await _assert_closed_without_payload(socket)


async def test_a_burst_of_pushes_checks_access_once_within_the_recheck_window(
    world_a, settings, monkeypatch
):
    settings.KIMONDESK = {**settings.KIMONDESK, "SOCKET_RECHECK_SECONDS": 60}
    junior, ticket = world_a
    checks = []
    real_check = consumers.agent_socket_allowed

    def counting_check(**kwargs):
        checks.append(kwargs["ticket_id"])
        return real_check(**kwargs)

    monkeypatch.setattr("tickets.consumers.agent_socket_allowed", counting_check)
    socket = await _open(f"/ws/tickets/{ticket.pk}/", await _signed_in(junior))

    for _ in range(3):
        await _push_to_ticket(ticket.pk)
        assert await socket.receive_json_from(timeout=2) == {**EVENT, "ticket": ticket.pk}

    assert checks == [ticket.pk]
    await socket.disconnect()
