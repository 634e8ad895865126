"""Macros for the demo data: each demo team's macros, their uses by the team's seniors and
lead on solved tickets, and a few escalations by juniors (with the receiver's feedback) in the
last complete month and the running one, so that the coaching pages show both kinds of prompt
on first start: "the team's macro … was used on N such tickets" and "write a macro for …".

Called once by ``tickets.demo.demo_data_seed``; does nothing when a demo team has a macro.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F

from escalations.models import Escalation, EscalationFeedback, FeedbackReason
from reports.selectors import month_current, month_shift, month_window, team_zone
from tickets.demo_holders import demo_after_handover, demo_held_since
from tickets.models import DONE_STATUSES, Role, Team, Ticket

from .models import Macro, MacroUse

DEMO_MACRO_USES_MAX = 40
"""Uses seeded per macro (at most)."""
DEMO_USE_DAYS = 85
"""Uses are seeded on tickets created in the last 85 days (the coaching look-back is 90)."""


@dataclass(frozen=True)
class DemoMacro:
    team: str
    name: str
    body: str
    queue: str = ""  # the queue its uses are on ("" : never used)
    tag: str = ""  # the tag those tickets carry ("" : tickets without tags)
    set_status: str = ""
    add_tags: tuple[str, ...] = ()
    internal_note: str = ""


DEMO_MACROS: tuple[DemoMacro, ...] = (
    DemoMacro(
        "Billing",
        "Refund under 200",
        "Hi {{ customer_name }},\n\nI have issued a refund of {{ refund_amount }} for ticket "
        "{{ ticket_number }}; it reaches your account within 5 business days.\n\n"
        "Best regards,\n{{ agent_name }}",
        queue="Refunds",
        tag="refund",
        set_status="pending",
        add_tags=("refund-issued",),
        internal_note="Refund of {{ refund_amount }} issued under the 200 EUR first-level limit.",
    ),
    DemoMacro(
        "Billing",
        "Invoice copy",
        "Hi {{ customer_name }},\n\nA copy of the invoice is attached. Anything else, reply "
        "here and quote {{ ticket_number }}.\n\n{{ agent_name }}",
        queue="Invoices",
        set_status="solved",
    ),
    DemoMacro(
        "Billing",
        "Dunning letter explained",
        "Hi {{ customer_name }},\n\nThe reminder you received is automatic. …",
    ),
    DemoMacro(
        "Technical",
        "Outage acknowledged",
        "Hi {{ customer_name }},\n\nWe know about the outage and are working on it; we will "
        "update {{ ticket_number }} by {{ sla_due }}.\n\n{{ agent_name }}",
        queue="Outages",
        tag="outage",
        set_status="pending",
    ),
    DemoMacro(
        "Technical",
        "API key rotation",
        "Hi {{ customer_name }},\n\nYou can rotate the key under Settings → API. …",
        queue="General",
    ),
    DemoMacro(
        "Accounts",
        "Password reset link",
        "Hi {{ customer_name }},\n\nI have sent a fresh password reset link; it is valid for "
        "one hour.\n\n{{ agent_name }}",
        queue="Access & Login",
        set_status="pending",
    ),
    DemoMacro(
        "Accounts",
        "Plan change confirmed",
        "Hi {{ customer_name }},\n\nYour plan change takes effect at the next billing date. …",
    ),
)


@dataclass(frozen=True)
class DemoTopic:
    """Juniors' escalations on one topic, per month: with a macro in use, or one to write."""

    team: str
    queue: str
    tag: str
    authority: str
    per_month: int
    avoidable: int  # of them, judged "could have been solved at first level"


DEMO_TOPICS: tuple[DemoTopic, ...] = (
    DemoTopic("Billing", "Refunds", "refund", "Approve a refund of {amount} EUR", 3, 2),
    DemoTopic("Billing", "Payments", "", "Agree a payment plan with the customer", 3, 2),
    DemoTopic("Technical", "General", "", "Reset the customer's API key", 3, 2),
    DemoTopic("Accounts", "Access & Login", "", "Unlock the account after failed logins", 3, 2),
)
DEMO_HANDOFF_TRIED = "Checked the account history and the help-centre article"
DEMO_HANDOFF_DIAGNOSIS = "A routine request, but I was not sure I may do it myself"


def _uses(
    rng: random.Random, macros: dict[tuple[str, str], Macro], demo: Any, now: datetime
) -> list[MacroUse]:
    uses = []
    for spec in DEMO_MACROS:
        if not spec.queue:
            continue
        macro = macros[(spec.team, spec.name)]
        tickets = (
            demo.filter(
                queue__team_id=macro.team_id,
                queue__name=spec.queue,
                status__in=DONE_STATUSES,
                created_at__gte=now - timedelta(days=DEMO_USE_DAYS),
                assignee__role__in=(Role.SENIOR, Role.LEAD),
            )
            .annotate(tag_count=Count("tags"))
            .order_by("pk")
        )
        tickets = tickets.filter(tags__name=spec.tag) if spec.tag else tickets.filter(tag_count=0)
        chosen = list(tickets)
        for ticket in rng.sample(chosen, min(len(chosen), DEMO_MACRO_USES_MAX)):
            at = min(ticket.created_at + timedelta(minutes=rng.randint(20, 240)), now)
            uses.append(
                MacroUse(macro=macro, agent_id=ticket.assignee_id, ticket=ticket, created_at=at)
            )
    return uses


def _escalations(
    rng: random.Random, teams: dict[str, Team], demo: Any, now: datetime
) -> tuple[list[Escalation], list[tuple[int, int]]]:
    """The juniors' escalations of ``DEMO_TOPICS`` and which of them were judged avoidable."""
    rows: list[Escalation] = []
    avoidable: list[tuple[int, int]] = []  # (ticket id, index in rows)
    for topic in DEMO_TOPICS:
        team = teams[topic.team]
        zone = team_zone(team=team)
        running = month_current(team=team, now=now)
        for month in (month_shift(month=running, months=-1), running):
            window = month_window(month=month, zone=zone)
            tickets = demo.filter(
                queue__team=team,
                queue__name=topic.queue,
                assignee__role=Role.JUNIOR,
                created_at__gte=window.start,
                created_at__lt=min(window.end, now - timedelta(hours=3)),
            ).annotate(tag_count=Count("tags"))
            tickets = (
                tickets.filter(tags__name=topic.tag) if topic.tag else tickets.filter(tag_count=0)
            )
            chosen = list(tickets.select_related("assignee").order_by("pk"))
            picked = rng.sample(chosen, min(len(chosen), topic.per_month))
            held_since = demo_held_since(Ticket.objects.filter(pk__in=[t.pk for t in picked]))
            for index, ticket in enumerate(sorted(picked, key=lambda t: t.pk)):
                at = demo_after_handover(
                    ticket.created_at + timedelta(minutes=rng.randint(30, 150)),
                    held_since.get(ticket.pk),
                    rng=rng,
                    now=now,
                )
                rows.append(
                    Escalation(
                        ticket=ticket,
                        trigger="manual",
                        occurrence=f"demo-coaching:{ticket.pk}",
                        initiated_by=ticket.assignee,
                        from_agent=ticket.assignee,
                        to_agent=team.lead,
                        from_queue=ticket.queue,
                        handoff_tried=DEMO_HANDOFF_TRIED,
                        handoff_diagnosis=DEMO_HANDOFF_DIAGNOSIS,
                        handoff_authority_needed=topic.authority.format(
                            amount=rng.choice((45, 80, 120, 150, 180))
                        ),
                        created_at=at,
                        acknowledged_at=min(at + timedelta(minutes=rng.randint(3, 30)), now),
                        acknowledged_by=team.lead,
                    )
                )
                if index < topic.avoidable:
                    avoidable.append((ticket.pk, len(rows) - 1))
    return rows, avoidable


def demo_macros_ensure(
    *, rng: random.Random, now: datetime, demo_tickets: Any, explicit_timestamps: Any
) -> dict[str, int]:
    """Create the demo teams' macros, their uses and the coaching escalations; return counts.
    ``explicit_timestamps(*fields)`` lets ``auto_now_add`` fields take the given instants."""
    teams = {
        team.name: team for team in Team.objects.filter(name__in={m.team for m in DEMO_MACROS})
    }
    if not teams or Macro.objects.filter(team__in=teams.values()).exists():
        return {}
    macros = {
        (spec.team, spec.name): Macro.objects.create(
            team=teams[spec.team],
            name=spec.name,
            body=spec.body,
            set_status=spec.set_status,
            add_tags=list(spec.add_tags),
            internal_note=spec.internal_note,
        )
        for spec in DEMO_MACROS
        if spec.team in teams
    }
    uses = _uses(rng, macros, demo_tickets, now)
    rows, avoidable = _escalations(rng, teams, demo_tickets, now)
    with explicit_timestamps(MacroUse._meta.get_field("created_at")):
        MacroUse.objects.bulk_create(uses)
    with explicit_timestamps(Escalation._meta.get_field("created_at")):
        Escalation.objects.bulk_create(rows)
    made = {
        e.ticket_id: e
        for e in Escalation.objects.filter(occurrence__startswith="demo-coaching:").select_related(
            "to_agent"
        )
    }
    feedback = []
    avoidable_tickets = {ticket_id for ticket_id, _ in avoidable}
    for ticket_id, escalation in made.items():
        avoid = ticket_id in avoidable_tickets
        feedback.append(
            EscalationFeedback(
                escalation=escalation,
                needed=not avoid,
                reason=(FeedbackReason.FIRST_LEVEL if avoid else FeedbackReason.NEEDED_AUTHORITY),
                comment="A macro or the help-centre article covers this." if avoid else "",
                author=escalation.to_agent,
            )
        )
    EscalationFeedback.objects.bulk_create(feedback)
    Ticket.objects.filter(pk__in=list(made)).update(escalation_count=F("escalation_count") + 1)
    return {"macros": len(macros), "macro_uses": len(uses), "coaching_escalations": len(rows)}
