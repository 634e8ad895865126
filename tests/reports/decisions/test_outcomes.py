"""The outcome of an agent's own escalations: feedback first, otherwise what happened next;
a prompt, never a score."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from escalations.models import Rule
from reports.decisions.outcomes import (
    FIRST_LEVEL,
    NEEDED,
    OTHER,
    UNCLEAR,
    agent_escalation_outcomes,
)
from reports.selectors import month_window
from tests import factories
from tests.reports.conftest import at
from tickets.models import EventKind

pytestmark = pytest.mark.django_db

MARCH = month_window(month=date(2026, 3, 1), zone=ZoneInfo("UTC"))


@pytest.fixture
def outcomes_month(small_team):
    """Cai's seven escalations by hand in March 2026, one per situation, and one automatic."""
    team, queue = small_team["team"], small_team["queue"]
    ana = factories.AgentFactory(username="cai", name="Cai Chen", team=team)
    sam = factories.SeniorFactory(username="sam", name="Sam Senior", team=team)
    factories.RuleFactory(
        name="Big refund",
        team=team,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": "USD"},
    )

    def escalate(day, *, feedback=None, reason="", by_hand=True):
        escalation = factories.BackdatedEscalationFactory(
            ticket=factories.TicketFactory(queue=queue),
            initiated_by=ana if by_hand else None,
            from_agent=ana,
            to_agent=sam,
            trigger="manual" if by_hand else "sentiment_negative",
            created_at=at(day),
        )
        if feedback is not None:
            factories.EscalationFeedbackFactory(
                escalation=escalation, needed=feedback, reason=reason, author=sam
            )
        return escalation

    def later(escalation, day, kind, actor, **data):
        factories.TicketEventFactory(
            ticket=escalation.ticket, kind=kind, actor=actor, data=data, created_at=at(day)
        )

    made = {
        "said_needed": escalate(2, feedback=True, reason="needed_authority"),
        "said_first_level": escalate(3, feedback=False, reason="first_level"),
        "said_duplicate": escalate(4, feedback=False, reason="duplicate"),
        "big_refund": escalate(5),
        "small_refund_handed_back": escalate(6),
        "solved_by_ana": escalate(7),
        "solved_too_late": escalate(8),
    }
    later(made["big_refund"], 6, EventKind.REFUND_REQUESTED, sam, amount="600.00", currency="USD")
    later(
        made["small_refund_handed_back"],
        7,
        EventKind.REFUND_REQUESTED,
        sam,
        amount="100.00",
        currency="USD",
    )
    later(
        made["small_refund_handed_back"],
        7,
        EventKind.ASSIGNED,
        sam,
        **{"from": sam.pk, "to": ana.pk},
    )
    later(
        made["solved_by_ana"], 9, EventKind.STATUS_CHANGED, ana, **{"from": "open", "to": "solved"}
    )
    later(
        made["solved_too_late"],
        16,
        EventKind.STATUS_CHANGED,
        ana,
        **{"from": "open", "to": "solved"},
    )
    escalate(10, feedback=False, reason="first_level", by_hand=False)
    return {**small_team, "cai": ana, "sam": sam, **made}


def test_each_escalation_by_hand_gets_its_outcome_from_feedback_or_what_happened_next(
    outcomes_month, django_assert_num_queries
):
    with django_assert_num_queries(3):
        result = agent_escalation_outcomes(agent=outcomes_month["cai"], window=MARCH)

    assert [
        (item.escalation_id, item.outcome, item.from_feedback, item.why) for item in result.items
    ] == [
        (outcomes_month["said_needed"].pk, NEEDED, True, "Sam Senior: Needed authority I have"),
        (
            outcomes_month["said_first_level"].pk,
            FIRST_LEVEL,
            True,
            "Sam Senior: Could have been solved at first level",
        ),
        (outcomes_month["said_duplicate"].pk, OTHER, True, "Sam Senior: Duplicate"),
        (
            outcomes_month["big_refund"].pk,
            NEEDED,
            False,
            "Sam Senior issued a refund of 600.00 USD",
        ),
        (outcomes_month["small_refund_handed_back"].pk, FIRST_LEVEL, False, "Handed back to them"),
        (outcomes_month["solved_by_ana"].pk, FIRST_LEVEL, False, "They solved it themselves"),
        (
            outcomes_month["solved_too_late"].pk,
            UNCLEAR,
            False,
            "No feedback, and nothing after it says either way",
        ),
    ]


def test_summary_and_prompt_are_words_with_examples_not_a_score(outcomes_month):
    result = agent_escalation_outcomes(agent=outcomes_month["cai"], window=MARCH)

    assert result.summary == (
        "Of Cai Chen's 7 escalations by hand this month: 1 judged needed by the receiver; "
        "1 said to be solvable at first level by the receiver; from what happened next, 1 looked "
        "needed and 2 could have stayed at their level; 1 not needed for another reason; "
        "1 unclear."
    )
    assert result.prompt == (
        "3 of Cai Chen's escalations this month could probably have been solved at their level. "
        "Worth going through them together: what was missing (knowledge, confidence, a "
        "permission)? It is a chance to learn, not a mark against them."
    )
    assert "%" not in result.summary + result.prompt
    assert [item.escalation_id for item in result.examples] == [
        outcomes_month[name].pk
        for name in ("said_first_level", "small_refund_handed_back", "solved_by_ana")
    ]


def test_without_a_refund_rule_any_refund_by_someone_else_counts_as_needed(outcomes_month):
    Rule.objects.filter(trigger_kind="refund_threshold").delete()

    result = agent_escalation_outcomes(agent=outcomes_month["cai"], window=MARCH)

    handed_back = next(
        item
        for item in result.items
        if item.escalation_id == outcomes_month["small_refund_handed_back"].pk
    )
    assert (handed_back.outcome, handed_back.why) == (
        NEEDED,
        "Sam Senior issued a refund of 100.00 USD",
    )


def test_one_avoidable_escalation_is_no_prompt(small_team):
    ana = small_team["bo"]
    escalation = factories.BackdatedEscalationFactory(
        ticket=factories.TicketFactory(queue=small_team["queue"]),
        initiated_by=ana,
        from_agent=ana,
        created_at=at(3),
    )
    factories.EscalationFeedbackFactory(escalation=escalation, needed=False, reason="first_level")

    result = agent_escalation_outcomes(agent=ana, window=MARCH)

    assert [item.outcome for item in result.items] == [FIRST_LEVEL]
    assert result.prompt is None


def test_an_agent_without_escalations_by_hand(small_team):
    result = agent_escalation_outcomes(agent=small_team["bo"], window=MARCH)

    assert (result.items, result.prompt) == ([], None)
    assert result.summary == "Bo Berg escalated no ticket by hand this month."


def test_agent_page_shows_the_outcome_prompt_to_the_agent_and_their_lead(client, outcomes_month):
    ana = outcomes_month["cai"]
    url = reverse("reports:agent", args=[ana.pk])

    pages = []
    for viewer in (ana, outcomes_month["lee"]):
        client.force_login(viewer)
        pages.append(client.get(url, {"month": "2026-03"}).content.decode())

    ticket = outcomes_month["solved_by_ana"].ticket_id
    for html in pages:
        assert "3 of Cai Chen&#x27;s escalations this month could probably have been solved" in html
        assert (
            f'<a href="/tickets/{ticket}/">#{ticket}</a> (Mar 7): They solved it themselves' in html
        )


def test_agent_page_of_another_teams_agent_is_a_404(client, outcomes_month):
    client.force_login(
        factories.LeadFactory(username="ops-lead", team=factories.TeamFactory(name="Ops"))
    )

    response = client.get(reverse("reports:agent", args=[outcomes_month["cai"].pk]))

    assert response.status_code == 404
