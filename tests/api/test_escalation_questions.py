"""POST /api/v1/escalations/{id}/question/: a question to the agent who escalated."""

from __future__ import annotations

import pytest

from tests import factories
from tickets.models import Note
from tickets.notifications.models import Notification

pytestmark = pytest.mark.django_db

QUESTION = "Did the customer confirm the card number?"


@pytest.fixture
def escalation(queue, junior, senior):
    ticket = factories.TicketFactory(queue=queue, assignee=senior)
    return factories.EscalationFactory(ticket=ticket, from_agent=junior, to_agent=senior)


def _url(escalation) -> str:
    return f"/api/v1/escalations/{escalation.pk}/question/"


def test_the_receiver_asks_and_gets_the_note(client_for, escalation, junior, senior):
    response = client_for(senior).post(_url(escalation), {"body": QUESTION}, format="json")

    note = Note.objects.get()
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("id", "ticket", "author", "body", "kind", "addressed_to")} == {
        "id": note.pk,
        "ticket": escalation.ticket_id,
        "author": senior.pk,
        "body": QUESTION,
        "kind": "question",
        "addressed_to": junior.pk,
    }
    assert Notification.objects.get().agent == junior
    notes = client_for(junior).get(f"/api/v1/tickets/{escalation.ticket_id}/notes/").json()
    assert [(n["kind"], n["addressed_to"]) for n in notes["results"]] == [("question", junior.pk)]


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        pytest.param({}, {"body": ["This field is required."]}, id="missing"),
        pytest.param({"body": "   "}, {"body": ["This field may not be blank."]}, id="blank"),
        pytest.param(
            {"body": "x" * 2001},
            {"body": ["Ensure this field has no more than 2000 characters."]},
            id="too-long",
        ),
    ],
)
def test_bad_input_is_400_naming_the_body(client_for, escalation, senior, payload, errors):
    response = client_for(senior).post(_url(escalation), payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert Note.objects.count() == 0
    assert Notification.objects.count() == 0


def test_another_teams_agent_gets_404_and_nothing_is_written(client_for, escalation, other_lead):
    response = client_for(other_lead).post(_url(escalation), {"body": QUESTION}, format="json")

    assert response.status_code == 404
    assert Note.objects.count() == 0
    assert Notification.objects.count() == 0


def test_the_escalating_agent_asking_themselves_is_409(client_for, escalation, junior):
    response = client_for(junior).post(_url(escalation), {"body": QUESTION}, format="json")

    assert response.status_code == 409
    assert "escalated this ticket yourself" in response.json()["detail"]
    assert Note.objects.count() == 0


def test_the_endpoint_is_in_the_openapi_schema(client_for, senior):
    schema = client_for(senior).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/escalations/{id}/question/"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/QuestionInputRequest"
    }
    assert sorted(operation["responses"]) == [
        "201",
        "400",
        "401",
        "403",
        "404",
        "409",
        "413",
        "422",
        "429",
    ]
    assert "addressed_to" in schema["components"]["schemas"]["Note"]["properties"]
