"""A channel layer for setups without Redis: pushes travel through a database outbox.

Why: the in-memory layer never leaves its process, so an escalation made by the ``qcluster``
worker, or by another web process, reached no socket. This layer keeps the in-memory layer for
delivery to the sockets of its own process and adds one table that every process shares:

- ``group_send`` (and ``tickets.realtime.push_many``) writes one row per push;
- each process that holds sockets (it called ``group_add``) runs one relay task on its event
  loop that reads rows above its cursor every ``poll_interval`` seconds (primary-key range
  scan) and hands them to its local groups;
- each relay deletes rows older than ``retention_seconds`` once a minute.

It works the same on SQLite and PostgreSQL and needs no other service. A push that cannot be
written is logged by the caller (``tickets.realtime``); a page whose socket was down catches up
from the ticket page's catch-up endpoint when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer
from django.db import connection
from django.utils import timezone

from . import outbox

logger = logging.getLogger(__name__)

T = TypeVar("T")

PRUNE_EVERY_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 5.0


def _in_db_thread(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    """Run in the layer's own thread, which keeps one database connection open between polls;
    after a failure the connection is closed so that the next call opens a fresh one."""
    try:
        return fn(**kwargs)
    except Exception:
        connection.close()
        raise


def _connection_close() -> None:
    connection.close()  # this thread's connection: looked up when called, in the layer thread


class OutboxChannelLayer(InMemoryChannelLayer):
    def __init__(
        self,
        *,
        poll_interval: float = 0.15,
        retention_seconds: float = 600.0,
        gap_seconds: float = 2.0,
        batch_size: int = 500,
        expiry: int = 60,
        group_expiry: int = 86400,
        capacity: int = 1000,
        channel_capacity: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            expiry=expiry,
            group_expiry=group_expiry,
            capacity=capacity,
            channel_capacity=channel_capacity,
            **kwargs,
        )
        if not 0.01 <= poll_interval <= 5:
            raise ValueError("poll_interval must be between 0.01 and 5 seconds")
        if not 10 <= retention_seconds <= 86400:
            raise ValueError("retention_seconds must be between 10 and 86400")
        self.poll_interval = poll_interval
        self.retention_seconds = retention_seconds
        self.gap_seconds = gap_seconds
        self.batch_size = batch_size
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0
        self._relay: asyncio.Task[None] | None = None
        self.relayed = 0

    # --- writing --------------------------------------------------------------------------
    def publish_many(self, pushes: Sequence[tuple[str, dict[str, Any]]]) -> list[int]:
        """Store pushes from synchronous code (``transaction.on_commit`` callbacks)."""
        for group, _ in pushes:
            self.require_valid_group_name(group)
        return outbox.outbox_publish(pushes=pushes)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self.require_valid_group_name(group)
        await self._db(outbox.outbox_publish, pushes=[(group, message)])

    # --- relaying -------------------------------------------------------------------------
    async def group_add(self, group: str, channel: str) -> None:
        await super().group_add(group, channel)
        await self._relay_ensure()

    async def _relay_ensure(self) -> None:
        """Start this process's relay on first use. Its cursor is read before ``group_add``
        returns, so every push stored after a socket joined reaches it."""
        loop = asyncio.get_running_loop()
        relay = self._relay
        if relay is not None and not relay.done() and relay.get_loop() is loop:
            return
        cursor = await self._db(outbox.outbox_latest_id)
        relay = self._relay
        if relay is not None and not relay.done() and relay.get_loop() is loop:
            return  # another socket started it meanwhile
        self._relay = loop.create_task(self._relay_run(cursor), name="live-outbox-relay")

    async def _relay_run(self, start: int) -> None:
        cursor: int | None = start
        seen: dict[int, float] = {}
        next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
        failures = 0
        while True:
            try:
                if cursor is None:
                    cursor = await self._db(outbox.outbox_latest_id)
                rows = await self._db(
                    outbox.outbox_read_after, after_id=cursor, limit=self.batch_size
                )
                now = time.monotonic()
                if not rows and await self._db(outbox.outbox_latest_id) < cursor:
                    # The table was emptied and its ids started again (SQLite reuses ids once
                    # no row is left): every row there now is new.
                    cursor = 0
                    seen.clear()
                    continue
                for row in rows:
                    if row.id in seen:
                        continue
                    seen[row.id] = now
                    await self._deliver(row.group, row.payload)
                    self.relayed += 1
                cursor = outbox.cursor_advance(
                    cursor=cursor, seen=seen, now=now, gap_seconds=self.gap_seconds
                )
                if now >= next_prune:
                    next_prune = now + PRUNE_EVERY_SECONDS
                    cutoff = timezone.now() - timedelta(seconds=self.retention_seconds)
                    await self._db(outbox.outbox_prune, older_than=cutoff)
                failures = 0
                if len(rows) == self.batch_size:
                    continue
                await asyncio.sleep(self.poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                logger.exception("live outbox relay could not read (attempt %d)", failures)
                await asyncio.sleep(min(MAX_BACKOFF_SECONDS, self.poll_interval * 2**failures))

    async def _deliver(self, group: str, message: dict[str, Any]) -> None:
        """Hand one push to this process's sockets in ``group``. A socket that already has
        ``capacity`` pushes waiting (it stopped reading) misses this one: logged, not silent."""
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            try:
                await self.send(channel, message)
            except ChannelFull:
                logger.warning(
                    "live push to %s not delivered to %s: its queue is full", group, channel
                )

    async def _db(self, fn: Callable[..., T], **kwargs: Any) -> T:
        # One thread per process (a forked worker gets its own): one connection, and the
        # server's thread-sensitive executor is never held up by polls.
        if self._executor is None or self._executor_pid != os.getpid():
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-outbox")
            self._executor_pid = os.getpid()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(_in_db_thread, fn, kwargs))

    async def flush(self) -> None:
        if self._relay is not None:
            self._relay.cancel()
            self._relay = None
        await super().flush()

    async def close(self) -> None:
        """Stop the relay and close the layer thread's database connection."""
        await self.flush()
        executor, self._executor = self._executor, None
        if executor is not None and self._executor_pid == os.getpid():
            await asyncio.get_running_loop().run_in_executor(executor, _connection_close)
            executor.shutdown(wait=False)
