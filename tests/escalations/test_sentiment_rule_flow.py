"""Customer messages through ``message_add``: languages with no scorer, and sustained runs."""

from __future__ import annotations

import pytest

from escalations.models import Escalation
from tests import factories
from tickets import services as ticket_services
from tickets.models import EventKind, Message, TicketEvent

pytestmark = pytest.mark.django_db

ANGRY = "This is useless. I want to cancel my account."
STILL_ANGRY = "Still nothing. This is the worst service I have ever had."
GERMAN = "Das ist eine Frechheit, ich warte seit drei Wochen auf meine Bestellung!"
CALM = "Thanks, the invoice arrived."


@pytest.fixture
def rule_with(senior_target):
    def make(params: dict | None = None):
        return factories.RuleFactory(
            name="Angry customers",
            trigger_kind="sentiment_negative",
            trigger_params=params or {},
            target=senior_target,
        )

    return make


def say(ticket, body: str, callbacks) -> Message:
    with callbacks(execute=True):
        return ticket_services.message_add(ticket=ticket, author_type="customer", body=body)


def test_a_german_message_is_stored_not_scored_and_escalates_nothing(
    make_ticket, junior, rule_with, django_capture_on_commit_callbacks
):
    # given a ticket with a neutral first message and a sentiment rule
    rule_with()
    ticket = make_ticket(holder=junior)
    # when the customer writes an angry message in German
    message = say(ticket, GERMAN, django_capture_on_commit_callbacks)
    # then it is stored as not scored (de), the ticket's mood is unchanged, nothing escalated
    message.refresh_from_db()
    ticket.refresh_from_db()
    assert (message.sentiment, message.sentiment_language) == ("unscored", "de")
    assert message.sentiment_score is None
    assert message.sentiment_reasons == ["not scored (de)"]
    assert message.sentiment_text == "not scored (de)"
    assert ticket.customer_sentiment == "neutral"
    assert Escalation.objects.count() == 0
    event = TicketEvent.objects.filter(kind=EventKind.MESSAGE_ADDED).latest("id")
    assert (event.data["sentiment"], event.data["sentiment_language"]) == ("unscored", "de")
    assert event.data["negative_run"] == 0


def test_an_english_message_records_its_language(
    make_ticket, junior, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)
    message = say(ticket, ANGRY, django_capture_on_commit_callbacks)
    message.refresh_from_db()
    assert (message.sentiment, message.sentiment_language) == ("negative", "en")


def test_a_run_of_two_fires_on_the_second_negative_message_only(
    make_ticket, junior, rule_with, django_capture_on_commit_callbacks
):
    # given a rule that waits for two negative messages in a row
    rule_with({"run": 2})
    ticket = make_ticket(holder=junior)
    # when the customer writes negative, (German, not scored), negative, negative
    first = say(ticket, ANGRY, django_capture_on_commit_callbacks)
    assert Escalation.objects.count() == 0
    say(ticket, GERMAN, django_capture_on_commit_callbacks)
    second = say(ticket, STILL_ANGRY, django_capture_on_commit_callbacks)
    say(ticket, ANGRY, django_capture_on_commit_callbacks)
    # then exactly one escalation, caused by the second negative message
    escalation = Escalation.objects.get()
    assert escalation.occurrence == f"message:{second.pk}"
    assert escalation.evidence["run"] == 2
    runs = [
        e.data["negative_run"]
        for e in TicketEvent.objects.filter(kind=EventKind.MESSAGE_ADDED).order_by("id")
    ]
    assert runs == [0, 1, 0, 2, 3]
    assert first.pk < second.pk


def test_a_calm_message_breaks_the_run(
    make_ticket, junior, rule_with, django_capture_on_commit_callbacks
):
    # given a rule that waits for two negative messages in a row
    rule_with({"run": 2})
    ticket = make_ticket(holder=junior)
    # when negative, calm, negative
    say(ticket, ANGRY, django_capture_on_commit_callbacks)
    say(ticket, CALM, django_capture_on_commit_callbacks)
    say(ticket, STILL_ANGRY, django_capture_on_commit_callbacks)
    # then nothing escalated
    assert Escalation.objects.count() == 0


def test_the_default_fires_on_the_first_negative_message(
    make_ticket, junior, rule_with, django_capture_on_commit_callbacks
):
    rule_with()
    ticket = make_ticket(holder=junior)
    first = say(ticket, ANGRY, django_capture_on_commit_callbacks)
    say(ticket, STILL_ANGRY, django_capture_on_commit_callbacks)
    assert list(Escalation.objects.values_list("occurrence", flat=True)) == [f"message:{first.pk}"]
