"""The live-push sockets: who may connect, and what they relay."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from kimondesk.asgi import application
from tests import factories
from tests.tickets.sockets import ORIGIN, worker_connections_closed
from tests.tickets.sockets import session_cookie as _session_cookie
from tickets import realtime
from tickets.consumers import CLOSE_FORBIDDEN, CLOSE_LAYER_UNAVAILABLE, CLOSE_UNAUTHENTICATED

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(worker_connections_closed.__name__),
]


def _socket(path: str, *headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[ORIGIN, *headers])


@pytest.fixture
def ticket(queue):
    return factories.TicketFactory(queue=queue)


@pytest.fixture
def other_ticket(queue):
    return factories.TicketFactory(queue=queue)


@pytest.fixture
def outsider(db):
    return factories.AgentFactory(username="outsider", team=factories.TeamFactory(name="Billing"))


@pytest.mark.parametrize("path", ["/ws/tickets/{id}/", "/ws/notifications/"])
async def test_anonymous_sockets_are_refused(ticket, path):
    socket = _socket(path.format(id=ticket.pk))

    connected, code = await socket.connect()

    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_ticket_socket_without_origin_is_refused(ticket, junior):
    cookie = await _session_cookie(junior)
    socket = WebsocketCommunicator(application, f"/ws/tickets/{ticket.pk}/", headers=[cookie])

    connected, _ = await socket.connect()

    assert connected is False


async def test_ticket_socket_from_a_foreign_origin_is_refused(ticket, junior):
    cookie = await _session_cookie(junior)
    socket = WebsocketCommunicator(
        application,
        f"/ws/tickets/{ticket.pk}/",
        headers=[(b"origin", b"https://evil.example"), cookie],
    )

    connected, _ = await socket.connect()

    assert connected is False


async def test_junior_of_another_team_is_refused_and_gets_no_pushes(ticket, junior, outsider):
    outsider_socket = _socket(f"/ws/tickets/{ticket.pk}/", await _session_cookie(outsider))
    member_socket = _socket(f"/ws/tickets/{ticket.pk}/", await _session_cookie(junior))

    refused = await outsider_socket.connect()
    accepted, _ = await member_socket.connect()
    await sync_to_async(realtime.push_to_ticket)(ticket.pk, {"type": "ticket.updated"})

    assert refused == (False, CLOSE_FORBIDDEN)
    assert accepted is True
    assert await member_socket.receive_json_from(timeout=2) == {"type": "ticket.updated"}
    assert await outsider_socket.receive_nothing() is True
    await member_socket.disconnect()


async def test_ticket_socket_relays_the_pushed_payload_exactly(ticket, other_ticket, senior):
    socket = _socket(f"/ws/tickets/{ticket.pk}/", await _session_cookie(senior))
    other_ticket_socket = _socket(f"/ws/tickets/{other_ticket.pk}/", await _session_cookie(senior))
    await socket.connect()
    await other_ticket_socket.connect()
    event = {
        "type": "escalation.summary",
        "ticket": ticket.pk,
        "escalation": 41,
        "note": {"id": 7, "body": "Tried: resend. Needs: refund authority."},
        "html": "<div class='escalation-summary'>…</div>",
    }

    await sync_to_async(realtime.push_to_ticket)(ticket.pk, event)

    assert await socket.receive_json_from(timeout=2) == event
    assert await other_ticket_socket.receive_nothing() is True
    await socket.disconnect()
    await other_ticket_socket.disconnect()


async def test_notification_socket_gets_only_the_agents_own_events(junior, senior):
    mine = _socket("/ws/notifications/", await _session_cookie(senior))
    theirs = _socket("/ws/notifications/", await _session_cookie(junior))
    assert (await mine.connect())[0] is True
    assert (await theirs.connect())[0] is True
    event = {
        "type": "escalation.assigned",
        "ticket": 12,
        "escalation": 3,
        "message": "#12 escalated to you by rule Angry customer",
    }

    await sync_to_async(realtime.push_many)([(realtime.agent_group(senior.pk), event)])

    assert await mine.receive_json_from(timeout=2) == event
    assert await theirs.receive_nothing() is True
    await mine.disconnect()
    await theirs.disconnect()


async def test_what_the_browser_sends_is_ignored(ticket, junior):
    socket = _socket(f"/ws/tickets/{ticket.pk}/", await _session_cookie(junior))
    await socket.connect()

    await socket.send_json_to({"type": "push", "payload": {"type": "forged"}})

    assert await socket.receive_nothing() is True
    await socket.disconnect()


@pytest.mark.parametrize(
    "failure",
    [ConnectionError("Connection closed by server."), TimeoutError()],
    ids=["layer-error", "layer-timeout"],
)
async def test_a_socket_is_refused_when_the_channel_layer_does_not_answer(
    ticket, junior, monkeypatch, failure
):
    # given a channel layer that fails (as after a Redis restart, before its pool recovers)
    from channels.layers import get_channel_layer

    async def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(type(get_channel_layer()), "group_add", fail)
    socket = _socket(f"/ws/tickets/{ticket.pk}/", await _session_cookie(junior))

    # when the page connects, then it is refused with a code its script retries on
    connected, code = await socket.connect()

    assert (connected, code) == (False, CLOSE_LAYER_UNAVAILABLE)
