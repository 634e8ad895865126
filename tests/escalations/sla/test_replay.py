"""Clocks rebuilt from a ticket's stored history (``sla_clocks_replay``) are the clocks the live
path left: the same state, elapsed time, deadlines, crossings and ledger, for random histories of
replies, status, priority, queue, tag and tier changes, on a 24/7 policy and a business calendar."""

from __future__ import annotations

import random
from datetime import time, timedelta

import pytest

from escalations.models import SLAClock, SLAClockEntry, SLAPolicy
from escalations.sla.clocks import Cause, clock_elapsed_at
from escalations.sla.replay import sla_clocks_replay
from escalations.sla.selectors import sla_setup_load
from escalations.sla.services import (
    CLOCK_FIELDS,
    sla_clocks_recompute_open,
    sla_next_crossing_at,
    sla_setup_changed,
    sla_sweep,
)
from tests import factories
from tickets.models import AuthorType, Ticket
from tickets.services import customer_update, message_add, ticket_create, ticket_update

from .conftest import T0

pytestmark = pytest.mark.django_db

# Every stored field but the checkpoint pair (compared as elapsed time at the end) and the stamp.
_NOT_COMPARED = ("policy", "elapsed_seconds", "checkpoint_at", "updated_at")
COMPARED_FIELDS = ("metric", "policy_id", *(n for n in CLOCK_FIELDS if n not in _NOT_COMPARED))


def _sweep_until(now, until) -> None:
    """A sweeper without lag: every crossing is announced at its own instant."""
    while (due := sla_next_crossing_at()) is not None and due <= until:
        now.at = max(now.at, due)
        sla_sweep()
    now.at = until


def _clocks(ticket_id: int, end) -> list[tuple]:
    """The ticket's clocks as of ``end``: elapsed time is compared at ``end`` (a clock is stored
    with its elapsed time at its checkpoint, which a write that changes nothing else leaves)."""
    setup = sla_setup_load(token=sla_setup_changed())
    rows = []
    for clock in SLAClock.objects.filter(ticket_id=ticket_id).order_by("metric"):
        ledger = [
            (e.kind, e.at, e.text)
            for e in SLAClockEntry.objects.filter(clock=clock).order_by("at", "id")
        ]
        fields = tuple(getattr(clock, name) for name in COMPARED_FIELDS)
        elapsed = clock_elapsed_at(clock, setup.calendar(clock.policy_id), end)
        rows.append((fields, round(elapsed, 3), ledger))
    return rows


@pytest.fixture
def policies(db, team):
    """A shared policy (urgent and enterprise targets of their own), a stricter one for tickets
    tagged vip, and one owned by a second team for its queue."""
    shared = factories.SLAPolicyFactory(name="Standard", order=50)
    for metric, priority, tier, minutes in [
        ("first_response", None, None, 60),
        ("first_response", "urgent", None, 20),
        ("next_response", None, None, 45),
        ("resolution", None, None, 480),
        ("resolution", None, "enterprise", 240),
    ]:
        factories.SLATargetFactory(
            policy=shared, metric=metric, priority=priority, tier=tier, minutes=minutes
        )
    vip = factories.SLAPolicyFactory(
        name="VIP", order=10, conditions=[{"field": "tag", "op": "eq", "value": "vip"}]
    )
    for metric, minutes in [("first_response", 15), ("next_response", 15), ("resolution", 120)]:
        factories.SLATargetFactory(policy=vip, metric=metric, minutes=minutes)
    other_team = factories.TeamFactory(name="Specialists")
    specialist = factories.SLAPolicyFactory(name="Specialists", team=other_team, order=5)
    for metric, minutes in [("first_response", 90), ("next_response", 90), ("resolution", 960)]:
        factories.SLATargetFactory(policy=specialist, metric=metric, minutes=minutes)
    return factories.QueueFactory(name="Specialist queue", team=other_team, specialist=True)


def _history(rng: random.Random, *, ticket: Ticket, agent, queues, now) -> Ticket:
    """Random steps through the services, at random moments; crossings swept as they fall due."""
    for _ in range(rng.randrange(4, 14)):
        _sweep_until(now, now.at + timedelta(minutes=rng.choice((3, 10, 25, 40, 70, 200, 900))))
        step = rng.choice(("agent", "agent", "customer", "customer", "status", "field"))
        ticket.refresh_from_db()
        if step == "agent":
            message_add(ticket=ticket, author_type=AuthorType.AGENT, body="On it.", author=agent)
        elif step == "customer":
            message_add(ticket=ticket, author_type=AuthorType.CUSTOMER, body="Any news?")
        elif step == "status":
            status = rng.choice(("open", "pending", "on_hold", "solved", "open"))
            if status != ticket.status:
                ticket_update(ticket=ticket, actor=agent, status=status)
        else:
            change = rng.choice(("priority", "queue", "tags", "tier"))
            if change == "priority":
                priority = rng.choice(("low", "normal", "high", "urgent"))
                if priority != ticket.priority:
                    ticket_update(ticket=ticket, actor=agent, priority=priority)
            elif change == "queue":
                queue = rng.choice(queues)
                if queue.pk != ticket.queue_id:
                    ticket_update(ticket=ticket, actor=agent, queue=queue)
            elif change == "tags":
                tags = rng.choice(([], ["vip"], ["vip", "refund"], ["refund"]))
                if set(tags) != set(ticket.tags.values_list("name", flat=True)):
                    ticket_update(ticket=ticket, actor=agent, tags=tags)
            else:
                tier = rng.choice(("standard", "premium", "enterprise"))
                if tier != ticket.customer.tier:
                    customer_update(customer=ticket.customer, actor=None, tier=tier)
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize("calendar_hours", [None, (time(9), time(17))], ids=["24-7", "office"])
def test_replayed_clocks_are_the_clocks_the_live_path_left(
    policies, queue, customer, junior, now, calendar_hours
):
    if calendar_hours is not None:
        calendar = factories.CalendarFactory(name="Office", timezone="Europe/Berlin")
        for weekday in range(5):
            factories.OpeningHoursFactory(
                calendar=calendar, weekday=weekday, start=calendar_hours[0], end=calendar_hours[1]
            )
        SLAPolicy.objects.update(calendar=calendar)
        sla_setup_changed()
    compared = crossed = 0
    for seed in range(12):
        rng = random.Random(seed)
        now.at = T0 + timedelta(days=seed, minutes=rng.randrange(0, 600))
        ticket = ticket_create(
            subject=f"History {seed}",
            customer=factories.CustomerFactory(tier=rng.choice(("standard", "enterprise"))),
            body="Hello, something is wrong.",
            queue=rng.choice((queue, policies)),
            priority=rng.choice(("low", "normal", "urgent")),
            tags=rng.choice(([], ["vip"])),
        )
        ticket = _history(rng, ticket=ticket, agent=junior, queues=[queue, policies], now=now)
        end = now.at + timedelta(minutes=rng.choice((5, 120, 2000)))
        _sweep_until(now, end)
        sla_clocks_recompute_open(now=end, cause=Cause("replayed"))
        if ticket.status in ("solved", "closed"):
            continue
        live = _clocks(ticket.pk, end)
        SLAClock.objects.filter(ticket=ticket).delete()

        made = sla_clocks_replay(ticket_ids=[ticket.pk], now=end, cause=Cause("replayed"))

        assert made == len(live)
        assert _clocks(ticket.pk, end) == live, seed
        compared += 1
        crossed += any(fields[COMPARED_FIELDS.index("breach_crossed_at")] for fields, _, _ in live)
    # The histories reached open tickets, and crossings among them.
    assert compared >= 4
    assert crossed >= 2
