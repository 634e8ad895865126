"""The API drives the real engine: the same escalation, summary note, push and webhook as the UI."""

from __future__ import annotations

import pytest

from escalations.models import Delivery, Escalation, Webhook
from tests import factories
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

HANDOFF = {"tried": "Reset the account", "diagnosis": "Sync bug", "authority_needed": "Credit note"}


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "tickets.realtime.push_many",
        lambda pushes: sent.extend((group, event["type"]) for group, event in pushes),
    )
    return sent


def test_manual_escalation_through_the_api(
    client_for,
    junior,
    lead,
    queue,
    customer,
    pushes,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    # Given a ticket held by a junior and a team webhook for escalations
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    Webhook.objects.create(
        url="https://crm.example.com", team=queue.team, events=["escalation.created"], secret="s"
    )
    monkeypatch.setattr("escalations.delivery.engine.delivery_enqueue", lambda **kw: None)

    # When the junior escalates with a handoff note
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(junior).post(
            f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF, format="json"
        )

    # Then the lead receives it, a pinned summary note exists, pushes and the webhook went out
    assert response.status_code == 201, response.content
    body = response.json()
    escalation = Escalation.objects.get()
    assert (body["id"], body["trigger"], body["to_agent"], body["from_agent"]) == (
        escalation.pk,
        "manual",
        lead.pk,
        junior.pk,
    )
    assert body["handoff"]["complete"] is True
    notes = client_for(junior).get(f"/api/v1/tickets/{ticket.pk}/notes/").json()["results"]
    assert notes[0]["id"] == body["summary_note"]["id"]
    assert (notes[0]["kind"], notes[0]["pinned"]) == ("escalation_summary", True)
    assert (f"ticket.{ticket.pk}", "escalation.summary") in pushes
    assert (f"agent.{lead.pk}", "escalation.assigned") in pushes
    assert Delivery.objects.get().event == "escalation.created"
    assert Ticket.objects.get(pk=ticket.pk).escalation_count == 1


def test_escalating_to_the_current_holder_is_a_409(client_for, lead, queue, customer):
    # Given the team lead holds the ticket: the default target is the holder
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=lead)

    response = client_for(lead).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] != ""
    assert Escalation.objects.count() == 0


def test_acknowledge_then_again_is_a_409_and_others_get_403(
    client_for, junior, senior, lead, queue, customer
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    escalated = (
        client_for(junior)
        .post(f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF, format="json")
        .json()
    )
    url = f"/api/v1/escalations/{escalated['id']}/acknowledge/"

    by_senior = client_for(senior).post(url)
    first = client_for(lead).post(url)
    second = client_for(lead).post(url)

    assert by_senior.status_code == 403
    assert first.status_code == 200
    assert first.json()["acknowledged_by"] == lead.pk
    assert first.json()["acknowledged_on_behalf_of"] is None
    assert second.status_code == 409


def test_adding_the_escalate_tag_by_patch_is_refused(client_for, junior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    response = client_for(junior).patch(
        f"/api/v1/tickets/{ticket.pk}/", {"tags": ["escalate"]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["tags"]
    assert "handoff" in response.json()["tags"][0]
    assert list(ticket.tags.all()) == []


def test_negative_customer_message_escalates_by_rule(
    client_for, junior, lead, queue, customer, pushes, django_capture_on_commit_callbacks
):
    # Given a rule that escalates negative sentiment to the team lead
    target = factories.TargetFactory(team=queue.team, kind="team_lead")
    factories.RuleFactory(team=queue.team, target=target, trigger_kind="sentiment_negative")
    ticket = factories.TicketFactory(
        queue=queue, customer=customer, assignee=junior, customer_sentiment="neutral"
    )

    # When the integration posts an angry customer message
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(junior).post(
            f"/api/v1/tickets/{ticket.pk}/messages/",
            {
                "author_type": "customer",
                "body": "This is awful. I am furious, cancel my account now!",
            },
            format="json",
        )

    # Then the engine escalated it with a summary note and a live push, as from the UI
    assert response.status_code == 201
    assert response.json()["sentiment"] == "negative"
    escalation = Escalation.objects.get()
    assert (escalation.trigger, escalation.to_agent) == ("sentiment_negative", lead)
    assert escalation.summary_note is not None
    assert (f"ticket.{ticket.pk}", "escalation.summary") in pushes


def test_backtest_through_the_real_engine_writes_nothing(client_for, lead, queue):
    rule = factories.RuleFactory(team=queue.team, target=factories.TargetFactory(team=queue.team))

    response = client_for(lead).get(f"/api/v1/rules/{rule.pk}/backtest/?days=30")

    assert response.status_code == 200
    body = response.json()
    assert (body["rule"], body["days"], body["hits"], body["hit_count"]) == (rule.pk, 30, [], 0)
    assert Escalation.objects.count() == 0


def test_backtest_lists_needed_escalations_the_rule_would_miss_hiding_other_teams_comments(
    client_for, lead, queue, other_queue
):
    rule = factories.RuleFactory(team=queue.team, target=factories.TargetFactory(team=queue.team))
    ours = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=queue), rule=rule, trigger="sentiment_negative"
    )
    theirs = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=other_queue), rule=rule, trigger="sentiment_negative"
    )
    for escalation in (ours, theirs):
        factories.EscalationFeedbackFactory(
            escalation=escalation, needed=True, reason="needed_authority", comment="Refund approved"
        )

    body = client_for(lead).get(f"/api/v1/rules/{rule.pk}/backtest/?days=30").json()

    assert body["judged"]["made"] == 0
    assert body["judged"]["unnecessary_count"] == 0
    assert [
        (j["escalation"], j["reason"], j["comment"]) for j in body["judged"]["missed_needed"]
    ] == [
        (ours.pk, "needed_authority", "Refund approved"),
        (theirs.pk, "needed_authority", ""),
    ]


def test_escalate_with_add_tag_tags_the_ticket_in_the_same_escalation(
    client_for, junior, lead, queue, customer
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF | {"add_tag": True}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["trigger"] == "escalate_tag"
    assert list(ticket.tags.values_list("name", flat=True)) == ["escalate"]
