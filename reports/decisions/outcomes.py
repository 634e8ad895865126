"""The outcome of an agent's own escalations, for coaching: needed, or could have been solved at
their level. Shown as a prompt with examples, never as a score or a rate.

Only escalations the agent chose are counted (manual or the ``escalate`` tag: ``initiated_by``,
first level): a rule firing on the customer's behaviour is not the agent's decision.

For each one, in this order:

1. **The receiver's feedback**, where given: *needed*; *could have been solved at first level*;
   or *not needed for another reason* (wrong team, customer was not upset, duplicate, or no
   reason): not about the agent's level, so never part of the prompt.
2. Otherwise **what happened next**, within ``OUTCOME_WINDOW`` (7 days) of the escalation:
   - *needed*: someone else issued a refund at or over the team's refund threshold (the lowest
     amount of its enabled ``refund_threshold`` rules in that currency; any amount when the team
     has none): authority the agent did not have. KimonDesk has no other per-role right on ticket
     changes, so other senior authority is known from feedback only;
   - *could have been solved at their level*: the ticket was handed back to the agent, or the
     agent set it solved or closed themselves;
   - otherwise *unclear*.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Q

from escalations.feedback.selectors import escalation_feedback_of
from escalations.models import Escalation, EscalationFeedback, FeedbackReason, Rule, RuleKind
from reports.selectors import MonthWindow
from tickets.models import DONE_STATUSES, Agent, EventKind, TicketEvent, assignment_events

OUTCOME_WINDOW = timedelta(days=7)
# A prompt appears once this many escalations of the month could have been solved at the
# agent's level.
OUTCOME_PROMPT_MIN = 2
OUTCOME_EXAMPLES = 5

NEEDED = "needed"
FIRST_LEVEL = "first_level"
OTHER = "not_needed_other"
UNCLEAR = "unclear"


@dataclass(frozen=True)
class EscalationOutcome:
    escalation_id: int
    ticket_id: int
    at: datetime
    outcome: str  # NEEDED, FIRST_LEVEL, OTHER or UNCLEAR
    from_feedback: bool
    why: str


@dataclass
class AgentOutcomes:
    agent: Agent
    window: MonthWindow
    items: list[EscalationOutcome] = field(default_factory=list)

    def _of(self, outcome: str, *, from_feedback: bool | None = None) -> list[EscalationOutcome]:
        return [
            item
            for item in self.items
            if item.outcome == outcome
            and (from_feedback is None or item.from_feedback == from_feedback)
        ]

    @property
    def needed(self) -> list[EscalationOutcome]:
        return self._of(NEEDED)

    @property
    def first_level(self) -> list[EscalationOutcome]:
        return self._of(FIRST_LEVEL)

    @property
    def other(self) -> list[EscalationOutcome]:
        return self._of(OTHER)

    @property
    def unclear(self) -> list[EscalationOutcome]:
        return self._of(UNCLEAR)

    @property
    def summary(self) -> str:
        """One sentence of counts, saying where each comes from."""
        if not self.items:
            return f"{self.agent} escalated no ticket by hand this month."
        parts = [
            f"{len(self._of(NEEDED, from_feedback=True))} judged needed by the receiver",
            f"{len(self._of(FIRST_LEVEL, from_feedback=True))} said to be solvable at first "
            "level by the receiver",
        ]
        inferred_needed = len(self._of(NEEDED, from_feedback=False))
        inferred_first = len(self._of(FIRST_LEVEL, from_feedback=False))
        if inferred_needed or inferred_first:
            parts.append(
                f"from what happened next, {inferred_needed} looked needed and {inferred_first} "
                "could have stayed at their level"
            )
        if self.other:
            parts.append(f"{len(self.other)} not needed for another reason")
        if self.unclear:
            parts.append(f"{len(self.unclear)} unclear")
        count = len(self.items)
        return (
            f"Of {self.agent}'s {count} escalation{'s' if count != 1 else ''} by hand this "
            f"month: {'; '.join(parts)}."
        )

    @property
    def prompt(self) -> str | None:
        """A conversation starter when enough escalations could have stayed with the agent."""
        if len(self.first_level) < OUTCOME_PROMPT_MIN:
            return None
        return (
            f"{len(self.first_level)} of {self.agent}'s escalations this month could probably "
            "have been solved at their level. Worth going through them together: what was "
            "missing (knowledge, confidence, a permission)? It is a chance to learn, not a mark "
            "against them."
        )

    @property
    def examples(self) -> list[EscalationOutcome]:
        return self.first_level[:OUTCOME_EXAMPLES]


def _refund_thresholds(*, team_id: int | None) -> dict[str, Decimal]:
    """The lowest enabled refund-threshold amount per currency for the team (and global rules)."""
    rules = Rule.objects.filter(
        Q(team_id=team_id) | Q(team__isnull=True),
        kind=RuleKind.ESCALATION,
        enabled=True,
        trigger_kind="refund_threshold",
    ).values_list("trigger_params", flat=True)
    lowest: dict[str, Decimal] = {}
    for params in rules:
        try:
            amount = Decimal(str(params.get("amount")))
        except (InvalidOperation, AttributeError):
            continue
        currency = str(params.get("currency", ""))
        if currency not in lowest or amount < lowest[currency]:
            lowest[currency] = amount
    return lowest


def _over_threshold(event: TicketEvent, thresholds: dict[str, Decimal]) -> bool:
    if not thresholds:
        return True
    limit = thresholds.get(str(event.data.get("currency", "")))
    try:
        return limit is not None and Decimal(str(event.data.get("amount"))) >= limit
    except InvalidOperation:
        return False


def _from_feedback(escalation: Escalation, feedback: EscalationFeedback) -> EscalationOutcome:
    label = FeedbackReason(feedback.reason).label if feedback.reason else ""
    if feedback.needed:
        outcome, why = NEEDED, label or "Judged needed"
    elif feedback.reason == FeedbackReason.FIRST_LEVEL:
        outcome, why = FIRST_LEVEL, label
    else:
        outcome, why = OTHER, label or "Judged not needed"
    who = feedback.author or "the receiver"
    return EscalationOutcome(
        escalation.pk, escalation.ticket_id, escalation.created_at, outcome, True, f"{who}: {why}"
    )


def _from_next_events(
    escalation: Escalation, agent: Agent, events: list[TicketEvent], thresholds: dict[str, Decimal]
) -> EscalationOutcome:
    later = [
        e
        for e in events
        if escalation.created_at < e.created_at <= escalation.created_at + OUTCOME_WINDOW
        # The escalation's own event (recorded in its transaction) is not what came after it.
        and e.data.get("escalation") != escalation.pk
    ]
    outcome, why = UNCLEAR, "No feedback, and nothing after it says either way"
    for event in later:
        if (
            event.kind == EventKind.REFUND_REQUESTED
            and event.actor_id not in (None, agent.pk)
            and _over_threshold(event, thresholds)
        ):
            amount = f"{event.data.get('amount')} {event.data.get('currency')}"
            outcome, why = NEEDED, f"{event.actor} issued a refund of {amount}"
            break
    else:
        for event in later:
            if event.changed_assignee and event.data.get("to") == agent.pk:
                outcome, why = FIRST_LEVEL, "Handed back to them"
                break
            if (
                event.kind == EventKind.STATUS_CHANGED
                and event.actor_id == agent.pk
                and event.data.get("to") in DONE_STATUSES
            ):
                outcome, why = FIRST_LEVEL, "They solved it themselves"
                break
    return EscalationOutcome(
        escalation.pk, escalation.ticket_id, escalation.created_at, outcome, False, why
    )


def agent_escalation_outcomes(*, agent: Agent, window: MonthWindow) -> AgentOutcomes:
    """The outcome of each escalation the agent made by hand in the month, oldest first. Three
    reads whatever the month holds."""
    escalations = list(
        Escalation.objects.filter(
            initiated_by=agent,
            parent__isnull=True,
            created_at__gte=window.start,
            created_at__lt=window.end,
        )
        .select_related("feedback__author")
        .order_by("created_at", "id")
    )
    result = AgentOutcomes(agent=agent, window=window)
    if not escalations:
        return result
    events_by_ticket: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in (
        TicketEvent.objects.filter(
            Q(kind__in=[EventKind.REFUND_REQUESTED, EventKind.STATUS_CHANGED])
            | assignment_events(),
            ticket_id__in={e.ticket_id for e in escalations},
            created_at__gt=window.start,
            created_at__lte=window.end + OUTCOME_WINDOW,
        )
        .select_related("actor")
        .order_by("created_at", "id")
    ):
        events_by_ticket[event.ticket_id].append(event)
    thresholds = _refund_thresholds(team_id=agent.team_id)
    for escalation in escalations:
        feedback = escalation_feedback_of(escalation=escalation)
        if feedback is not None:
            result.items.append(_from_feedback(escalation, feedback))
        else:
            result.items.append(
                _from_next_events(
                    escalation, agent, events_by_ticket[escalation.ticket_id], thresholds
                )
            )
    return result
