from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # Throttle history lives in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for(db):
    """``client_for(agent)``: an API client authenticated with the agent's token."""

    def make(agent) -> APIClient:
        client = APIClient()
        if agent is not None:
            token, _ = Token.objects.get_or_create(user=agent)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def other_team(db):
    return factories.TeamFactory(name="Billing")


@pytest.fixture
def other_lead(other_team):
    return factories.LeadFactory(username="other-lead", team=other_team)


@pytest.fixture
def other_queue(other_team):
    return factories.QueueFactory(name="Invoices", team=other_team)


@pytest.fixture
def agents(admin_user, lead, senior, junior):
    return {"admin": admin_user, "lead": lead, "senior": senior, "junior": junior}


@pytest.fixture
def fake_engine(monkeypatch):
    """Stands in for the engine's services in ``escalations.services`` (the API's one call
    site per service), recording the calls it receives."""
    from types import SimpleNamespace

    from django.utils import timezone

    from escalations import services as engine
    from escalations.engine.backtest import BacktestJudged
    from escalations.models import Escalation, TriggerKey
    from tickets.models import Note, NoteKind

    calls: dict[str, list] = {"create": [], "acknowledge": [], "backtest": []}

    def create(
        *,
        ticket,
        actor,
        tried,
        diagnosis,
        authority_needed,
        target=None,
        to_agent=None,
        via_tag=False,
    ):
        calls["create"].append(
            {"ticket": ticket.pk, "actor": actor.pk, "target": target, "to_agent": to_agent}
        )
        note = Note.objects.create(
            ticket=ticket, body="Summary", kind=NoteKind.ESCALATION_SUMMARY, pinned=True
        )
        return Escalation.objects.create(
            ticket=ticket,
            trigger=TriggerKey.MANUAL,
            occurrence=f"manual:{len(calls['create'])}:{ticket.pk}",
            initiated_by=actor,
            from_agent=actor,
            to_agent=ticket.queue.team.lead if ticket.queue else None,
            target=target,
            handoff_tried=tried,
            handoff_diagnosis=diagnosis,
            handoff_authority_needed=authority_needed,
            summary_note=note,
            evidence={"kind": "manual"},
        )

    def acknowledge(*, escalation, actor):
        calls["acknowledge"].append({"escalation": escalation.pk, "actor": actor.pk})
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = actor
        escalation.save()
        return escalation

    def backtest(*, rule, days):
        calls["backtest"].append({"rule": rule.pk, "days": days})
        now = timezone.now()
        hit = SimpleNamespace(
            ticket_id=7, subject="Angry", at=now, trigger="sentiment_negative", evidence={"x": 1}
        )
        return SimpleNamespace(
            rule_id=rule.pk,
            days=days,
            window_start=now - timezone.timedelta(days=days),
            window_end=now,
            tickets_evaluated=3,
            hits=[hit],
            judged=BacktestJudged(),
        )

    monkeypatch.setattr(engine, "escalation_create_manual", create)
    monkeypatch.setattr(engine, "escalation_acknowledge", acknowledge)
    monkeypatch.setattr(engine, "rule_backtest", backtest)
    return calls


@pytest.fixture
def world(agents, queue, customer, other_lead, other_queue):
    """One ticket per team plus one configuration row of each kind per team."""
    from escalations.models import AuditEvent, Webhook

    team, other = queue.team, other_queue.team
    ticket = factories.TicketFactory(queue=queue, customer=customer, subject="Mine")
    other_ticket = factories.TicketFactory(queue=other_queue, customer=customer, subject="Theirs")
    target = factories.TargetFactory(team=team, name="Our lead")
    other_target = factories.TargetFactory(team=other, name="Their lead")
    calendar = factories.OpeningHoursFactory(calendar=factories.CalendarFactory(team=team)).calendar
    other_calendar = factories.OpeningHoursFactory(
        calendar=factories.CalendarFactory(team=other)
    ).calendar
    return {
        "team": team,
        "other_team": other,
        "queue": queue,
        "other_queue": other_queue,
        "customer": customer,
        "ticket": ticket,
        "other_ticket": other_ticket,
        "target": target,
        "other_target": other_target,
        "other_spare_target": factories.TargetFactory(team=other, name="Spare"),
        "rule": factories.RuleFactory(team=team, target=target),
        "other_rule": factories.RuleFactory(team=other, target=other_target),
        "calendar": calendar,
        "other_calendar": other_calendar,
        "policy": factories.SLAPolicyFactory(team=team),
        "other_policy": factories.SLAPolicyFactory(team=other),
        "escalation": factories.EscalationFactory(ticket=ticket, to_agent=agents["senior"]),
        "webhook": Webhook.objects.create(
            url="http://127.0.0.1:8299/a", team=team, events=["ticket.created"], secret="s1"
        ),
        "other_webhook": Webhook.objects.create(
            url="http://127.0.0.1:8299/b", team=other, events=["ticket.created"], secret="s2"
        ),
        # A change of the team's configuration: what a lead of the team reads.
        "audit": AuditEvent.objects.create(
            kind="rule.updated", actor_label="someone", after={"team": team.pk}
        ),
        **agents,
        "other_lead": other_lead,
    }
