"""The pinned summary's "Ask … a question" form and the question in the timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalations.services import escalation_create_manual
from tests import factories
from tickets.models import Note
from tickets.notifications.models import Notification

QUESTION = "Did the customer confirm the card number?"
HANDOFF = {
    "tried": "Resent the invoice.",
    "diagnosis": "Duplicate charge.",
    "authority_needed": "Refund above my limit.",
}


@pytest.fixture
def escalation(queue, junior, senior):
    ticket = factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)
    return escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)


def _page(client, escalation) -> str:
    return client.get(reverse("ticket_detail", args=[escalation.ticket_id])).content.decode()


@pytest.mark.django_db
def test_the_receiver_is_offered_the_question_and_the_escalating_agent_is_not(
    client, escalation, junior, senior
):
    client.force_login(senior)
    assert f"Ask {junior} a question" in _page(client, escalation)

    client.force_login(junior)
    assert "a question</summary>" not in _page(client, escalation)


@pytest.mark.django_db
def test_asking_lands_on_the_question_in_the_timeline(client, escalation, junior, senior):
    client.force_login(senior)

    response = client.post(
        reverse("escalation_question_page", args=[escalation.pk]), {"body": QUESTION}
    )

    note = Note.objects.get(kind="question")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("ticket_detail", args=[escalation.ticket_id]) + f"#note-{note.pk}"
    )
    assert Notification.objects.filter(agent=junior, kind="escalation_question").count() == 1
    client.force_login(junior)
    html = _page(client, escalation)
    assert f'id="note-{note.pk}"' in html
    assert f'<span class="addressed-to">to {junior}</span>' in html
    assert QUESTION in html


@pytest.mark.django_db
def test_a_blank_question_is_400_with_the_reason_and_nothing_written(client, escalation, senior):
    client.force_login(senior)

    response = client.post(reverse("escalation_question_page", args=[escalation.pk]), {"body": " "})

    assert response.status_code == 400
    assert "Question not sent: Write the question." in response.content.decode()
    assert Note.objects.filter(kind="question").count() == 0
    assert Notification.objects.filter(kind="escalation_question").count() == 0


@pytest.mark.django_db
def test_another_teams_agent_gets_404_and_nothing_written(client, escalation):
    client.force_login(factories.LeadFactory(team=factories.TeamFactory(name="Billing")))

    response = client.post(
        reverse("escalation_question_page", args=[escalation.pk]), {"body": QUESTION}
    )

    assert response.status_code == 404
    assert Note.objects.filter(kind="question").count() == 0
