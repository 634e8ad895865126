"""Who holds a demo ticket when, so that seeded escalations go from the holder of the time to
someone else, as the engine's would."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import models

from .models import Agent, Ticket, TicketEvent, assignment_events


def demo_receiver(
    rng: random.Random, candidates: Sequence[Agent], *, holder_id: int | None
) -> Agent | None:
    """One of ``candidates`` other than the ticket's holder, or None: the engine never
    escalates a ticket to the agent who already holds it."""
    others = [agent for agent in candidates if agent.pk != holder_id]
    return rng.choice(others) if others else None


def demo_held_since(tickets: models.QuerySet[Ticket]) -> dict[int, datetime]:
    """When each ticket passed to its holder in the history (its last assignment)."""
    return dict(
        TicketEvent.objects.filter(assignment_events(), ticket__in=tickets)
        .values("ticket_id")
        .annotate(last=models.Max("created_at"))
        .values_list("ticket_id", "last")
    )


def demo_after_handover(
    at: datetime, since: datetime | None, *, rng: random.Random, now: datetime
) -> datetime:
    """``at``, or a little after the ticket passed to its holder when that came later: the
    escalation goes from the holder, so it cannot precede their holding it."""
    if since is not None and at < since:
        at = since + timedelta(minutes=rng.randint(5, 60))
    return min(at, now)
