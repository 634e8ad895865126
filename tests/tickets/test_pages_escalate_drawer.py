"""The escalate form in the ticket page's drawer (``?drawer=1``), and how a refused handoff is
described: each field's error in its ``aria-describedby``, ``aria-invalid``, focus on the first."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from escalations.models import Escalation
from tests import factories
from tickets.models import Status

HANDOFF = {
    "tried": "Resent the invoice.",
    "diagnosis": "Duplicate charge.",
    "authority_needed": "Refund above my limit.",
}


@pytest.fixture
def ticket(queue, junior, lead):
    return factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)


def _drawer_url(ticket):
    return reverse("ticket_escalate", args=[ticket.pk]) + "?drawer=1"


def _tag(html: str, element_id: str) -> str:
    """The opening tag of the element with ``element_id``."""
    match = re.search(rf'<[a-z]+[^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    return match.group(0)


@pytest.mark.django_db
def test_the_ticket_page_has_the_drawer_and_a_link_to_the_escalate_page(client, ticket, junior):
    client.force_login(junior)

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    # Without JavaScript the link opens the escalate page; the drawer stays hidden.
    assert f'href="{reverse("ticket_escalate", args=[ticket.pk])}"' in _tag(html, "escalate-link")
    drawer = _tag(html, "escalate-drawer")
    assert 'role="dialog"' in drawer
    assert 'aria-modal="true"' in drawer
    assert " hidden" in drawer
    assert f'data-form-url="{_drawer_url(ticket)}"' in drawer


@pytest.mark.django_db
def test_the_drawer_gets_the_form_alone(client, ticket, junior):
    client.force_login(junior)

    response = client.get(_drawer_url(ticket))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.count('id="escalate-form"') == 1
    for name in ("tried", "diagnosis", "authority_needed", "target"):
        assert f'aria-describedby="id_{name}_helptext"' in _tag(html, f"id_{name}")
        assert f'id="id_{name}_helptext"' in html
    assert "autofocus" not in html
    assert 'aria-invalid="true"' not in html


@pytest.mark.django_db
def test_a_handoff_sent_from_the_drawer_is_201_with_the_escalation(client, ticket, junior, lead):
    client.force_login(junior)

    response = client.post(_drawer_url(ticket), HANDOFF)

    escalation = Escalation.objects.get()
    assert response.status_code == 201
    assert response.json() == {"escalation": escalation.pk, "message": f"Escalated to {lead}."}
    assert escalation.to_agent == lead
    assert escalation.handoff_tried == HANDOFF["tried"]


@pytest.mark.parametrize("url", ["page", "drawer"])
@pytest.mark.django_db
def test_a_refused_handoff_describes_each_error_and_focuses_the_first(client, ticket, junior, url):
    client.force_login(junior)
    target = (
        _drawer_url(ticket) if url == "drawer" else reverse("ticket_escalate", args=[ticket.pk])
    )

    response = client.post(target, {"tried": "Resent the invoice.", "diagnosis": " "})

    html = response.content.decode()
    assert response.status_code == 400
    assert ("<html" in html) is (url == "page")
    diagnosis = _tag(html, "id_diagnosis")
    assert 'aria-invalid="true"' in diagnosis
    assert 'aria-describedby="id_diagnosis_helptext id_diagnosis_error"' in diagnosis
    assert "autofocus" in diagnosis
    authority = _tag(html, "id_authority_needed")
    assert 'aria-invalid="true"' in authority
    assert 'aria-describedby="id_authority_needed_helptext id_authority_needed_error"' in authority
    assert "autofocus" not in authority
    assert html.count("autofocus") == 1
    assert 'aria-invalid="true"' not in _tag(html, "id_tried")
    assert 'id="id_diagnosis_error"' in html
    assert 'id="id_authority_needed_error"' in html
    summary = _tag(html, "escalate-errors")
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert 'href="#id_diagnosis"' in html
    assert Escalation.objects.count() == 0


@pytest.mark.django_db
def test_a_conflict_in_the_drawer_is_409_with_the_reason_in_the_error_summary(
    client, queue, junior, lead
):
    solved = factories.TicketFactory(queue=queue, assignee=junior, status=Status.SOLVED)
    client.force_login(junior)

    response = client.post(_drawer_url(solved), HANDOFF)

    html = response.content.decode()
    assert response.status_code == 409
    assert "<html" not in html
    assert 'id="escalate-errors"' in html
    assert "<li>The ticket is solved.</li>" in html
    assert HANDOFF["diagnosis"] in html
    assert "autofocus" not in html
    assert Escalation.objects.count() == 0


@pytest.mark.django_db
def test_another_teams_agent_gets_no_drawer_form(client, ticket):
    stranger = factories.AgentFactory(team=factories.TeamFactory(name="Billing"))
    client.force_login(stranger)

    assert client.get(_drawer_url(ticket)).status_code == 404
    assert client.post(_drawer_url(ticket), HANDOFF).status_code == 404
    assert Escalation.objects.count() == 0
