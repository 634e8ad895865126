"""Per-row isolation for the periodic sweeps (SLA crossings, unacknowledged escalations, Slack
retries) and for evaluating one event against many rules.

A row that cannot be processed (a value stored before today's bounds, a bug hit by one ticket)
is rolled back to its own savepoint, logged with its id and skipped: the sweep carries on with
every other row, and the next run tries the poisoned one again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from django.db import transaction

logger = logging.getLogger(__name__)


@contextmanager
def sweep_row_isolated(*, sweep: str, row: object, writes: bool = True) -> Iterator[None]:
    """Run one row's work (in a savepoint when it ``writes``); an exception is logged and
    swallowed."""
    scope: AbstractContextManager[object] = transaction.atomic() if writes else nullcontext()
    try:
        with scope:
            yield
    except Exception:
        logger.exception("%s: %s failed and was skipped; the sweep carries on", sweep, row)
