"""Cases the mutation run of escalations/sla/preview.py asked for (docs/mutation.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalations.sla.preview import DeadlineMove

from .conftest import T0


@pytest.mark.parametrize(
    ("before", "after", "text", "shift"),
    [
        pytest.param(0, 150, "2 h 30 min later", 9000.0, id="later"),
        pytest.param(60, 15, "45 min earlier", -2700.0, id="earlier"),
        pytest.param(60, None, "no longer due", None, id="no-longer-due"),
        pytest.param(None, 60, "newly due", None, id="newly-due"),
    ],
)
def test_a_moves_shift_reads_as_a_duration_later_or_earlier(before, after, text, shift):
    def at(minutes):
        return None if minutes is None else T0 + timedelta(minutes=minutes)

    move = DeadlineMove(7, "Printer", "next_response", at(before), at(after))
    assert (move.shift_text, move.shift_seconds, move.metric_label) == (
        text,
        shift,
        "Next response",
    )
