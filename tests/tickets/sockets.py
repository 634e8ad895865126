"""What the socket tests of the ticket app share: a signed-in socket and the worker cleanup."""

from __future__ import annotations

import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client

from kimondesk.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest_asyncio.fixture
async def worker_connections_closed(transactional_db):
    """Consumers query from a worker thread; its connection must not outlive the test."""
    yield
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def session_cookie(agent) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(agent)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def signed_in_socket(path: str, agent) -> WebsocketCommunicator:
    """A socket at ``path`` from the same origin, signed in as ``agent``, connected."""
    socket = WebsocketCommunicator(application, path, headers=[ORIGIN, await session_cookie(agent)])
    connected, _ = await socket.connect()
    assert connected is True
    return socket
