"""The queue pages' socket: only the agent's own team's ticket changes reach it."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from kimondesk.asgi import application
from tests import factories
from tests.tickets.sockets import (
    ORIGIN,
    session_cookie,
    signed_in_socket,
    worker_connections_closed,
)
from tickets import realtime
from tickets.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from tickets.models import Agent

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(worker_connections_closed.__name__),
]


async def _open(agent) -> WebsocketCommunicator:
    return await signed_in_socket("/ws/queues/", agent)


@pytest.fixture
def alpha(db):
    return factories.TeamFactory(name="Alpha")


@pytest.fixture
def bravo(db):
    return factories.TeamFactory(name="Bravo")


def _changed(ticket_id, team):
    return {
        "type": "queue.ticket_changed",
        "ticket": ticket_id,
        "team": team.pk if team else None,
        "event": "assigned",
    }


@sync_to_async
def _push_as_live_core_does(ticket_id, team):
    """To the ticket's team group and to the admins' group, as the contract says."""
    event = _changed(ticket_id, team)
    groups = [realtime.TEAM_ALL_GROUP] + ([realtime.team_group(team.pk)] if team else [])
    realtime.push_many([(group, event) for group in groups])


async def test_an_anonymous_queue_socket_is_refused():
    socket = WebsocketCommunicator(application, "/ws/queues/", headers=[ORIGIN])

    assert await socket.connect() == (False, CLOSE_UNAUTHENTICATED)


async def test_an_agent_in_no_team_is_refused(db):
    loner = await database_sync_to_async(factories.AgentFactory)(username="loner", team=None)
    socket = WebsocketCommunicator(
        application, "/ws/queues/", headers=[ORIGIN, await session_cookie(loner)]
    )

    assert await socket.connect() == (False, CLOSE_FORBIDDEN)


async def test_each_team_gets_its_own_changes_and_an_admin_gets_all(alpha, bravo):
    alpha_agent = await database_sync_to_async(factories.AgentFactory)(username="a1", team=alpha)
    bravo_agent = await database_sync_to_async(factories.AgentFactory)(username="b1", team=bravo)
    admin = await database_sync_to_async(factories.AdminFactory)(username="root")
    sockets = [await _open(a) for a in (alpha_agent, bravo_agent, admin)]
    alpha_socket, bravo_socket, admin_socket = sockets

    await _push_as_live_core_does(11, alpha)
    await _push_as_live_core_does(22, bravo)
    await _push_as_live_core_does(33, None)

    assert await alpha_socket.receive_json_from(timeout=2) == _changed(11, alpha)
    assert await bravo_socket.receive_json_from(timeout=2) == _changed(22, bravo)
    assert [await admin_socket.receive_json_from(timeout=2) for _ in range(3)] == [
        _changed(11, alpha),
        _changed(22, bravo),
        _changed(33, None),
    ]
    for socket in sockets:
        assert await socket.receive_nothing(timeout=0.2) is True
        await socket.disconnect()


async def test_another_teams_event_sent_to_the_wrong_group_is_not_relayed(alpha, bravo):
    alpha_agent = await database_sync_to_async(factories.AgentFactory)(username="a1", team=alpha)
    socket = await _open(alpha_agent)

    await sync_to_async(realtime.push_many)([(realtime.team_group(alpha.pk), _changed(5, bravo))])

    assert await socket.receive_nothing(timeout=0.5) is True
    await socket.disconnect()


async def test_an_agent_moved_to_another_team_no_longer_gets_the_old_teams_changes(alpha, bravo):
    mover = await database_sync_to_async(factories.AgentFactory)(username="mover", team=alpha)
    socket = await _open(mover)
    await database_sync_to_async(lambda: Agent.objects.filter(pk=mover.pk).update(team=bravo))()

    await _push_as_live_core_does(11, alpha)

    assert await socket.receive_nothing(timeout=0.5) is True
    await socket.disconnect()


async def test_a_deactivated_agents_queue_socket_is_closed_without_the_event(alpha):
    agent = await database_sync_to_async(factories.AgentFactory)(username="gone", team=alpha)
    socket = await _open(agent)
    await database_sync_to_async(
        lambda: Agent.objects.filter(pk=agent.pk).update(is_active=False)
    )()

    await _push_as_live_core_does(11, alpha)

    assert await socket.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": CLOSE_FORBIDDEN,
    }
    assert await socket.receive_nothing(timeout=0.1) is True
