"""HTTP under ASGI runs Django's middleware chain in sync mode, handed to the request thread
once per request (``kimondesk.asgi_handler``), with the same answers as before."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any, TypeVar

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator
from django.db import connection
from rest_framework.authtoken.models import Token

from kimondesk.asgi import application, django_asgi_app
from kimondesk.asgi_handler import SyncChainASGIHandler
from tests import factories
from tickets.models import Message

HOST = (b"host", b"127.0.0.1")
T = TypeVar("T")


def test_the_http_app_runs_the_middleware_chain_in_sync_mode():
    assert isinstance(django_asgi_app, SyncChainASGIHandler)
    assert not iscoroutinefunction(django_asgi_app._middleware_chain)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_a_page_passes_every_middleware():
    response = await HttpCommunicator(application, "GET", "/login/", headers=[HOST]).get_response()

    headers = {name.decode().lower(): value.decode() for name, value in response["headers"]}
    assert response["status"] == 200
    assert b"<form" in response["body"]
    assert "csrftoken=" in headers["set-cookie"]  # CSRF
    assert headers["x-frame-options"] == "DENY"  # clickjacking
    assert headers["x-content-type-options"] == "nosniff"  # security
    assert "default-src 'self'" in headers["content-security-policy"]  # CSP


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_unknown_address_gets_the_styled_404_page():
    response = await HttpCommunicator(
        application, "GET", "/no-such-page/", headers=[HOST]
    ).get_response()

    assert response["status"] == 404
    assert b"Page not found" in response["body"]


def _closing(fn: Callable[..., T]) -> Callable[..., T]:
    """Database work from an async test, on asgiref's thread: the connection it opens there is
    closed after, or the test database cannot be dropped at the end of the run."""

    @functools.wraps(fn)
    def run(*args: Any) -> T:
        try:
            return fn(*args)
        finally:
            connection.close()

    return run


@_closing
def _api_setup() -> tuple[str, int]:
    team = factories.TeamFactory()
    lead = factories.LeadFactory(team=team)
    ticket = factories.TicketFactory(queue=factories.QueueFactory(team=team))
    return Token.objects.create(user=lead).key, ticket.pk


@_closing
def _stored(message_id: int) -> tuple[int, str]:
    return Message.objects.values_list("ticket_id", "body").get(pk=message_id)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_an_api_write_with_a_body_is_stored_and_answered():
    token, ticket_id = await sync_to_async(_api_setup)()
    body = json.dumps({"author_type": "customer", "body": "Where is my refund?"}).encode()

    communicator = HttpCommunicator(
        application,
        "POST",
        f"/api/v1/tickets/{ticket_id}/messages/",
        body=body,
        headers=[
            HOST,
            (b"authorization", f"Token {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    )
    response = await communicator.get_response()
    # The handler closes the response (``request_finished`` closes the request thread's
    # connection) after sending it: let it finish, or its connection outlives the test.
    await communicator.wait()

    assert response["status"] == 201, response["body"]
    created = json.loads(response["body"])
    stored = await sync_to_async(_stored)(created["id"])
    assert stored == (ticket_id, "Where is my refund?")
