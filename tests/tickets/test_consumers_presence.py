"""Presence on the ticket socket: who else has the page open, who is typing, and when they go."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from tests import factories
from tests.tickets.sockets import signed_in_socket, worker_connections_closed
from tickets import presence
from tickets.consumers import CLOSE_FORBIDDEN
from tickets.models import Agent, Team

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures(worker_connections_closed.__name__),
]


async def _open(ticket, agent):
    return await signed_in_socket(f"/ws/tickets/{ticket.pk}/", agent)


@pytest.fixture
def ticket(queue):
    return factories.TicketFactory(queue=queue)


@pytest.fixture
def ann(team):
    return factories.AgentFactory(username="ann", name="Ann Able", team=team)


@pytest.fixture
def bob(team):
    return factories.SeniorFactory(username="bob", name="Bob Baker", team=team)


def _presence(ticket, *viewers):
    return {
        "type": "presence",
        "ticket": ticket.pk,
        "viewers": [{"id": a.pk, "name": a.name, "typing": typing} for a, typing in viewers],
    }


async def test_a_page_alone_is_told_nothing(ticket, ann):
    socket = await _open(ticket, ann)

    assert await socket.receive_nothing(timeout=0.3) is True
    await socket.disconnect()


async def test_both_pages_learn_of_each_other_and_the_first_sees_the_second_leave(ticket, ann, bob):
    first = await _open(ticket, ann)
    second = await _open(ticket, bob)

    both = _presence(ticket, (ann, False), (bob, False))
    assert await first.receive_json_from(timeout=2) == both
    assert await second.receive_json_from(timeout=2) == both

    await second.disconnect()
    assert await first.receive_json_from(timeout=2) == _presence(ticket, (ann, False))
    assert await first.receive_nothing(timeout=0.3) is True
    await first.disconnect()


async def test_typing_is_shown_to_the_others_and_cleared_when_it_stops(ticket, ann, bob):
    first = await _open(ticket, ann)
    second = await _open(ticket, bob)
    await first.receive_json_from(timeout=2)
    await second.receive_json_from(timeout=2)

    await second.send_json_to({"type": "presence.typing", "typing": True})
    assert await first.receive_json_from(timeout=2) == _presence(ticket, (ann, False), (bob, True))
    await asyncio.sleep(presence.TYPING_MIN_INTERVAL_SECONDS)
    await second.send_json_to({"type": "presence.typing", "typing": False})
    assert await first.receive_json_from(timeout=2) == _presence(ticket, (ann, False), (bob, False))
    await first.disconnect()
    await second.disconnect()


async def test_typing_expires_when_the_page_stops_reporting(ticket, ann, bob, monkeypatch):
    monkeypatch.setattr(presence, "TYPING_TIMEOUT_SECONDS", 0.5)
    first = await _open(ticket, ann)
    second = await _open(ticket, bob)
    await first.receive_json_from(timeout=2)
    await second.receive_json_from(timeout=2)

    await second.send_json_to({"type": "presence.typing", "typing": True})

    assert await first.receive_json_from(timeout=2) == _presence(ticket, (ann, False), (bob, True))
    # no "stopped" message: the tab froze; the others' rosters time the typing out
    assert await first.receive_json_from(timeout=3) == _presence(ticket, (ann, False), (bob, False))
    await first.disconnect()
    await second.disconnect()


async def test_typing_reports_faster_than_the_limit_are_held_back(ticket, ann, bob):
    first = await _open(ticket, ann)
    second = await _open(ticket, bob)
    await first.receive_json_from(timeout=2)
    await second.receive_json_from(timeout=2)

    for typing in (True, False, True, False, True):
        await second.send_json_to({"type": "presence.typing", "typing": typing})

    assert await first.receive_json_from(timeout=2) == _presence(ticket, (ann, False), (bob, True))
    # the last report (typing) is sent after the interval: no change, so nothing more is shown
    assert await first.receive_nothing(timeout=1.5) is True
    await first.disconnect()
    await second.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"text_data": '{"type": "presence.typing", "typing": "yes"}'},
        {"text_data": '{"type": "presence.typing", "typing": true, "name": "Boss"}'},
        {"text_data": '{"type": "presence.typing", "typing": true' + " " * 300 + "}"},
        {"text_data": "not json"},
        {"bytes_data": b'{"type": "presence.typing", "typing": true}'},
    ],
    ids=["not-bool", "extra-key", "too-long", "not-json", "binary"],
)
async def test_anything_but_a_small_well_formed_typing_report_is_ignored(ticket, ann, bob, frame):
    first = await _open(ticket, ann)
    second = await _open(ticket, bob)
    await first.receive_json_from(timeout=2)
    await second.receive_json_from(timeout=2)

    await second.send_to(**frame)

    assert await first.receive_nothing(timeout=0.5) is True
    assert await second.receive_nothing(timeout=0.1) is True
    await first.disconnect()
    await second.disconnect()


async def test_a_page_whose_agent_lost_access_is_closed_before_it_learns_who_is_there(
    ticket, ann, bob
):
    first = await _open(ticket, ann)
    await database_sync_to_async(
        lambda: Agent.objects.filter(pk=ann.pk).update(team=Team.objects.create(name="Other"))
    )()

    second = await _open(ticket, bob)

    assert await first.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": CLOSE_FORBIDDEN,
    }
    assert await first.receive_nothing(timeout=0.1) is True
    assert await second.receive_nothing(timeout=0.5) is True
    await second.disconnect()
