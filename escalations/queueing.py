"""Queueing a django-q2 task after commit, when a sweep stands behind it.

The row that needs the task (a ticket event without an evaluation receipt, a pending Slack
delivery) is committed before the task is queued. If the broker is unreachable at that moment
(Redis restarting), the committed request must not fail for it: the error is logged and the
sweep named by the caller queues the work later.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django_q import tasks as django_q_tasks
from django_q.brokers import get_broker
from django_q.conf import Conf

logger = logging.getLogger(__name__)

_brokers: dict[tuple[Any, ...], Any] = {}
_broker_lock = threading.Lock()


def task_broker() -> Any:
    """This process's broker. django-q2 builds a new one (a new Redis connection pool) for
    every task it queues unless handed one; reusing it saves a connection per request. Keyed by
    process and broker configuration, so a forked child or a changed configuration gets its own."""
    key = (os.getpid(), str(Conf.REDIS), str(Conf.ORM), Conf.CLUSTER_NAME)
    with _broker_lock:
        if key not in _brokers:
            _brokers[key] = get_broker()
        return _brokers[key]


def task_enqueue_or_defer(func: str, *args: Any, swept_by: str) -> bool:
    """Queue ``func(*args)``; on a broker error log it and return False (``swept_by`` retries)."""
    try:
        django_q_tasks.async_task(func, *args, broker=task_broker())
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
