"""Queueing a django-q2 task after commit, when a sweep stands behind it.

The row that needs the task (a ticket event without an evaluation receipt, a pending Slack
delivery) is committed before the task is queued. If the broker is unreachable at that moment
(Redis restarting), the committed request must not fail for it: the error is logged and the
sweep named by the caller queues the work later.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


def task_enqueue_or_defer(func: str, *args: Any, swept_by: str) -> bool:
    """Queue ``func(*args)``; on a broker error log it and return False (``swept_by`` retries)."""
    from django_q.tasks import async_task

    try:
        async_task(func, *args)
    except Exception as exc:  # redis.ConnectionError, TimeoutError, an ORM broker's DB error
        logger.warning(
            "could not queue %s%r (%s); %s will queue it",
            func,
            args,
            type(exc).__name__,
            swept_by,
            extra={"task": func, "error": type(exc).__name__},
        )
        return False
    return True
