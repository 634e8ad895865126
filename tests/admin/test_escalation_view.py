"""The console's escalation page: read as the receiver read it, every link one the viewer may open."""

from __future__ import annotations

import re

import pytest

from escalations.feedback.models import EscalationFeedback, FeedbackReason
from escalations.services import escalation_acknowledge, escalation_create_manual
from tests import factories

HANDOFF = {
    "tried": "Resent the invoice twice",
    "diagnosis": "The VAT number on the account is stale",
    "authority_needed": "A credit note above my limit",
}


@pytest.fixture
def escalation(queue_a, junior_a, lead_a):
    ticket = factories.TicketFactory(queue=queue_a, assignee=junior_a, subject="Wrong VAT number")
    return escalation_create_manual(ticket=ticket, actor=junior_a, **HANDOFF)


def _page(client, escalation):
    response = client.get(f"/admin/escalations/escalation/{escalation.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_a_lead_reads_the_pinned_summary_the_route_and_the_handoff(client, lead_a, escalation):
    client.force_login(lead_a)

    html = _page(client, escalation)

    assert f'<a href="/tickets/{escalation.ticket_id}/">#{escalation.ticket_id} Wrong VAT' in html
    assert "Escalated by:</label>" in html
    assert f"{escalation.initiated_by} (by hand)" in html
    assert f"{escalation.from_agent} → {escalation.to_agent}" in html
    # The summary pinned on the ticket, rendered by the same template.
    assert 'class="note note-escalation-summary' in html
    for words in HANDOFF.values():
        assert words in html
    assert f"Not yet: waiting for {escalation.to_agent}." in html
    assert "None given." in html
    # The stored JSON is folded away, not the page's content.
    assert '"summary":' not in html
    assert "trigger_label" not in html


@pytest.mark.django_db
def test_acknowledgement_and_feedback_are_said_in_words(client, lead_a, escalation):
    escalation_acknowledge(escalation=escalation, actor=lead_a)
    EscalationFeedback.objects.create(
        escalation=escalation,
        needed=False,
        reason=FeedbackReason.FIRST_LEVEL,
        comment="The help-centre article covers it.",
        author=lead_a,
    )
    client.force_login(lead_a)

    html = _page(client, escalation)

    assert re.search(rf"\d{{4}}, [^<]+ by {lead_a}</div>", html)
    assert (
        "Not needed: Could have been solved at first level “The help-centre article covers "
        f"it.” ({lead_a})"
    ) in html


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["lead_a", "superuser"])
def test_every_link_on_the_page_opens_for_its_viewer(client, request, viewer, escalation):
    # A lead was sent to the admin-only ticket and agent pages (403) by the linked names.
    client.force_login(request.getfixturevalue(viewer))

    html = _page(client, escalation)
    links = {
        href
        for href in re.findall(r'href="(/[^"#?]*)', html)
        if not href.startswith(("/static/", "/admin/logout", "/admin/password_change"))
    }

    assert f"/tickets/{escalation.ticket_id}/" in links
    refused = {href: client.get(href).status_code for href in sorted(links)}
    assert {href: code for href, code in refused.items() if code >= 400} == {}


@pytest.mark.django_db
def test_another_teams_lead_cannot_open_it(client, lead_b, escalation):
    client.force_login(lead_b)

    response = client.get(f"/admin/escalations/escalation/{escalation.pk}/change/")

    # Out of the lead's scope, as if it did not exist: the console's index, nothing shown.
    assert (response.status_code, response.url) == (302, "/admin/")
