"""Cases the mutation run of escalations/sla/selectors.py asked for (docs/mutation.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalations.models import SLAClock
from escalations.sla.selectors import sla_clock_shown

from .conftest import T0


def _clock(metric: str, state: str, due_minutes: int | None) -> SLAClock:
    due = None if due_minutes is None else T0 + timedelta(minutes=due_minutes)
    return SLAClock(metric=metric, state=state, due_at=due, target_minutes=60, started_at=T0)


@pytest.mark.parametrize(
    ("clocks", "shown"),
    [
        pytest.param(
            [("resolution", "green", 30), ("first_response", "amber", 40)],
            ("resolution", "green"),
            id="running-due-first",
        ),
        pytest.param(
            [("resolution", "red", 10), ("first_response", "red", 10)],
            ("first_response", "red"),
            id="same-due-by-metric",
        ),
        pytest.param(
            [("first_response", "met", 10), ("resolution", "paused", None)],
            ("resolution", "paused"),
            id="paused-before-met",
        ),
        pytest.param(
            [("resolution", "green", None), ("first_response", "met", 10)],
            ("resolution", "green"),
            id="running-without-due-ranks-by-state",
        ),
    ],
)
def test_the_shown_clock_is_the_running_one_due_first_else_the_most_telling(clocks, shown):
    chosen = sla_clock_shown([_clock(*c) for c in clocks])
    assert (chosen.metric, chosen.state) == shown
