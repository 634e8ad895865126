"""Lost evaluation tasks are found by their missing receipt and evaluated once, later."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from escalations.engine.evaluate import evaluations_missed_requeue, event_evaluate
from escalations.models import Escalation, EventEvaluation
from tests import factories
from tickets import services as ticket_services
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

ANGRY = "This is unacceptable, I will cancel my account and switch to a competitor."


@pytest.fixture
def angry_rule(lead_target):
    return factories.RuleFactory(
        name="Angry", trigger_kind="sentiment_negative", target=lead_target, cooldown_minutes=0
    )


def _lost_message_event(ticket):
    """A customer message whose evaluation task never ran (the on_commit queue was dropped)."""
    ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
    return TicketEvent.objects.filter(ticket=ticket, kind="message_added").latest("id")


def test_every_evaluation_leaves_a_receipt_even_when_nothing_fires(make_ticket, junior):
    ticket = make_ticket(holder=junior)
    event = TicketEvent.objects.filter(ticket=ticket, kind="message_added").get()

    assert event_evaluate(event_id=event.pk) == []

    assert list(EventEvaluation.objects.values_list("event_id", flat=True)) == [event.pk]


def test_a_lost_evaluation_is_requeued_after_the_grace_period_and_escalates_once(
    make_ticket, junior, lead, angry_rule, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)
    event = _lost_message_event(ticket)
    later = event.created_at + timedelta(seconds=31)

    with django_capture_on_commit_callbacks(execute=True):
        requeued = evaluations_missed_requeue(now=later)

    assert event.pk in requeued
    escalation = Escalation.objects.get()
    assert (escalation.ticket_id, escalation.to_agent_id) == (ticket.pk, lead.pk)
    assert EventEvaluation.objects.filter(event=event).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluations_missed_requeue(now=later) == []
    assert Escalation.objects.count() == 1


def test_events_inside_the_grace_period_or_past_the_horizon_are_left_alone(
    make_ticket, junior, angry_rule, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)
    event = _lost_message_event(ticket)

    with django_capture_on_commit_callbacks(execute=True):
        too_early = evaluations_missed_requeue(now=event.created_at + timedelta(seconds=5))
        too_late = evaluations_missed_requeue(now=event.created_at + timedelta(hours=7))

    assert (too_early, too_late) == ([], [])
    assert Escalation.objects.count() == 0
    assert not EventEvaluation.objects.filter(event=event).exists()


def test_a_failing_evaluation_leaves_no_receipt(make_ticket, junior, angry_rule, monkeypatch):
    ticket = make_ticket(holder=junior)
    event = _lost_message_event(ticket)

    def explode(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("escalations.engine.evaluate.escalation_execute", explode)

    with pytest.raises(RuntimeError):
        event_evaluate(event_id=event.pk)

    assert not EventEvaluation.objects.filter(event=event).exists()


def test_the_missed_events_query_does_not_grow_with_the_number_of_missed_events(
    make_ticket, junior, django_assert_num_queries, monkeypatch
):
    queued: list[tuple] = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kw: queued.append(args))
    for _ in range(3):
        _lost_message_event(make_ticket(holder=junior))
    now = timezone.now() + timedelta(minutes=1)

    with django_assert_num_queries(1):
        missed = evaluations_missed_requeue(now=now)

    assert len(missed) == len(queued) == 9  # created, first message and the angry message of each


def test_catching_up_after_a_start_is_reported_as_info_not_a_warning(
    make_ticket, junior, angry_rule, caplog, django_capture_on_commit_callbacks
):
    event = _lost_message_event(make_ticket(holder=junior))

    with (
        caplog.at_level(logging.INFO, logger="escalations.engine.evaluate"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        requeued = evaluations_missed_requeue(now=event.created_at + timedelta(seconds=31))

    # The ticket's creation, its first message and the lost message had no evaluation.
    assert len(requeued) == 3
    records = [r for r in caplog.records if r.name == "escalations.engine.evaluate"]
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("INFO", "caught up: queued 3 ticket events recorded without an evaluation yet")
    ]
