"""The database outbox channel layer: pushes written by one process reach sockets of others."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings
from django.utils import timezone

from kimondesk.live import outbox
from kimondesk.live.layer import OutboxChannelLayer
from kimondesk.live.models import LiveOutboxEvent
from tests.tickets.sockets import worker_connections_closed
from tickets import realtime

OUTBOX = {"default": {"BACKEND": "kimondesk.live.layer.OutboxChannelLayer", "CONFIG": {}}}


@pytest.mark.parametrize(
    ("cursor", "seen", "now", "expected_cursor", "left"),
    [
        pytest.param(4, {5: 0.0, 6: 0.0}, 0.1, 6, {}, id="contiguous-ids-advance"),
        pytest.param(4, {6: 0.0, 7: 0.0}, 0.5, 4, {6: 0.0, 7: 0.0}, id="young-gap-waits"),
        pytest.param(4, {6: 0.0, 7: 0.0}, 2.5, 7, {}, id="old-gap-is-skipped"),
        pytest.param(4, {5: 0.0, 7: 1.0}, 1.5, 5, {7: 1.0}, id="stops-below-a-young-gap"),
        pytest.param(4, {}, 9.0, 4, {}, id="nothing-read"),
    ],
)
def test_cursor_advance(cursor, seen, now, expected_cursor, left):
    assert outbox.cursor_advance(cursor=cursor, seen=seen, now=now, gap_seconds=2.0) == (
        expected_cursor
    )
    assert seen == left


@pytest.mark.django_db
def test_publish_stores_json_and_reads_back_in_order():
    ids = outbox.outbox_publish(
        pushes=[
            ("ticket.7", {"type": "push", "payload": {"at": timezone.datetime(2026, 1, 2)}}),
            ("agent.3", {"type": "push", "payload": {"n": 1}}),
        ]
    )

    rows = outbox.outbox_read_after(after_id=0, limit=10)
    assert [row.id for row in rows] == ids
    assert [(row.group, row.payload) for row in rows] == [
        ("ticket.7", {"type": "push", "payload": {"at": "2026-01-02T00:00:00"}}),
        ("agent.3", {"type": "push", "payload": {"n": 1}}),
    ]
    assert outbox.outbox_read_after(after_id=ids[0], limit=10)[0].id == ids[1]
    assert outbox.outbox_latest_id() == ids[1]


@pytest.mark.django_db
def test_prune_deletes_old_rows_but_keeps_the_newest():
    ids = outbox.outbox_publish(pushes=[("ticket.1", {"n": n}) for n in range(3)])
    LiveOutboxEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))

    deleted = outbox.outbox_prune(older_than=timezone.now() - timedelta(minutes=10))

    assert deleted == 2
    assert list(LiveOutboxEvent.objects.values_list("id", flat=True)) == [ids[2]]


@pytest.mark.django_db
def test_an_oversized_push_is_refused_and_logged_by_realtime(caplog):
    with (
        override_settings(CHANNEL_LAYERS=OUTBOX),
        caplog.at_level(logging.ERROR, logger="tickets.realtime"),
    ):
        realtime.push_to_ticket(5, {"type": "note.created", "body": "x" * 300_000})

    assert LiveOutboxEvent.objects.count() == 0
    assert [r.getMessage() for r in caplog.records] == ["live pushes to ticket.5 failed"]
    assert "limit 262144" in caplog.records[0].exc_text


@pytest.mark.django_db
def test_realtime_push_writes_one_row_per_group():
    with override_settings(CHANNEL_LAYERS=OUTBOX):
        realtime.push_many([("ticket.9", {"type": "a"}), ("agent.2", {"type": "b"})])

    assert list(LiveOutboxEvent.objects.values_list("group", "payload")) == [
        ("ticket.9", {"type": "push", "payload": {"type": "a"}}),
        ("agent.2", {"type": "push", "payload": {"type": "b"}}),
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({"poll_interval": 0}, "poll_interval must be", id="poll-too-fast"),
        pytest.param({"poll_interval": 10}, "poll_interval must be", id="poll-too-slow"),
        pytest.param({"retention_seconds": 1}, "retention_seconds must", id="retention-too-short"),
    ],
)
def test_layer_refuses_settings_out_of_bounds(config, message):
    with pytest.raises(ValueError, match=message):
        OutboxChannelLayer(**config)


async def _receive(layer: OutboxChannelLayer, channel: str) -> dict:
    async with asyncio.timeout(2):
        return await layer.receive(channel)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
# The pushes and deletes above run on asgiref's sync thread: its connection is closed after.
@pytest.mark.usefixtures(worker_connections_closed.__name__)
async def test_a_push_from_another_process_reaches_the_groups_of_every_relay():
    # given two web processes (two layers, each with its own relay) with sockets in ticket.1,
    # and one in ticket.2
    web_one, web_two = (
        OutboxChannelLayer(poll_interval=0.05),
        OutboxChannelLayer(poll_interval=0.05),
    )
    first = await web_one.new_channel()
    second = await web_two.new_channel()
    other = await web_two.new_channel()
    await web_one.group_add("ticket.1", first)
    await web_two.group_add("ticket.1", second)
    await web_two.group_add("ticket.2", other)
    try:
        # when a worker (no sockets, no relay) pushes from synchronous code
        worker = OutboxChannelLayer()
        await sync_to_async(worker.publish_many)([("ticket.1", {"type": "push", "n": 1})])
        # and a web process pushes through the standard group_send
        await web_two.group_send("ticket.1", {"type": "push", "n": 2})

        # then each socket of ticket.1 receives both, in order, and ticket.2 nothing
        for layer, channel in ((web_one, first), (web_two, second)):
            assert await _receive(layer, channel) == {"type": "push", "n": 1}
            assert await _receive(layer, channel) == {"type": "push", "n": 2}
        await asyncio.sleep(0.2)
        assert web_two.channels.get(other) is None or web_two.channels[other][1].qsize() == 0
        assert (web_one.relayed, web_two.relayed) == (2, 2)
    finally:
        await web_one.close()
        await web_two.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
# The pushes and deletes above run on asgiref's sync thread: its connection is closed after.
@pytest.mark.usefixtures(worker_connections_closed.__name__)
async def test_the_relay_follows_a_table_that_was_emptied_and_restarted_its_ids():
    web = OutboxChannelLayer(poll_interval=0.05)
    channel = await web.new_channel()
    await web.group_add("ticket.1", channel)
    try:
        await sync_to_async(outbox.outbox_publish)(
            pushes=[("ticket.1", {"type": "push", "n": n}) for n in range(3)]
        )
        for n in range(3):
            assert await _receive(web, channel) == {"type": "push", "n": n}

        # when every row goes (as a test flush or a manual cleanup does) and ids start again
        await sync_to_async(LiveOutboxEvent.objects.all().delete)()
        await sync_to_async(outbox.outbox_publish)(pushes=[("ticket.1", {"type": "push", "n": 9})])

        # then the new row is still delivered
        assert await _receive(web, channel) == {"type": "push", "n": 9}
    finally:
        await web.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
# The pushes and deletes above run on asgiref's sync thread: its connection is closed after.
@pytest.mark.usefixtures(worker_connections_closed.__name__)
async def test_a_socket_that_stopped_reading_misses_pushes_with_a_warning(caplog):
    # given a socket whose queue holds at most 2 pushes, and nobody reads it
    web = OutboxChannelLayer(poll_interval=0.05, capacity=2)
    channel = await web.new_channel()
    await web.group_add("ticket.1", channel)
    try:
        with caplog.at_level(logging.WARNING, logger="kimondesk.live.layer"):
            # when three pushes arrive
            await sync_to_async(outbox.outbox_publish)(
                pushes=[("ticket.1", {"type": "push", "n": n}) for n in range(3)]
            )
            async with asyncio.timeout(2):
                while web.relayed < 3:
                    await asyncio.sleep(0.02)

        # then two wait for the socket and the third is logged as not delivered
        assert await _receive(web, channel) == {"type": "push", "n": 0}
        assert await _receive(web, channel) == {"type": "push", "n": 1}
        assert [r.getMessage() for r in caplog.records] == [
            f"live push to ticket.1 not delivered to {channel}: its queue is full"
        ]
    finally:
        await web.close()
