"""``clocks_step``: what each ticket event does to its clocks, chosen once for the live path and
the history replay (no database: events are unsaved instances)."""

from __future__ import annotations

import pytest

from escalations.models import SLAMetric
from escalations.sla.clocks import SYNC_EVENTS, Cause, ClocksMeet, ClocksSync, clocks_step
from tickets.models import AuthorType, EventKind, TicketEvent

FIRST, NEXT, RESOLUTION = SLAMetric.FIRST_RESPONSE, SLAMetric.NEXT_RESPONSE, SLAMetric.RESOLUTION


def event(kind: str, **data: object) -> TicketEvent:
    return TicketEvent(kind=kind, data=data)


@pytest.mark.parametrize("responded", [False, True])
def test_a_new_ticket_starts_first_response_and_resolution_with_no_clocks_to_load(responded):
    step = clocks_step(event(EventKind.TICKET_CREATED), responded=responded)
    assert step == ClocksSync(
        Cause(EventKind.TICKET_CREATED), create=(FIRST, RESOLUTION), new_ticket=True
    )


def test_an_agents_first_reply_meets_both_response_clocks():
    step = clocks_step(
        event(EventKind.MESSAGE_ADDED, author_type=AuthorType.AGENT, first_response=True),
        responded=False,
    )
    assert step == ClocksMeet((NEXT, FIRST))


def test_a_later_agent_reply_meets_next_response_only():
    step = clocks_step(
        event(EventKind.MESSAGE_ADDED, author_type=AuthorType.AGENT, first_response=False),
        responded=True,
    )
    assert step == ClocksMeet((NEXT,))


def test_a_customer_reply_restarts_next_response_once_an_agent_has_answered():
    reply = event(EventKind.MESSAGE_ADDED, author_type=AuthorType.CUSTOMER)
    assert clocks_step(reply, responded=True) == ClocksSync(
        Cause(EventKind.MESSAGE_ADDED), restart=NEXT
    )
    # Before any agent reply the first-response clock is still running: nothing to restart.
    assert clocks_step(reply, responded=False) is None


@pytest.mark.parametrize("kind", sorted(SYNC_EVENTS))
def test_a_field_change_syncs_every_clock_with_its_data_in_the_ledger_cause(kind):
    step = clocks_step(event(kind, to="x"), responded=False)
    assert step == ClocksSync(Cause(kind, {"to": "x"}))


def test_an_escalation_syncs_only_when_it_changed_a_field_that_moves_clocks():
    moved = event(EventKind.ESCALATED, changes=[[EventKind.QUEUE_CHANGED, {"from": 1, "to": 2}]])
    assert clocks_step(moved, responded=True) == ClocksSync(Cause(EventKind.ESCALATED))
    reassigned = event(EventKind.ESCALATED, changes=[[EventKind.ASSIGNED, {"from": 1, "to": 2}]])
    assert clocks_step(reassigned, responded=True) is None
    assert clocks_step(event(EventKind.ESCALATED), responded=True) is None


@pytest.mark.parametrize("kind", [EventKind.ASSIGNED, EventKind.NOTE_ADDED])
def test_other_events_leave_the_clocks_alone(kind):
    assert clocks_step(event(kind), responded=True) is None
