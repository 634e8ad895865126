"""escalation_feedback_give: who may judge an escalation, the reasons, the edit window, the audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from escalations.exceptions import EscalationConflict
from escalations.feedback.selectors import escalation_feedback_allowed
from escalations.feedback.services import escalation_feedback_give
from escalations.models import AuditEvent, EscalationFeedback
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(queue, junior, senior):
    ticket = factories.TicketFactory(queue=queue)
    return factories.EscalationFactory(ticket=ticket, from_agent=junior, to_agent=senior)


@pytest.mark.parametrize("who", ["senior", "lead", "admin_user"], ids=["receiver", "lead", "admin"])
def test_receiver_lead_and_admin_give_feedback_audited(request, escalation, who):
    actor = request.getfixturevalue(who)

    given = escalation_feedback_give(
        escalation=escalation, actor=actor, needed=False, reason="first_level", comment=" Easy "
    )

    assert given.created is True
    row = EscalationFeedback.objects.get()
    assert (row.escalation_id, row.needed, row.reason, row.comment, row.author_id) == (
        escalation.pk,
        False,
        "first_level",
        "Easy",
        actor.pk,
    )
    audit = AuditEvent.objects.get(kind="escalation_feedback_given")
    assert (audit.actor_id, audit.ticket_id, audit.before, audit.after) == (
        actor.pk,
        escalation.ticket_id,
        None,
        {"needed": False, "reason": "first_level", "comment": "Easy"},
    )


@pytest.mark.parametrize(
    "who", ["junior", "other_lead"], ids=["escalating-junior", "other-team-lead"]
)
def test_others_are_refused_and_nothing_is_written(escalation, who):
    other_team = factories.TeamFactory(name="Elsewhere")
    actors = {
        "junior": escalation.from_agent,
        "other_lead": factories.LeadFactory(username="elsewhere-lead", team=other_team),
    }

    with pytest.raises(PermissionDenied):
        escalation_feedback_give(escalation=escalation, actor=actors[who], needed=True)

    assert EscalationFeedback.objects.count() == 0
    assert AuditEvent.objects.filter(kind__startswith="escalation_feedback").count() == 0


def test_lead_of_the_receivers_team_may_judge_an_escalation_into_another_team(queue, senior):
    """An escalation from another team's ticket to our senior: our lead may judge it too."""
    billing = factories.TeamFactory(name="Billing")
    ticket = factories.TicketFactory(queue=factories.QueueFactory(team=billing))
    escalation = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    our_lead = factories.LeadFactory(username="our-lead", team=senior.team)

    assert escalation_feedback_allowed(escalation=escalation, agent=our_lead) is True


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"needed": "yes"}, "needed"),
        ({"needed": None}, "needed"),
        ({"needed": False, "reason": "bored"}, "reason"),
        ({"needed": True, "reason": "duplicate"}, "reason"),
        ({"needed": False, "reason": "needed_authority"}, "reason"),
        ({"needed": True, "comment": "x" * 1001}, "comment"),
    ],
    ids=[
        "needed-not-bool",
        "needed-missing",
        "unknown-reason",
        "reason-against-needed",
        "reason-against-not-needed",
        "comment-too-long",
    ],
)
def test_bad_values_name_the_field_and_write_nothing(escalation, senior, values, field):
    with pytest.raises(ValidationError) as error:
        escalation_feedback_give(escalation=escalation, actor=senior, **values)

    assert list(error.value.message_dict) == [field]
    assert EscalationFeedback.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_author_changes_feedback_within_the_window_audited_with_before_and_after(
    escalation, senior
):
    escalation_feedback_give(escalation=escalation, actor=senior, needed=True)

    given = escalation_feedback_give(
        escalation=escalation, actor=senior, needed=False, reason="duplicate"
    )

    assert given.created is False
    assert EscalationFeedback.objects.values_list("needed", "reason").get() == (False, "duplicate")
    audit = AuditEvent.objects.get(kind="escalation_feedback_changed")
    assert audit.before == {"needed": True, "reason": "", "comment": ""}
    assert audit.after == {"needed": False, "reason": "duplicate", "comment": ""}


def test_same_feedback_again_changes_nothing_and_writes_no_audit(escalation, senior):
    escalation_feedback_give(escalation=escalation, actor=senior, needed=True)

    escalation_feedback_give(escalation=escalation, actor=senior, needed=True)

    assert AuditEvent.objects.filter(kind="escalation_feedback_changed").count() == 0


def test_after_the_edit_window_the_author_gets_a_conflict(escalation, senior, settings):
    settings.KIMONDESK = settings.KIMONDESK | {"ESCALATION_FEEDBACK_EDIT_HOURS": 24}
    factories.EscalationFeedbackFactory(
        escalation=escalation,
        author=senior,
        needed=True,
        created_at=timezone.now() - timedelta(hours=24, seconds=1),
    )

    with pytest.raises(EscalationConflict) as error:
        escalation_feedback_give(escalation=escalation, actor=senior, needed=False)

    assert error.value.code == "feedback_locked"
    assert EscalationFeedback.objects.values_list("needed", flat=True).get() is True
    assert AuditEvent.objects.count() == 0


def test_only_the_author_may_change_feedback(escalation, senior, lead):
    escalation_feedback_give(escalation=escalation, actor=senior, needed=True)

    with pytest.raises(PermissionDenied):
        escalation_feedback_give(escalation=escalation, actor=lead, needed=False)

    assert EscalationFeedback.objects.values_list("needed", "author").get() == (True, senior.pk)
