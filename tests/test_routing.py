"""A WebSocket handshake on a path no app serves is refused with 4404, not a server error."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator

from kimondesk.asgi import application
from kimondesk.routing import CLOSE_NOT_FOUND

ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path", ["/ws/unknown/", "/ws/tickets/abc/", "/ws/tickets/%C2%B2/", "/nothing"]
)
async def test_an_unknown_socket_path_is_closed_with_4404(path):
    socket = WebsocketCommunicator(application, path, headers=[ORIGIN])

    connected, code = await socket.connect()
    await socket.disconnect()

    assert (connected, code) == (False, CLOSE_NOT_FOUND)
