"""Rule preview: the backtest, the team's escalation rate before/after, links; writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.html import escape

from escalations.engine.backtest import BacktestJudged, JudgedEscalation
from escalations.models import Rule
from tests import factories

from .conftest import rule_post_data


@dataclass
class FakeHit:
    ticket_id: int
    subject: str
    at: datetime
    trigger: str = "sentiment_negative"
    evidence: dict[str, Any] = field(default_factory=dict)
    sentence: str = ""


@dataclass
class FakeBacktest:
    rule_id: int | None
    days: int
    window_start: datetime
    window_end: datetime
    tickets_evaluated: int
    hits: list[FakeHit]
    judged: BacktestJudged = field(default_factory=BacktestJudged)


@pytest.fixture
def team_activity(team_a, queue_a, rule_a):
    """Four tickets handled by team A in the window; two already escalated (one by rule A)."""
    tickets = [factories.TicketFactory(queue=queue_a, subject=f"Ticket {i}") for i in range(4)]
    for ticket in tickets:
        ticket.events.create(kind="ticket_created")
    factories.EscalationFactory(ticket=tickets[0], rule=rule_a, trigger="sentiment_negative")
    factories.EscalationFactory(ticket=tickets[1])
    other_team_ticket = factories.TicketFactory(subject="Bravo secret")
    other_team_ticket.events.create(kind="ticket_created")
    factories.EscalationFactory(ticket=other_team_ticket)
    return [*tickets, other_team_ticket]


@pytest.fixture
def backtest_calls(monkeypatch, team_activity):
    """The engine's backtest stood in for by chosen hits, to check the rate arithmetic exactly."""
    calls: list[tuple[Rule, int]] = []

    def fake_backtest(*, rule, days):
        calls.append((rule, days))
        now = timezone.now()
        hits = [FakeHit(t.pk, t.subject, now) for t in (team_activity[0], *team_activity[2:])]
        # team_activity[4] is another team's ticket: counted apart, shown without subject.
        return FakeBacktest(
            rule.pk, days, now - timedelta(days=days), now + timedelta(minutes=1), 4, hits
        )

    monkeypatch.setattr("escalations.admin.selectors.rule_backtest", fake_backtest)
    return calls


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_preview_of_saved_rule_shows_hits_rate_and_links(
    client, lead_a, rule_a, team_activity, backtest_calls
):
    # Given lead A and a saved rule
    client.force_login(lead_a)

    # When the preview opens for 14 days
    response = client.get(f"/admin/escalations/rule/{rule_a.pk}/preview/?days=14")

    # Then the backtest ran once for that rule and window
    assert response.status_code == 200
    assert [(rule.pk, days) for rule, days in backtest_calls] == [(rule_a.pk, 14)]
    preview = response.context["preview"]
    assert (len(preview.hits), preview.team_hits, preview.other_team_hits) == (4, 3, 1)
    # 4 team tickets; 2 escalations now; rule A's own 1 replaced by its 3 hits on them.
    assert (
        preview.team_tickets_handled,
        preview.escalations_before,
        preview.escalations_after,
    ) == (4, 2, 4)
    assert (preview.rate_before, preview.rate_after) == (0.5, 1.0)
    html = response.content.decode()
    for ticket in (team_activity[0], team_activity[2], team_activity[3]):
        assert f'<a href="/tickets/{ticket.pk}/">#{ticket.pk} {ticket.subject}</a>' in html
    assert f'href="/tickets/{team_activity[1].pk}/"' not in html
    assert f"<td>#{team_activity[4].pk} (another team's ticket)</td>" in html
    assert "Bravo secret" not in html
    assert "4</strong> would have been escalated, 1 of them another team's." in html
    assert "50%" in html
    assert "100%" in html


def test_preview_writes_nothing(client, lead_a, rule_a, backtest_calls):
    # Given the row count of every table
    client.force_login(lead_a)
    before = table_counts()

    # When the saved rule and unsaved edits are previewed
    saved = client.get(f"/admin/escalations/rule/{rule_a.pk}/preview/")
    edited = client.post(
        f"/admin/escalations/rule/{rule_a.pk}/preview/",
        rule_post_data(name="Renamed", team=lead_a.team_id, target=rule_a.target_id, enabled=""),
    )

    # Then both pages rendered and no table changed
    assert (saved.status_code, edited.status_code) == (200, 200)
    assert len(backtest_calls) == 2
    assert table_counts() == before
    rule_a.refresh_from_db()
    assert (rule_a.name, rule_a.enabled) == ("Angry customers", True)


def test_preview_of_unsaved_edits_uses_the_posted_values(client, lead_a, target_a, backtest_calls):
    # Given a new refund rule that was never saved
    client.force_login(lead_a)
    data = rule_post_data(
        name="Refund draft",
        team=lead_a.team_id,
        target=target_a.pk,
        trigger_kind="refund_threshold",
        preview_days="7",
        **{"tp__refund_threshold__amount": "900", "tp__refund_threshold__currency": "GBP"},
    )

    # When it is previewed
    response = client.post("/admin/escalations/rule/preview/", data)

    # Then the backtest got the unsaved rule with the cleaned params, and nothing was saved
    assert response.status_code == 200
    [(rule, days)] = backtest_calls
    assert (rule.pk, rule.name, rule.trigger_params, days) == (
        None,
        "Refund draft",
        {"amount": "900.00", "currency": "GBP"},
        7,
    )
    assert response.context["preview"].escalations_after == 2 + 3
    assert Rule.objects.filter(name="Refund draft").count() == 0


def test_preview_of_invalid_edits_lists_the_errors(client, lead_a, backtest_calls):
    client.force_login(lead_a)

    response = client.post(
        "/admin/escalations/rule/preview/",
        rule_post_data(team=lead_a.team_id, trigger_kind="refund_threshold"),
    )

    assert response.status_code == 200
    assert backtest_calls == []
    assert response.context["form_errors"]["target"] == ["An escalation rule needs a target."]
    assert "Refund threshold is required." in response.content.decode()


def test_lead_b_cannot_preview_team_a_edits(client, lead_b, rule_a, backtest_calls):
    client.force_login(lead_b)

    response = client.post(f"/admin/escalations/rule/{rule_a.pk}/preview/", rule_post_data())

    assert response.status_code == 302
    assert backtest_calls == []


def test_change_form_links_to_the_preview(client, lead_a, rule_a):
    client.force_login(lead_a)

    html = client.get(f"/admin/escalations/rule/{rule_a.pk}/change/").content.decode()

    assert f'href="/admin/escalations/rule/{rule_a.pk}/preview/"' in html
    assert f'formaction="/admin/escalations/rule/{rule_a.pk}/preview/"' in html


# --- The engine's real backtest ---------------------------------------------------------------
def negative_message(ticket, *, sentiment="negative"):
    message = factories.MessageFactory(ticket=ticket, body="This is useless, I want a refund")
    return ticket.events.create(
        kind="message_added",
        data={
            "message": message.pk,
            "author_type": "customer",
            "sentiment": sentiment,
            "sentiment_score": -0.7 if sentiment == "negative" else 0.5,
            "previous_sentiment": "neutral",
            "first_response": False,
        },
    )


@pytest.fixture
def history(team_b, queue_a):
    """Team A: one negative and one positive message; team B: one negative message."""
    angry = factories.TicketFactory(queue=queue_a, subject="Angry one")
    calm = factories.TicketFactory(queue=queue_a, subject="Calm one")
    other = factories.TicketFactory(
        queue=factories.QueueFactory(name="Bravo queue", team=team_b), subject="Bravo secret"
    )
    negative_message(angry)
    negative_message(calm, sentiment="positive")
    negative_message(other)
    return angry, calm, other


def test_preview_runs_the_engine_backtest_and_writes_nothing(client, lead_a, rule_a, history):
    # Given a sentiment rule of team A and a week of messages
    angry, _calm, _other = history
    client.force_login(lead_a)
    before = table_counts()

    # When lead A previews it
    response = client.get(f"/admin/escalations/rule/{rule_a.pk}/preview/?days=7")

    # Then team A's angry ticket is the one hit, as a link; team B's ticket is not the rule's
    preview = response.context["preview"]
    assert [(h.ticket_id, h.visible) for h in preview.hits] == [(angry.pk, True)]
    assert (preview.team_hits, preview.team_tickets_handled) == (1, 2)
    assert (preview.escalations_before, preview.escalations_after) == (0, 1)
    html = response.content.decode()
    assert f'<a href="/tickets/{angry.pk}/">#{angry.pk} Angry one</a>' in html
    assert "Bravo secret" not in html
    assert table_counts() == before
    # And the hit reads in words: the trigger's label and what changed (the sentence already
    # quotes the customer and gives the score, so they are not repeated); never the stored key
    # or evidence dict
    (hit,) = preview.hits
    assert "<td>Customer sentiment turned negative</td>" in html
    assert hit.sentence
    assert f"<div>{escape(hit.sentence)}</div>" in html
    assert html.count("Customer wrote") == 0
    assert "sentiment_negative" not in html
    assert "{&#x27;" not in html


def test_a_hit_without_a_sentence_shows_the_labelled_evidence(
    client, lead_a, rule_a, queue_a, monkeypatch
):
    ticket = factories.TicketFactory(queue=queue_a, subject="Old refund")
    hit = FakeHit(
        ticket.pk,
        ticket.subject,
        timezone.now(),
        trigger="refund_threshold",
        evidence={"amount": "750.00", "currency": "EUR", "threshold": "500.00"},
    )
    now = timezone.now()
    monkeypatch.setattr(
        "escalations.admin.selectors.rule_backtest",
        lambda *, rule, days: FakeBacktest(
            rule.pk, days, now - timedelta(days=days), now, 1, [hit]
        ),
    )
    client.force_login(lead_a)
    html = client.get(f"/admin/escalations/rule/{rule_a.pk}/preview/").content.decode()
    assert "<td>Refund at or over a threshold</td>" in html
    assert "<div><strong>Refund:</strong> 750.00 EUR (threshold 500.00 EUR)</div>" in html


def test_preview_shows_what_receivers_said_hiding_other_teams_comments(
    client, lead_a, rule_a, team_activity, monkeypatch
):
    # Given a backtest whose hits include one escalation judged unnecessary (team A's ticket) and
    # which misses one judged needed (another team's ticket)
    now = timezone.now()
    ours, theirs = team_activity[0], team_activity[4]
    judged = BacktestJudged(
        made=3,
        judged=2,
        needed=1,
        unnecessary=[JudgedEscalation(11, ours.pk, now, False, "first_level", "A reset would do")],
        missed_needed=[JudgedEscalation(12, theirs.pk, now, True, "needed_authority", "Secret")],
    )
    hits = [FakeHit(t.pk, t.subject, now) for t in team_activity[:4]]
    monkeypatch.setattr(
        "escalations.admin.selectors.rule_backtest",
        lambda *, rule, days: FakeBacktest(rule.pk, days, now, now, 4, hits, judged),
    )
    client.force_login(lead_a)

    # When the preview opens
    html = client.get(f"/admin/escalations/rule/{rule_a.pk}/preview/").content.decode()

    # Then the figures and both lists are there, the other team's comment is not
    assert '<strong id="kd-judged-needed">1</strong> judged needed' in html
    assert '<strong id="kd-judged-unnecessary">1</strong> judged unnecessary' in html
    assert '<strong id="kd-missed-needed">1</strong> escalation of this rule' in html
    assert f'<td><a href="/tickets/{ours.pk}/">#{ours.pk}</a></td>' in html
    assert "<td>Could have been solved at first level</td><td>A reset would do</td>" in html
    assert f"<td>#{theirs.pk} (another team's ticket)</td>" in html
    assert "<td>Needed authority I have</td><td></td>" in html
    assert "Secret" not in html
