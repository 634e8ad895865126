"""The presence roster on its own: pure, times passed in."""

from __future__ import annotations

import pytest

from tickets.presence import (
    MAX_VIEWERS,
    TYPING_TIMEOUT_SECONDS,
    VIEWER_TTL_SECONDS,
    PresenceRoster,
    presence_alone,
    presence_typing_request,
)


def test_viewers_are_listed_once_per_agent_by_name_typing_if_any_tab_types():
    roster = PresenceRoster()
    roster.viewer_seen(channel="c1", agent_id=2, name="Zoe", typing_for=0, now=100.0)
    roster.viewer_seen(channel="c2", agent_id=1, name="anna", typing_for=0, now=100.0)
    roster.viewer_seen(channel="c3", agent_id=1, name="anna", typing_for=3, now=100.0)

    assert roster.snapshot(now=101.0) == [
        {"id": 1, "name": "anna", "typing": True},
        {"id": 2, "name": "Zoe", "typing": False},
    ]


def test_typing_expires_and_is_capped_at_the_timeout():
    roster = PresenceRoster()
    roster.viewer_seen(channel="c1", agent_id=1, name="Ann", typing_for=3600, now=0.0)

    assert roster.snapshot(now=TYPING_TIMEOUT_SECONDS - 0.1)[0]["typing"] is True
    assert roster.snapshot(now=TYPING_TIMEOUT_SECONDS)[0]["typing"] is False


def test_a_viewer_not_heard_from_within_the_ttl_is_gone_and_a_leaver_at_once():
    roster = PresenceRoster()
    roster.viewer_seen(channel="c1", agent_id=1, name="Ann", typing_for=0, now=0.0)
    roster.viewer_seen(channel="c2", agent_id=2, name="Bob", typing_for=0, now=30.0)
    roster.viewer_seen(channel="c3", agent_id=3, name="Cat", typing_for=0, now=30.0)
    roster.viewer_left(channel="c3")

    assert roster.snapshot(now=VIEWER_TTL_SECONDS) == [{"id": 2, "name": "Bob", "typing": False}]
    assert sorted(roster.viewers) == ["c2"]


def test_the_roster_is_bounded():
    roster = PresenceRoster()
    for n in range(MAX_VIEWERS + 5):
        roster.viewer_seen(channel=f"c{n}", agent_id=n, name="x" * 500, typing_for=0, now=0.0)

    viewers = roster.snapshot(now=1.0)
    assert (len(viewers), len(viewers[0]["name"])) == (MAX_VIEWERS, 80)


def test_alone_is_the_agent_not_typing():
    assert presence_alone(agent_id=4, name="Ann") == [{"id": 4, "name": "Ann", "typing": False}]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"type": "presence.typing", "typing": True}, True),
        ({"type": "presence.typing", "typing": False}, False),
        ({"type": "presence.typing", "typing": "yes"}, None),
        ({"type": "presence.typing", "typing": 1}, None),
        ({"type": "presence.typing"}, None),
        ({"type": "presence.typing", "typing": True, "name": "Boss"}, None),
        ({"type": "push", "payload": {}}, None),
        (["presence.typing", True], None),
        ("typing", None),
    ],
    ids=["true", "false", "string", "int", "missing", "extra-key", "other-type", "list", "str"],
)
def test_only_a_well_formed_typing_message_is_read(content, expected):
    assert presence_typing_request(content) is expected
