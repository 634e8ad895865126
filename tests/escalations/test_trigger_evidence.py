"""What each trigger records when it fires (evidence, sentence, occurrence) at the edges: a long
message body, an SLA crossing with its clock, params given as null, a list or text, the facts
read from a stored event, and the trigger values an escalation may carry."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from escalations.currency.rates import RateFact
from escalations.engine.triggers import (
    EXCERPT_CHARS,
    TRIGGERS,
    Firing,
    TriggerEvent,
    escalation_trigger_choices,
    excerpt,
    trigger_event_of,
)
from tickets.models import TicketEvent

from .test_triggers import AT, ctx, evaluate, event, message_event

WORDS = "word " * 60  # 300 characters, a space every fifth


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("short", "short", id="short"),
        pytest.param("  spaced \n\t out  ", "spaced out", id="whitespace-collapsed"),
        pytest.param("x" * EXCERPT_CHARS, "x" * EXCERPT_CHARS, id="exactly-the-limit"),
        pytest.param("x" * (EXCERPT_CHARS + 1), "x" * (EXCERPT_CHARS - 1) + "…", id="one-over"),
        pytest.param(WORDS, ("word " * 40).rstrip() + "…", id="cut-at-a-space"),
    ],
)
def test_excerpt_keeps_at_most_200_characters(text, expected):
    cut = excerpt(text)

    assert cut == expected
    assert len(cut) <= EXCERPT_CHARS


def test_excerpt_limit_is_200_characters():
    assert EXCERPT_CHARS == 200
    assert excerpt("ab cd", limit=4) == "ab…"


def test_a_negative_message_over_200_characters_fires_with_a_200_character_excerpt():
    body = "This is the third time I write. " * 10  # 320 characters
    base = message_event("negative", "neutral")
    ev = event("message_added", base.data, extra={"body": body, "reasons": []})

    firing = evaluate("sentiment_negative", ev)

    expected = body[:199].rstrip() + "…"
    assert firing == Firing(
        trigger="sentiment_negative",
        occurrence="message:812",
        evidence={"message": 812, "excerpt": expected, "score": -0.71, "reasons": []},
        sentence=f"The customer's sentiment turned negative (score -0.71): “{expected}”",
    )
    assert len(firing.evidence["excerpt"]) == 200


def test_sentiment_reasons_fall_back_to_the_events_own():
    base = message_event("negative", "neutral")
    data = {**base.data, "sentiment_reasons": ["all caps"]}

    firing = evaluate("sentiment_negative", event("message_added", data, extra={"body": "NO"}))

    assert firing is not None
    assert firing.evidence["reasons"] == ["all caps"]
    assert (
        firing.sentence == "The customer's sentiment turned negative (score -0.71) (all caps): “NO”"
    )


@pytest.mark.parametrize(
    ("score", "fires"),
    [
        pytest.param(-0.5, True, id="at-max-score"),
        pytest.param(-0.49, False, id="just-above"),
        pytest.param(None, False, id="unscored"),
    ],
)
def test_sentiment_max_score_is_inclusive_and_needs_a_score(score, fires):
    base = message_event("negative", "neutral")
    ev = event("message_added", {**base.data, "sentiment_score": score}, extra=base.extra)

    firing = evaluate("sentiment_negative", ev, {"max_score": -0.5})

    assert (firing is not None) is fires


def test_a_run_firing_says_how_many_messages_and_keeps_the_run_in_the_evidence():
    base = message_event("negative", "negative")
    ev = event("message_added", {**base.data, "negative_run": 2}, extra=base.extra)

    firing = evaluate("sentiment_negative", ev, {"run": 2})

    assert firing == Firing(
        trigger="sentiment_negative",
        occurrence="message:812",
        evidence={
            "message": 812,
            "excerpt": "I want to cancel my account. This is useless.",
            "score": -0.71,
            "reasons": ["churn risk"],
            "run": 2,
        },
        sentence=(
            "The customer's last 2 messages were negative (score -0.71) (churn risk): "
            "“I want to cancel my account. This is useless.”"
        ),
    )


@pytest.mark.parametrize(
    ("key", "metric", "to"),
    [
        pytest.param("frt_amber", "first_response", "amber", id="frt-amber"),
        pytest.param("sla_breach", "next_response", "red", id="breach"),
    ],
)
def test_sla_trigger_evidence_carries_the_clock(key, metric, to):
    data = {"metric": metric, "from": "green", "to": to, "clock": 314}

    firing = evaluate(key, event("sla_state_changed", data, id=78))

    assert firing == Firing(
        trigger=key,
        occurrence="sla:78",
        evidence={"metric": metric, "from": "green", "to": to, "clock": 314},
        sentence=f"The {metric.replace('_', ' ')} SLA clock went from green to {to}.",
    )


def test_a_breach_without_a_metric_still_fires_with_an_empty_metric():
    firing = evaluate("sla_breach", event("sla_state_changed", {"from": "amber", "to": "red"}))

    assert firing is not None
    assert firing.evidence == {"metric": "", "from": "amber", "to": "red"}
    assert firing.sentence == "The  SLA clock went from amber to red."


def test_a_tier_upgrade_without_a_change_id_uses_the_event_id():
    data = {"from": "free", "to": "standard", "upgrade": True}

    firing = evaluate("tier_upgrade", event("tier_changed", data, id=64))

    assert firing is not None
    assert firing.occurrence == "tier:64"


def test_a_refund_without_a_refund_id_uses_the_event_id_and_rounds_to_cents():
    data = {"amount": "700.005", "currency": "USD"}

    firing = evaluate(
        "refund_threshold",
        event("refund_requested", data, id=65),
        {"amount": "500", "currency": "USD"},
    )

    assert firing == Firing(
        trigger="refund_threshold",
        occurrence="refund:65",
        evidence={
            "refund": None,
            "amount": "700.00",
            "currency": "USD",
            "threshold": "500.00",
            "threshold_currency": "USD",
        },
        sentence="A refund of 700.00 USD was requested (threshold 500.00 USD).",
    )


def test_an_escalate_tag_firing_names_the_tag():
    firing = evaluate("escalate_tag", event("tags_changed", {"added": ["vip", "escalate"]}, id=66))

    assert firing == Firing(
        trigger="escalate_tag",
        occurrence="event:66",
        evidence={"tag": "escalate"},
        sentence=(
            "The ticket was tagged 'escalate' without a handoff note (not by the escalate action)."
        ),
    )


def test_a_tags_event_without_added_tags_does_not_fire():
    assert evaluate("escalate_tag", event("tags_changed", {"removed": ["vip"]})) is None


def test_ticket_created_evidence_lists_priority_tier_and_sorted_tags():
    trigger = TRIGGERS.get("ticket_created")
    context = ctx(priority="urgent", tier="premium", tags=frozenset({"vip", "billing"}))

    firing = trigger.evaluate(event("ticket_created", {}), context, {})

    assert firing == Firing(
        trigger="ticket_created",
        occurrence="created:41",
        evidence={"priority": "urgent", "tier": "premium", "tags": ["billing", "vip"]},
        sentence="A new ticket arrived.",
    )


NO_PARAMS = ["sentiment_negative", "frt_amber", "sla_breach", "tier_upgrade", "escalate_tag"]


@pytest.mark.parametrize("key", [*NO_PARAMS, "ticket_created"])
@pytest.mark.parametrize("raw", [None, ""], ids=["null", "empty-text"])
def test_params_given_as_null_or_empty_text_mean_none(key, raw):
    assert TRIGGERS.get(key).clean_params(raw) == {}


@pytest.mark.parametrize("key", TRIGGERS.keys())
@pytest.mark.parametrize(
    "raw", [[], ["run"], "run=2", 3], ids=["empty-list", "list", "text", "number"]
)
def test_params_that_are_not_an_object_are_refused(key, raw):
    with pytest.raises(ValidationError) as raised:
        TRIGGERS.get(key).clean_params(raw)

    assert raised.value.message_dict == {"params": ["Give the parameters as an object."]}


@pytest.mark.parametrize("raw", [None, ""], ids=["null", "empty-text"])
def test_refund_params_given_as_null_name_both_required_params(raw):
    with pytest.raises(ValidationError) as raised:
        TRIGGERS.get("refund_threshold").clean_params(raw)

    assert raised.value.message_dict == {
        "amount": ["Refund threshold is required."],
        "currency": ["Currency is required."],
    }


def stored_event(**overrides) -> TicketEvent:
    values = {
        "pk": 501,
        "kind": "message_added",
        "data": {"message": 9, "sentiment": "negative"},
        "created_at": AT,
        "actor_id": 12,
    }
    values.update(overrides)
    return TicketEvent(**values)


def test_trigger_event_of_copies_the_stored_facts_and_the_message():
    stored = stored_event()
    message = {"body": "Still broken.", "sentiment_reasons": ["churn risk"]}

    ev = trigger_event_of(stored, message)

    assert ev == TriggerEvent(
        id=501,
        kind="message_added",
        data={"message": 9, "sentiment": "negative"},
        created_at=AT,
        actor_id=12,
        extra={"body": "Still broken.", "reasons": ["churn risk"]},
        rates=(),
    )
    assert ev.data is not stored.data


def test_trigger_event_of_without_a_message_or_reasons():
    assert trigger_event_of(stored_event(actor_id=None), None).extra == {}
    assert trigger_event_of(stored_event(), {"body": "Hi", "sentiment_reasons": None}).extra == {
        "body": "Hi",
        "reasons": [],
    }


def test_trigger_event_of_carries_the_refunds_exchange_rates():
    rates = (RateFact("EUR", "USD", Decimal("1.10"), date(2026, 3, 1), team_id=7),)
    stored = stored_event(kind="refund_requested", data={"amount": "10.00", "currency": "EUR"})

    assert trigger_event_of(stored, None, rates).rates == rates


def test_escalation_trigger_choices_are_the_escalation_kinds_then_the_origins():
    assert escalation_trigger_choices() == [
        ("sentiment_negative", "Customer sentiment turned negative"),
        ("frt_amber", "First-response SLA turned amber"),
        ("sla_breach", "SLA breached"),
        ("tier_upgrade", "Customer tier upgraded"),
        ("refund_threshold", "Refund at or over a threshold"),
        ("escalate_tag", "Agent tagged 'escalate'"),
        ("manual", "Manual escalation"),
        ("unacknowledged", "Not acknowledged in time"),
    ]


def test_trigger_event_created_at_is_kept_as_given():
    later = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)

    assert trigger_event_of(stored_event(created_at=later), None).created_at == later


def test_sentiment_without_a_body_quotes_nothing_and_joins_every_reason():
    base = message_event("negative", "neutral")
    ev = event("message_added", base.data, extra={"reasons": ["churn risk", "all caps"]})

    firing = evaluate("sentiment_negative", ev)

    assert firing is not None
    assert firing.evidence["excerpt"] == ""
    assert firing.sentence == (
        "The customer's sentiment turned negative (score -0.71) (churn risk, all caps): “”"
    )


def test_an_upgrade_to_the_same_tier_does_not_fire():
    data = {"from": "premium", "to": "premium", "upgrade": True}

    assert evaluate("tier_upgrade", event("tier_changed", data)) is None


def _run_of_two():
    base = message_event("negative", "negative")
    return event("message_added", {**base.data, "negative_run": 2}, extra=base.extra), {"run": 2}


FIRINGS = {
    "sentiment": lambda: ("sentiment_negative", message_event("negative", "positive"), {}),
    "sentiment-run": lambda: ("sentiment_negative", *_run_of_two()),
    "frt-amber": lambda: (
        "frt_amber",
        event("sla_state_changed", {"metric": "first_response", "from": "green", "to": "amber"}),
        {},
    ),
    "breach": lambda: (
        "sla_breach",
        event("sla_state_changed", {"metric": "resolution", "from": "amber", "to": "red"}),
        {},
    ),
    "tier": lambda: (
        "tier_upgrade",
        event("tier_changed", {"from": "free", "to": "premium", "upgrade": True}),
        {},
    ),
    "refund": lambda: (
        "refund_threshold",
        event("refund_requested", {"refund": 3, "amount": "900.00", "currency": "EUR"}),
        {"amount": "500", "currency": "EUR"},
    ),
    "escalate-tag": lambda: ("escalate_tag", event("tags_changed", {"added": ["escalate"]}), {}),
}


@pytest.mark.parametrize("case", list(FIRINGS))
def test_each_triggers_sentence_is_rebuilt_from_its_evidence_as_stored(case):
    # Given a firing, its evidence as the escalation row stores it (JSON)
    key, ev, params = FIRINGS[case]()
    firing = evaluate(key, ev, params)
    assert firing is not None
    stored = json.loads(json.dumps(firing.evidence))

    # Then the trigger's sentence from the stored evidence is the firing's, word for word
    assert TRIGGERS.get(key).sentence(stored) == firing.sentence
