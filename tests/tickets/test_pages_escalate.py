"""The escalate form and the Acknowledge button: what the page does with the engine's answers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from escalations import services as escalation_services
from escalations.exceptions import EscalationConflict
from tests import factories

HANDOFF = {
    "tried": "Resent the invoice.",
    "diagnosis": "Duplicate charge.",
    "authority_needed": "Refund above my limit.",
}


@pytest.fixture
def ticket(queue, junior, lead):
    return factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)


@pytest.fixture
def engine(monkeypatch):
    """Records the calls the pages make into the engine; ``answer`` sets what it returns/raises."""
    calls: list[tuple[str, dict]] = []
    state: dict = {"answer": None}

    def respond(name, kwargs):
        calls.append((name, kwargs))
        if isinstance(state["answer"], Exception):
            raise state["answer"]
        return state["answer"]

    monkeypatch.setattr(
        escalation_services,
        "escalation_create_manual",
        lambda **kw: respond("create", kw),
        raising=True,
    )
    monkeypatch.setattr(
        escalation_services, "escalation_acknowledge", lambda **kw: respond("ack", kw)
    )
    return {"calls": calls, "state": state}


@pytest.mark.django_db
def test_escalate_form_shows_the_three_handoff_fields_with_guidance(client, ticket, junior, lead):
    factories.TargetFactory(name="Our lead", team=junior.team)
    factories.TargetFactory(name="Another team's", team=factories.TeamFactory(name="Billing"))
    client.force_login(junior)

    response = client.get(reverse("ticket_escalate", args=[ticket.pk]))

    form = response.context["form"]
    assert list(form.fields) == ["tried", "diagnosis", "authority_needed", "target", "via_tag"]
    assert all(form.fields[f].required for f in ("tried", "diagnosis", "authority_needed"))
    # The team-lead target is the named lead entry, not a second option.
    assert form.fields["target"].choices == [("", f"Support team lead: {lead} (available)")]
    assert "The steps already taken" in response.content.decode()


@pytest.mark.django_db
def test_blank_handoff_keeps_what_the_agent_typed_and_calls_nothing(client, ticket, junior, engine):
    client.force_login(junior)

    response = client.post(
        reverse("ticket_escalate", args=[ticket.pk]),
        {"tried": "Resent the invoice twice.", "diagnosis": "  ", "authority_needed": ""},
    )

    assert response.status_code == 400
    form = response.context["form"]
    assert sorted(form.errors) == ["authority_needed", "diagnosis"]
    assert "Resent the invoice twice." in response.content.decode()
    assert engine["calls"] == []


@pytest.mark.django_db
def test_escalate_passes_the_handoff_to_the_engine(client, ticket, junior, lead, engine):
    engine["state"]["answer"] = factories.EscalationFactory(ticket=ticket, to_agent=lead)
    client.force_login(junior)

    response = client.post(
        reverse("ticket_escalate", args=[ticket.pk]), {**HANDOFF, "via_tag": "True"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_detail", args=[ticket.pk])
    [(name, kwargs)] = engine["calls"]
    assert name == "create"
    assert kwargs == {
        "ticket": ticket,
        "actor": junior,
        **HANDOFF,
        "target": None,
        "to_agent": None,
        "via_tag": True,
    }


@pytest.mark.django_db
def test_engine_validation_errors_land_on_the_form_fields(client, ticket, junior, engine):
    engine["state"]["answer"] = ValidationError(
        {"diagnosis": ["Say what you think is wrong."], "ticket": ["Ticket is closed."]}
    )
    client.force_login(junior)

    response = client.post(reverse("ticket_escalate", args=[ticket.pk]), HANDOFF)

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["diagnosis"] == ["Say what you think is wrong."]
    assert form.non_field_errors() == ["Ticket is closed."]
    assert HANDOFF["tried"] in response.content.decode()


@pytest.mark.django_db
def test_escalation_conflict_is_a_clear_message(client, ticket, junior, engine):
    engine["state"]["answer"] = EscalationConflict("Nowhere to escalate: the team has no lead.")
    client.force_login(junior)

    response = client.post(reverse("ticket_escalate", args=[ticket.pk]), HANDOFF)

    assert response.status_code == 409
    assert "Nowhere to escalate: the team has no lead." in response.content.decode()
    assert HANDOFF["authority_needed"] in response.content.decode()


@pytest.mark.django_db
def test_acknowledge_button_posts_to_the_engine(client, ticket, senior, engine):
    escalation = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    client.force_login(senior)

    response = client.post(reverse("escalation_acknowledge_page", args=[escalation.pk]))

    assert response.status_code == 302
    assert engine["calls"] == [("ack", {"escalation": escalation, "actor": senior})]


@pytest.mark.django_db
def test_acknowledge_refused_by_the_engine_is_403(client, ticket, junior, engine):
    escalation = factories.EscalationFactory(ticket=ticket)
    engine["state"]["answer"] = PermissionDenied("Not yours to acknowledge.")
    client.force_login(junior)

    response = client.post(reverse("escalation_acknowledge_page", args=[escalation.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_acknowledge_of_another_teams_escalation_is_404(client, ticket, engine):
    escalation = factories.EscalationFactory(ticket=ticket)
    outsider = factories.AgentFactory(team=factories.TeamFactory(name="Billing"))
    client.force_login(outsider)

    response = client.post(reverse("escalation_acknowledge_page", args=[escalation.pk]))

    assert response.status_code == 404
    assert engine["calls"] == []


# --- Through the real engine ---------------------------------------------------------------
@pytest.mark.django_db
def test_escalating_through_the_form_hands_the_ticket_to_the_lead_and_pins_the_summary(
    client, ticket, junior, lead, django_capture_on_commit_callbacks
):
    from escalations.models import Escalation

    client.force_login(junior)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ticket_escalate", args=[ticket.pk]), HANDOFF)

    assert response.status_code == 302
    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.to_agent, escalation.from_agent, escalation.trigger) == (
        lead,
        junior,
        "manual",
    )
    assert (
        escalation.handoff_tried,
        escalation.handoff_diagnosis,
        escalation.handoff_authority_needed,
    ) == tuple(HANDOFF.values())
    client.force_login(lead)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    pinned = page[page.index('id="pinned"') : page.index('class="ticket-grid"')]
    assert f'data-escalation-id="{escalation.pk}"' in pinned
    assert "Duplicate charge." in pinned
    assert reverse("escalation_acknowledge_page", args=[escalation.pk]) in pinned


@pytest.mark.django_db
def test_the_escalate_tag_path_escalates_and_adds_the_tag(client, ticket, junior, lead):
    client.force_login(junior)
    form_url = client.post(reverse("ticket_tags", args=[ticket.pk]), {"tags": "escalate"})[
        "Location"
    ]

    client.post(form_url, {**HANDOFF, "via_tag": "True"})

    escalation = ticket.escalations.get()
    assert (escalation.trigger, escalation.to_agent) == ("escalate_tag", lead)
    assert list(ticket.tags.values_list("name", flat=True)) == ["escalate"]


@pytest.mark.django_db
def test_escalating_a_solved_ticket_is_a_conflict_with_the_input_kept(client, queue, junior, lead):
    ticket = factories.TicketFactory(queue=queue, assignee=junior, status="solved")
    client.force_login(junior)

    response = client.post(reverse("ticket_escalate", args=[ticket.pk]), HANDOFF)

    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == ["The ticket is solved."]
    assert HANDOFF["diagnosis"] in response.content.decode()
    assert ticket.escalations.count() == 0


@pytest.mark.django_db
def test_receiver_acknowledges_once_then_is_told_it_is_done(client, ticket, junior, lead):
    from escalations.services import escalation_create_manual

    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)
    client.force_login(lead)
    url = reverse("escalation_acknowledge_page", args=[escalation.pk])

    first = client.post(url, follow=True)
    second = client.post(url, follow=True)

    escalation.refresh_from_db()
    assert escalation.acknowledged_by == lead
    assert [str(m) for m in first.context["messages"]] == ["Escalation acknowledged."]
    assert [str(m) for m in second.context["messages"]] == [
        "This escalation is already acknowledged."
    ]


@pytest.mark.django_db
def test_a_junior_who_is_not_the_receiver_cannot_acknowledge(client, ticket, junior, lead):
    from escalations.services import escalation_create_manual

    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)

    response = client.post(reverse("escalation_acknowledge_page", args=[escalation.pk]))
    client.force_login(junior)
    refused = client.post(reverse("escalation_acknowledge_page", args=[escalation.pk]))

    escalation.refresh_from_db()
    assert response.status_code == 302
    assert refused.status_code == 403
    assert escalation.acknowledged_at is None


@pytest.mark.django_db
def test_a_lead_acknowledges_on_behalf_of_the_receiver_and_the_summary_says_so(
    client, ticket, junior, senior, lead
):
    from escalations.models import Escalation

    client.force_login(junior)
    client.post(
        reverse("ticket_escalate", args=[ticket.pk]), {**HANDOFF, "target": f"agent:{senior.pk}"}
    )
    escalation = Escalation.objects.get(to_agent=senior)

    client.force_login(senior)
    own = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    client.force_login(lead)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    client.post(reverse("escalation_acknowledge_page", args=[escalation.pk]))
    after = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "Acknowledge <kbd>a</kbd>" in own
    assert f"Acknowledge on behalf of {senior} <kbd>a</kbd>" in page
    assert f"Acknowledged by {lead} on behalf of {senior} " in after
    escalation.refresh_from_db()
    assert (escalation.acknowledged_by, escalation.acknowledged_on_behalf_of) == (lead, senior)
