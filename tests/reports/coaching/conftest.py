"""A team with known escalations by choice, receiver feedback and macro uses (November 2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from reports.selectors import month_window
from tests import factories
from tickets.models import Tag

WINDOW = month_window(month=date(2026, 11, 1), zone=ZoneInfo("UTC"))


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def ticket_in(queue, *tags, status="open"):
    ticket = factories.TicketFactory(queue=queue, status=status)
    ticket.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
    return ticket


@pytest.fixture
def world(db):
    team = factories.TeamFactory(name="Billing")
    lead = factories.LeadFactory(username="maria", name="Maria Keller", team=team)
    aisha = factories.SeniorFactory(username="aisha", name="Aisha Rahman", team=team)
    tom = factories.AgentFactory(username="tom", name="Tom Becker", team=team)
    lena = factories.AgentFactory(username="lena", name="Lena Vogt", team=team)
    refunds = factories.QueueFactory(team=team, name="Refunds")
    invoices = factories.QueueFactory(team=team, name="Invoices")
    other_team = factories.TeamFactory(name="Technical")

    def escalate(agent, ticket, authority, day, *, verdict=None, **extra):
        escalation = factories.BackdatedEscalationFactory(
            ticket=ticket,
            initiated_by=extra.pop("initiated_by", agent),
            from_agent=agent,
            to_agent=lead,
            handoff_authority_needed=authority,
            created_at=at(day, **extra),
        )
        if verdict is not None:
            needed, reason = verdict
            factories.EscalationFeedbackFactory(
                escalation=escalation, needed=needed, reason=reason, author=lead
            )
        return escalation

    avoidable = (False, "first_level")
    # Tom: three refund questions (one topic whatever the amount), two judged avoidable.
    tom_refunds = [ticket_in(refunds, "refund", "escalate") for _ in range(3)]
    escalate(tom, tom_refunds[0], "Refund of 150 EUR", 3, verdict=avoidable)
    escalate(tom, tom_refunds[1], "refund of 90 eur.", 5, verdict=avoidable)
    escalate(tom, tom_refunds[2], "Refund of 1,200.00 EUR", 7, verdict=(True, "needed_authority"))
    # Tom and Lena: credit notes on invoices, no macro anywhere; Lena's both judged avoidable,
    # Tom's wrong team (not avoidable: a macro does not cure that).
    tom_invoice = ticket_in(invoices)
    escalate(tom, tom_invoice, "Credit note", 9, verdict=(False, "wrong_team"))
    lena_invoices = [ticket_in(invoices), ticket_in(invoices)]
    escalate(lena, lena_invoices[0], "credit note!", 10, verdict=avoidable)
    escalate(lena, lena_invoices[1], "Credit  note", 12, verdict=avoidable)
    # Not counted: a rule fired on the customer, the month before, an up-level step.
    factories.BackdatedEscalationFactory(
        ticket=tom_refunds[0], trigger="sentiment_negative", from_agent=tom, created_at=at(4)
    )
    escalate(tom, tom_refunds[0], "Refund of 10 EUR", 20, month=10)
    parent = escalate(lena, ticket_in(invoices), "Credit note", 14)
    factories.BackdatedEscalationFactory(
        ticket=parent.ticket,
        initiated_by=lena,
        from_agent=lena,
        parent=parent,
        handoff_authority_needed="Credit note",
        created_at=at(15),
    )

    # The team's refund macro: Aisha used it on 4 refund tickets (3 solved), Tom once himself,
    # once on a refund ticket in another queue, once long ago.
    macro = factories.MacroFactory(team=team, name="Refund under 200")
    for status in ("solved", "solved", "closed", "open"):
        factories.MacroUseFactory(
            macro=macro,
            agent=aisha,
            ticket=ticket_in(refunds, "refund", status=status),
            created_at=at(2),
        )
    factories.MacroUseFactory(macro=macro, agent=tom, ticket=tom_refunds[0], created_at=at(8))
    factories.MacroUseFactory(
        macro=macro, agent=aisha, ticket=ticket_in(invoices, "refund"), created_at=at(2)
    )
    factories.MacroUseFactory(
        macro=macro,
        agent=aisha,
        ticket=ticket_in(refunds, "refund", status="solved"),
        created_at=at(1, month=7),
    )
    # Another team's macro on our kind of ticket, and a macro used on credit notes elsewhere.
    factories.MacroUseFactory(
        macro=factories.MacroFactory(team=other_team, name="Theirs"),
        ticket=ticket_in(invoices),
        created_at=at(2),
    )
    unused = factories.MacroFactory(team=team, name="Dunning letter")
    return {
        "team": team,
        "lead": lead,
        "aisha": aisha,
        "tom": tom,
        "lena": lena,
        "macro": macro,
        "unused": unused,
        "parent": parent,
        "tom_refunds": tom_refunds,
        "tom_invoice": tom_invoice,
        "lena_invoices": lena_invoices,
        "other_team": other_team,
    }
