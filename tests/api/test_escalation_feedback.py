"""POST /api/v1/escalations/{id}/feedback/ and `feedback` on the escalation read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.models import AuditEvent, EscalationFeedback
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(queue, junior, senior):
    ticket = factories.TicketFactory(queue=queue)
    return factories.EscalationFactory(ticket=ticket, from_agent=junior, to_agent=senior)


def _url(escalation) -> str:
    return f"/api/v1/escalations/{escalation.pk}/feedback/"


@pytest.mark.parametrize("who", ["senior", "lead", "admin_user"], ids=["receiver", "lead", "admin"])
def test_allowed_agents_give_feedback_and_read_it_back(client_for, request, escalation, who):
    actor = request.getfixturevalue(who)
    client = client_for(actor)

    response = client.post(
        _url(escalation),
        {"needed": False, "reason": "first_level", "comment": "A password reset."},
        format="json",
    )
    read = client.get(f"/api/v1/escalations/{escalation.pk}/")

    assert response.status_code == 201
    feedback = response.json()["feedback"]
    assert {k: feedback[k] for k in ("needed", "reason", "comment", "author")} == {
        "needed": False,
        "reason": "first_level",
        "comment": "A password reset.",
        "author": actor.pk,
    }
    assert read.json()["feedback"] == feedback
    assert AuditEvent.objects.filter(kind="escalation_feedback_given").count() == 1


def test_escalation_without_feedback_reads_null(client_for, escalation, senior):
    assert (
        client_for(senior).get(f"/api/v1/escalations/{escalation.pk}/").json()["feedback"] is None
    )


def test_same_team_agent_who_is_not_the_receiver_gets_403(client_for, escalation, junior):
    response = client_for(junior).post(_url(escalation), {"needed": True}, format="json")

    assert response.status_code == 403
    assert EscalationFeedback.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_other_teams_lead_gets_404(client_for, escalation, other_lead):
    response = client_for(other_lead).post(_url(escalation), {"needed": True}, format="json")

    assert response.status_code == 404
    assert EscalationFeedback.objects.count() == 0


def test_anonymous_gets_401(client_for, escalation):
    response = client_for(None).post(_url(escalation), {"needed": True}, format="json")

    assert response.status_code == 401
    assert EscalationFeedback.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "needed"),
        ({"needed": "perhaps"}, "needed"),
        ({"needed": False, "reason": "bored"}, "reason"),
        ({"needed": True, "reason": "wrong_team"}, "reason"),
        ({"needed": True, "comment": "x" * 1001}, "comment"),
    ],
    ids=[
        "needed-missing",
        "needed-not-bool",
        "unknown-reason",
        "reason-against-verdict",
        "comment-too-long",
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_for, escalation, senior, body, field):
    response = client_for(senior).post(_url(escalation), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert EscalationFeedback.objects.count() == 0


def test_author_changes_it_within_the_window_with_200(client_for, escalation, senior):
    client = client_for(senior)
    client.post(_url(escalation), {"needed": True}, format="json")

    response = client.post(
        _url(escalation), {"needed": True, "reason": "needed_authority"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["feedback"]["reason"] == "needed_authority"
    audit = AuditEvent.objects.get(kind="escalation_feedback_changed")
    assert (audit.before["reason"], audit.after["reason"]) == ("", "needed_authority")


def test_after_the_window_a_change_is_a_409(client_for, escalation, senior):
    factories.EscalationFeedbackFactory(
        escalation=escalation,
        author=senior,
        needed=True,
        created_at=timezone.now() - timedelta(hours=25),
    )

    response = client_for(senior).post(_url(escalation), {"needed": False}, format="json")

    assert response.status_code == 409
    assert EscalationFeedback.objects.values_list("needed", flat=True).get() is True


def test_escalation_list_reads_feedback_without_extra_queries(
    client_for, queue, senior, django_assert_num_queries
):
    client = client_for(senior)
    for _ in range(2):
        factories.EscalationFeedbackFactory(
            escalation=factories.EscalationFactory(ticket=factories.TicketFactory(queue=queue)),
            author=senior,
        )
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/escalations/")
    for _ in range(3):
        factories.EscalationFeedbackFactory(
            escalation=factories.EscalationFactory(ticket=factories.TicketFactory(queue=queue)),
            author=senior,
        )

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/escalations/")

    assert response.json()["count"] == 5
    assert [row["feedback"]["needed"] for row in response.json()["results"]] == [True] * 5
