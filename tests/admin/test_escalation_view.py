"""The console's escalation page: read as the receiver read it, every link one the viewer may open."""

from __future__ import annotations

import re

import pytest

from escalations.feedback.models import EscalationFeedback, FeedbackReason
from escalations.models import AuditEvent, Escalation
from escalations.services import escalation_acknowledge, escalation_create_manual
from tests import factories
from tests.console_links import links_refused, page_links

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

    assert f"/tickets/{escalation.ticket_id}/" in page_links(html)
    assert links_refused(client, html) == {}


@pytest.mark.django_db
def test_another_teams_lead_cannot_open_it(client, lead_b, escalation):
    client.force_login(lead_b)

    response = client.get(f"/admin/escalations/escalation/{escalation.pk}/change/")

    # Out of the lead's scope, as if it did not exist: the console's index, nothing shown.
    assert (response.status_code, response.url) == (302, "/admin/")


@pytest.mark.django_db
def test_the_audit_trail_lists_the_escalations_rows_each_opening_for_a_lead(
    client, lead_a, escalation
):
    escalation_acknowledge(escalation=escalation, actor=lead_a)
    other = escalation_create_manual(
        ticket=factories.TicketFactory(
            queue=escalation.ticket.queue, assignee=escalation.from_agent
        ),
        actor=escalation.from_agent,
        **HANDOFF,
    )
    client.force_login(lead_a)

    html = _page(client, escalation)
    trail = html[html.index('class="console-audit-trail"') :]
    trail = trail[: trail.index("</ol>")]

    kinds = re.findall(r"</a>: ([a-z ]+) by ", trail)
    assert kinds == ["escalated", "ticket reassigned", "acknowledged"]
    rows = re.findall(r'href="(/admin/escalations/auditevent/(\d+)/change/)"', trail)
    assert len(rows) == 3
    # Another escalation's rows are not in this one's trail.
    assert not AuditEvent.objects.filter(
        pk__in=[int(pk) for _, pk in rows], object_id=str(other.pk)
    ).exists()
    for url, _pk in rows:
        page = client.get(url)
        assert page.status_code == 200
        assert f'<a href="/tickets/{escalation.ticket_id}/">#{escalation.ticket_id}</a>' in (
            page.content.decode()
        )


@pytest.mark.django_db
def test_a_lead_reads_only_the_audit_rows_of_tickets_they_see(client, lead_b, escalation):
    client.force_login(lead_b)

    listed = client.get("/admin/escalations/auditevent/")
    row = AuditEvent.objects.filter(ticket_id=escalation.ticket_id).first()
    opened = client.get(f"/admin/escalations/auditevent/{row.pk}/change/")

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 0
    assert (opened.status_code, opened.url) == (302, "/admin/")


@pytest.mark.django_db
def test_a_row_without_a_stored_summary_names_the_agents_and_shows_its_note(
    client, lead_a, escalation
):
    Escalation.objects.filter(pk=escalation.pk).update(summary={}, from_agent=None)
    client.force_login(lead_a)

    html = _page(client, escalation)

    assert f"unassigned → {escalation.to_agent}" in html
    # The summary note written at the time stands in for the structured summary.
    assert escalation.summary_note.body.splitlines()[0] in html
