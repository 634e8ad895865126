"""The pinned summary's feedback buttons: a plain CSRF-protected form, same rules as the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from escalations.models import AuditEvent, EscalationFeedback
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def escalation(queue, junior, senior):
    ticket = factories.TicketFactory(subject="Charged twice", queue=queue, assignee=senior)
    return factories.EscalationFactory(ticket=ticket, from_agent=junior, to_agent=senior)


def _signed_in(agent) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    return client


def _post(client: Client, escalation, data: dict) -> object:
    """Post as a browser would: with the token of the CSRF cookie (set by any page with a form;
    set directly for agents who cannot open the ticket)."""
    client.get(reverse("ticket_detail", args=[escalation.ticket_id]))
    if "csrftoken" not in client.cookies:
        client.cookies["csrftoken"] = "k" * 32
    token = client.cookies["csrftoken"].value
    return client.post(
        reverse("escalation_feedback_page", args=[escalation.pk]),
        {**data, "csrfmiddlewaretoken": token},
    )


def test_receiver_sees_the_buttons_on_the_pinned_summary(escalation, senior):
    page = _signed_in(senior).get(reverse("ticket_detail", args=[escalation.ticket_id]))

    html = page.content.decode()
    assert f'action="/escalations/{escalation.pk}/feedback/"' in html
    assert 'name="needed" value="yes"' in html
    assert 'name="needed" value="no"' in html
    assert '<option value="first_level">Could have been solved at first level</option>' in html


def test_one_click_records_the_feedback_and_shows_it(escalation, senior):
    client = _signed_in(senior)

    response = _post(client, escalation, {"needed": "no", "reason": "first_level"})
    page = client.get(reverse("ticket_detail", args=[escalation.ticket_id]))

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{escalation.ticket_id}/#pinned"
    assert EscalationFeedback.objects.values_list("needed", "reason", "author").get() == (
        False,
        "first_level",
        senior.pk,
    )
    assert AuditEvent.objects.filter(kind="escalation_feedback_given").count() == 1
    html = page.content.decode()
    assert "<strong>Not needed</strong>: Could have been solved at first level" in html
    assert "<summary>Change your feedback</summary>" in html


def test_escalating_junior_sees_no_buttons_and_a_post_is_refused(escalation, junior):
    client = _signed_in(junior)
    page = client.get(reverse("ticket_detail", args=[escalation.ticket_id]))

    response = _post(client, escalation, {"needed": "yes"})

    assert "feedback-form" not in page.content.decode()
    assert response.status_code == 403
    assert "Only the receiver of the escalation" in response.content.decode()
    assert EscalationFeedback.objects.count() == 0


def test_another_teams_lead_gets_404(escalation, other_lead_page):
    response = _post(_signed_in(other_lead_page), escalation, {"needed": "yes"})

    assert response.status_code == 404
    assert EscalationFeedback.objects.count() == 0


@pytest.fixture
def other_lead_page(db):
    return factories.LeadFactory(
        username="billing-lead", team=factories.TeamFactory(name="Billing")
    )


def test_bad_reason_is_a_400_naming_the_field(escalation, senior):
    response = _post(_signed_in(senior), escalation, {"needed": "yes", "reason": "duplicate"})

    assert response.status_code == 400
    assert "Reason: “Duplicate” does not go with “needed”." in response.content.decode()
    assert EscalationFeedback.objects.count() == 0


def test_missing_verdict_is_a_400_naming_needed(escalation, senior):
    response = _post(_signed_in(senior), escalation, {"reason": ""})

    assert response.status_code == 400
    assert "Needed: Say whether the escalation was needed" in response.content.decode()
    assert EscalationFeedback.objects.count() == 0


def test_lead_sees_the_buttons_until_someone_gave_feedback(escalation, lead, senior):
    factories.EscalationFeedbackFactory(escalation=escalation, author=senior, needed=True)

    html = _signed_in(lead).get(reverse("ticket_detail", args=[escalation.ticket_id])).content
    text = html.decode()

    assert "feedback-form" not in text
    assert "<strong>Needed</strong>" in text
    assert f"(feedback by {senior})" in text
