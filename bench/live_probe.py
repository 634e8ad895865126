"""The task a ``qcluster`` worker runs for ``bench/live_push.py``: stamp the time, push."""

from __future__ import annotations

import time

from tickets import realtime


def probe(ticket_id: int, seq: int) -> None:
    realtime.push_to_ticket(ticket_id, {"type": "bench.probe", "seq": seq, "sent_at": time.time()})
