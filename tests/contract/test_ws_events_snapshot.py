"""Every live event the product pushes, from one deterministic scenario, equals the snapshot.

The scenario and the normalisation are in ``scenario.py``; the snapshot is ``ws_events.json``.
"""

from __future__ import annotations

import pytest

from .scenario import ws_events
from .snapshots import WS_EVENTS, json_text, snapshot_compare, steps_changed

# Every type docs/live-events.md lists: the scenario must keep making each of them.
EVERY_PUSHED_TYPE = {
    "escalation.summary",
    "message.created",
    "message.delivery",
    "note.created",
    "ticket.updated",
    "refund.created",
    "escalation.acknowledged",
    "queue.ticket_changed",
    "escalation.assigned",
    "escalation.handed_off",
    "ticket.reassigned",
    "escalation.question",
}


# Real commits: pushes and the evaluation task run from ``on_commit`` as in production.
@pytest.mark.django_db(transaction=True)
def test_live_events_match_the_snapshot(monkeypatch):
    # Given / when: the scenario, captured at the channel layer
    events = ws_events(monkeypatch=monkeypatch)

    # Then it made every kind of push, and every push, per step and group, in order, is the
    # committed contract
    pushed = {
        payload["type"]
        for entry in events
        for payloads in entry["pushes"].values()
        for payload in payloads
    }
    assert pushed == EVERY_PUSHED_TYPE
    snapshot_compare(WS_EVENTS, json_text(events), summary=steps_changed(WS_EVENTS, events))
