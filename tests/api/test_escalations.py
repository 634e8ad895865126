"""Escalation endpoints: manual escalation, acknowledgement, reads and filters."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalations import services as engine
from escalations.exceptions import EscalationConflict
from escalations.models import Escalation
from tests import factories
from tickets.models import Note

pytestmark = pytest.mark.django_db

HANDOFF = {"tried": "Cleared cache", "diagnosis": "Billing bug", "authority_needed": "Refund > 500"}


def test_escalate_creates_the_escalation_through_the_engine(
    client_for, junior, lead, queue, customer, fake_engine
):
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    target = factories.TargetFactory(team=queue.team)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF | {"target": target.pk}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert fake_engine["create"] == [
        {"ticket": ticket.pk, "actor": junior.pk, "target": target, "to_agent": None}
    ]
    assert body["ticket"] == ticket.pk
    assert body["trigger"] == "manual"
    assert body["to_agent"] == lead.pk
    assert body["target"] == target.pk
    assert body["handoff"] == {
        "tried": "Cleared cache",
        "diagnosis": "Billing bug",
        "authority_needed": "Refund > 500",
        "complete": True,
    }
    assert body["summary_note"]["kind"] == "escalation_summary"
    assert body["summary_note"]["pinned"] is True


@pytest.mark.parametrize("blank", ["tried", "diagnosis", "authority_needed"])
def test_escalate_needs_every_part_of_the_handoff(
    client_for, junior, queue, customer, fake_engine, blank
):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF | {blank: "   "}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == [blank]
    assert fake_engine["create"] == []
    assert Escalation.objects.count() == 0


def test_escalate_engine_validation_error_is_a_400_naming_the_field(
    client_for, junior, queue, customer, monkeypatch
):
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    def refuse(**kwargs):
        raise ValidationError({"target": ["That target belongs to another team."]})

    monkeypatch.setattr(engine, "escalation_create_manual", refuse)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"target": ["That target belongs to another team."]}


def test_engine_state_conflict_is_a_409(client_for, junior, queue, customer, monkeypatch):
    # Given the engine refuses with its conflict exception (nowhere to escalate)
    ticket = factories.TicketFactory(queue=queue, customer=customer)

    def conflict(**kwargs):
        raise EscalationConflict("Nowhere to escalate: the team has no lead.")

    monkeypatch.setattr(engine, "escalation_create_manual", conflict)

    response = client_for(junior).post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", HANDOFF, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "Nowhere to escalate: the team has no lead."}


def test_acknowledge_by_the_receiver(client_for, senior, queue, customer, fake_engine):
    escalation = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=queue, customer=customer), to_agent=senior
    )

    response = client_for(senior).post(f"/api/v1/escalations/{escalation.pk}/acknowledge/")

    assert response.status_code == 200
    assert response.json()["acknowledged_by"] == senior.pk
    assert fake_engine["acknowledge"] == [{"escalation": escalation.pk, "actor": senior.pk}]


def test_acknowledge_refused_by_the_engine_is_a_403(
    client_for, junior, queue, customer, monkeypatch
):
    escalation = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=queue, customer=customer)
    )

    def refuse(**kwargs):
        raise PermissionDenied("Only the receiver acknowledges.")

    monkeypatch.setattr(engine, "escalation_acknowledge", refuse)

    response = client_for(junior).post(f"/api/v1/escalations/{escalation.pk}/acknowledge/")

    assert response.status_code == 403
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_escalations_of_other_teams_are_not_found(
    client_for, junior, other_queue, customer, fake_engine
):
    escalation = factories.EscalationFactory(
        ticket=factories.TicketFactory(queue=other_queue, customer=customer)
    )
    client = client_for(junior)

    assert client.get(f"/api/v1/escalations/{escalation.pk}/").status_code == 404
    assert client.post(f"/api/v1/escalations/{escalation.pk}/acknowledge/").status_code == 404
    assert client.get("/api/v1/escalations/").json()["count"] == 0
    assert fake_engine["acknowledge"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("trigger=sentiment_negative", ["rule"], id="trigger"),
        pytest.param("trigger=manual", ["manual", "acked"], id="trigger-manual"),
        pytest.param("ticket={first_ticket}", ["manual", "rule"], id="ticket"),
        pytest.param("rule={rule}", ["rule"], id="rule"),
        pytest.param("to_agent={senior}", ["rule"], id="to-agent"),
        pytest.param("from_agent={junior}", ["manual"], id="from-agent"),
        pytest.param("acknowledged=true", ["acked"], id="acknowledged"),
        pytest.param(
            "created_after=2000-01-01T00:00:00Z", ["manual", "rule", "acked"], id="created-after"
        ),
        pytest.param("created_before=2000-01-01T00:00:00Z", [], id="created-before"),
    ],
)
def test_escalation_filters(client_for, junior, senior, queue, customer, query, expected):
    from django.utils import timezone

    first = factories.TicketFactory(queue=queue, customer=customer)
    second = factories.TicketFactory(queue=queue, customer=customer)
    rule = factories.RuleFactory(team=queue.team)
    rows = {
        "manual": factories.EscalationFactory(ticket=first, from_agent=junior),
        "rule": factories.EscalationFactory(
            ticket=first, rule=rule, trigger="sentiment_negative", to_agent=senior
        ),
        "acked": factories.EscalationFactory(ticket=second, acknowledged_at=timezone.now()),
    }
    url = "/api/v1/escalations/?" + query.format(
        first_ticket=first.pk, rule=rule.pk, senior=senior.pk, junior=junior.pk
    )

    response = client_for(junior).get(url)

    assert response.status_code == 200
    assert sorted(e["id"] for e in response.json()["results"]) == sorted(
        rows[n].pk for n in expected
    )


def test_escalation_read_shape(client_for, junior, queue, customer):
    ticket = factories.TicketFactory(queue=queue, customer=customer)
    note = Note.objects.create(
        ticket=ticket, body="Summary", kind="escalation_summary", pinned=True
    )
    escalation = factories.EscalationFactory(
        ticket=ticket,
        summary_note=note,
        evidence={"message": 3, "compound": -0.8},
        sla_snapshot={"state": "amber"},
        handoff_tried="a",
    )

    body = client_for(junior).get(f"/api/v1/escalations/{escalation.pk}/").json()

    assert body["evidence"] == {"message": 3, "compound": -0.8}
    assert body["sla"] == {"state": "amber"}
    assert body["handoff"] == {
        "tried": "a",
        "diagnosis": "",
        "authority_needed": "",
        "complete": False,
    }
    assert body["summary_note"]["id"] == note.pk
    assert set(body) >= {
        "ticket",
        "trigger",
        "rule",
        "from_agent",
        "to_agent",
        "to_queue",
        "target",
        "created_at",
    }


def test_backtest_returns_the_engine_result(client_for, junior, queue, fake_engine):
    rule = factories.RuleFactory(team=queue.team)

    response = client_for(junior).get(f"/api/v1/rules/{rule.pk}/backtest/?days=14")

    assert response.status_code == 200
    body = response.json()
    assert (body["rule"], body["days"], body["tickets_evaluated"], body["hit_count"]) == (
        rule.pk,
        14,
        3,
        1,
    )
    assert body["hits"][0]["ticket"] == 7
    assert fake_engine["backtest"] == [{"rule": rule.pk, "days": 14}]


@pytest.mark.parametrize("days", ["0", "367", "week"])
def test_backtest_days_out_of_range_is_a_400(client_for, junior, queue, fake_engine, days):
    rule = factories.RuleFactory(team=queue.team)

    response = client_for(junior).get(f"/api/v1/rules/{rule.pk}/backtest/?days={days}")

    assert response.status_code == 400
    assert list(response.json()) == ["days"]
    assert fake_engine["backtest"] == []
