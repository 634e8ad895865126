"""A socket that falls behind a burst of pushes still gets every one (channels-redis capacity)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL), as in the PostgreSQL + Redis pass"
)
BURST = 150  # more than channels-redis keeps waiting by default (100)


def production_capacity() -> int:
    # What kimondesk.settings.base configures when REDIS_URL is set (test settings swap the
    # layer for the in-memory one, so it is read from the environment helper the same way).
    from kimondesk.settings.base import env

    return env.int("CHANNELS_CAPACITY", default=1000)


async def pushes_received(*, capacity: int | None) -> int:
    options = {"capacity": capacity} if capacity else {}
    layer = RedisChannelLayer(
        hosts=[settings.REDIS_URL], prefix=f"kd_cap_{uuid.uuid4().hex[:8]}", **options
    )
    try:
        # Given one socket's channel in a group, not reading while a burst is sent
        channel = await layer.new_channel()
        await layer.group_add("agent.1", channel)
        for n in range(BURST):
            await layer.group_send("agent.1", {"type": "push", "payload": {"n": n}})
        # When it reads what is waiting
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), 1))
            except TimeoutError:
                break
        assert [m["payload"]["n"] for m in received] == list(range(len(received)))
        return len(received)
    finally:
        await layer.flush()
        await layer.close_pools()


@pytest.mark.asyncio
async def test_the_configured_capacity_keeps_a_whole_burst() -> None:
    assert await pushes_received(capacity=production_capacity()) == BURST


@pytest.mark.asyncio
async def test_the_library_default_drops_past_one_hundred() -> None:
    # Why the setting exists: without it, pushes past 100 are dropped without an error.
    assert await pushes_received(capacity=None) == 100
