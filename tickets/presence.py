"""Who has a ticket page open and who is typing a reply: the roster one socket keeps.

Every ticket socket keeps its own roster, fed by group messages on the channel layer (``ticket.<id>``):
a page announces itself when it opens, answers the announcements of pages opened later, repeats
itself every ``HEARTBEAT_SECONDS`` and says goodbye when it closes. So presence holds across web
processes, and a viewer whose process died without a goodbye drops out after ``VIEWER_TTL_SECONDS``.
Pure: times are passed in (``time.monotonic()`` of the caller), nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A page repeats its announcement this often; a viewer not heard from for VIEWER_TTL_SECONDS is gone.
HEARTBEAT_SECONDS = 20.0
VIEWER_TTL_SECONDS = 3 * HEARTBEAT_SECONDS
# "Typing" lasts this long after the last keystroke report, unless the page says it stopped.
TYPING_TIMEOUT_SECONDS = 6.0
# A browser may report typing at most once per this interval; faster reports wait for the next tick.
TYPING_MIN_INTERVAL_SECONDS = 1.0
# What a browser may send at all: one small JSON object.
MAX_FRAME_CHARS = 256
# Names are cut to this length, and a roster holds at most this many sockets (the oldest-seen
# beyond it are not listed).
MAX_NAME_CHARS = 80
MAX_VIEWERS = 50


@dataclass
class _Viewer:
    agent_id: int
    name: str
    seen_until: float
    typing_until: float


@dataclass
class PresenceRoster:
    """The open sockets of one ticket page, by channel name."""

    viewers: dict[str, _Viewer] = field(default_factory=dict)

    def viewer_seen(
        self, *, channel: str, agent_id: int, name: str, typing_for: float, now: float
    ) -> None:
        if channel not in self.viewers and len(self.viewers) >= MAX_VIEWERS:
            return
        typing_for = min(max(typing_for, 0.0), TYPING_TIMEOUT_SECONDS)
        self.viewers[channel] = _Viewer(
            agent_id=agent_id,
            name=name[:MAX_NAME_CHARS],
            seen_until=now + VIEWER_TTL_SECONDS,
            typing_until=now + typing_for if typing_for else 0.0,
        )

    def viewer_left(self, *, channel: str) -> None:
        self.viewers.pop(channel, None)

    def snapshot(self, *, now: float) -> list[dict[str, Any]]:
        """One entry per agent (an agent with two tabs open is listed once, typing if either
        tab is), ordered by name; stale sockets are dropped."""
        for channel in [c for c, v in self.viewers.items() if v.seen_until <= now]:
            del self.viewers[channel]
        agents: dict[int, dict[str, Any]] = {}
        for viewer in self.viewers.values():
            entry = agents.setdefault(
                viewer.agent_id, {"id": viewer.agent_id, "name": viewer.name, "typing": False}
            )
            entry["typing"] = entry["typing"] or viewer.typing_until > now
        return sorted(agents.values(), key=lambda v: (v["name"].lower(), v["id"]))


def presence_typing_request(content: Any) -> bool | None:
    """The ``typing`` flag of a well-formed ``{"type": "presence.typing", "typing": bool}``
    message from a browser, or None for anything else (which is ignored)."""
    if not isinstance(content, dict) or set(content) != {"type", "typing"}:
        return None
    if content["type"] != "presence.typing" or not isinstance(content["typing"], bool):
        return None
    return content["typing"]


def presence_alone(*, agent_id: int, name: str) -> list[dict[str, Any]]:
    """The roster of a page nobody else has open: what a page assumes when it opens, so a page
    is only told about presence once someone else is there."""
    return [{"id": agent_id, "name": name[:MAX_NAME_CHARS], "typing": False}]
