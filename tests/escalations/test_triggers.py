"""Each trigger kind, evaluated purely (no database): fire and no-fire cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.context import TicketContext
from escalations.engine.triggers import (
    TRIGGERS,
    Firing,
    TriggerEvent,
    trigger_event_kinds,
    trigger_kinds_for_event,
)

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def ctx(**overrides) -> TicketContext:
    values = {
        "ticket_id": 41,
        "subject": "Invoice",
        "status": "open",
        "priority": "normal",
        "queue_id": 3,
        "queue_specialist": False,
        "team_id": 7,
        "team_lead_id": 9,
        "assignee_id": 5,
        "customer_id": 2,
        "tier": "standard",
        "tags": frozenset(),
        "customer_sentiment": "negative",
        "escalation_count": 0,
        "created_at": AT,
    }
    values.update(overrides)
    return TicketContext(**values)


def event(kind: str, data: dict, *, id: int = 900, extra: dict | None = None) -> TriggerEvent:
    return TriggerEvent(id=id, kind=kind, data=data, created_at=AT, extra=extra or {})


def evaluate(key: str, ev: TriggerEvent, params: dict | None = None) -> Firing | None:
    trigger = TRIGGERS.get(key)
    return trigger.evaluate(ev, ctx(), trigger.clean_params(params or {}))


def message_event(sentiment: str, previous: str, author: str = "customer") -> TriggerEvent:
    return event(
        "message_added",
        {
            "message": 812,
            "author_type": author,
            "sentiment": sentiment,
            "sentiment_score": -0.71,
            "previous_sentiment": previous,
        },
        extra={
            "body": "I want to cancel my account.   This is useless.",
            "reasons": ["churn risk"],
        },
    )


def test_registry_lists_the_trigger_kinds_and_what_they_listen_to():
    assert TRIGGERS.keys() == [
        "sentiment_negative",
        "frt_amber",
        "sla_breach",
        "tier_upgrade",
        "refund_threshold",
        "escalate_tag",
        "ticket_created",
    ]
    assert trigger_kinds_for_event("sla_state_changed") == ["frt_amber", "sla_breach"]
    assert trigger_event_kinds() == {
        "message_added",
        "sla_state_changed",
        "tier_changed",
        "refund_requested",
        "tags_changed",
        "ticket_created",
    }


def test_sentiment_fires_when_it_turns_negative_with_evidence():
    firing = evaluate("sentiment_negative", message_event("negative", "neutral"))

    assert firing == Firing(
        trigger="sentiment_negative",
        occurrence="message:812",
        evidence={
            "message": 812,
            "excerpt": "I want to cancel my account. This is useless.",
            "score": -0.71,
            "reasons": ["churn risk"],
        },
        sentence=(
            "The customer's sentiment turned negative (score -0.71) (churn risk): "
            "“I want to cancel my account. This is useless.”"
        ),
    )


@pytest.mark.parametrize(
    ("sentiment", "previous", "author"),
    [
        pytest.param("negative", "negative", "customer", id="staying-negative"),
        pytest.param("neutral", "negative", "customer", id="recovering"),
        pytest.param("positive", "unknown", "customer", id="positive"),
        pytest.param("negative", "neutral", "agent", id="agent-message"),
    ],
)
def test_sentiment_does_not_fire(sentiment, previous, author):
    assert evaluate("sentiment_negative", message_event(sentiment, previous, author)) is None


@pytest.mark.parametrize(
    ("key", "metric", "to", "fires"),
    [
        pytest.param("frt_amber", "first_response", "amber", True, id="frt-amber"),
        pytest.param("frt_amber", "resolution", "amber", False, id="frt-other-metric"),
        pytest.param("frt_amber", "first_response", "red", False, id="frt-red-is-not-amber"),
        pytest.param("sla_breach", "resolution", "red", True, id="breach-resolution"),
        pytest.param("sla_breach", "first_response", "red", True, id="breach-frt"),
        pytest.param("sla_breach", "first_response", "amber", False, id="breach-amber"),
    ],
)
def test_sla_triggers(key, metric, to, fires):
    ev = event("sla_state_changed", {"metric": metric, "from": "green", "to": to}, id=77)

    firing = evaluate(key, ev)

    if fires:
        assert firing is not None
        assert firing.occurrence == "sla:77"
        assert firing.evidence == {"metric": metric, "from": "green", "to": to}
        assert (
            firing.sentence == f"The {metric.replace('_', ' ')} SLA clock went from green to {to}."
        )
    else:
        assert firing is None


@pytest.mark.parametrize(
    ("data", "fires"),
    [
        pytest.param({"from": "standard", "to": "premium", "upgrade": True}, True, id="upgrade"),
        pytest.param({"from": "premium", "to": "free", "upgrade": False}, False, id="downgrade"),
        pytest.param({"from": "premium", "to": "premium", "upgrade": False}, False, id="same"),
    ],
)
def test_tier_upgrade(data, fires):
    firing = evaluate("tier_upgrade", event("tier_changed", {**data, "tier_change": 31}))

    if fires:
        assert firing == Firing(
            trigger="tier_upgrade",
            occurrence="tier:31",
            evidence={"from": "standard", "to": "premium"},
            sentence="The customer's tier was upgraded from standard to premium.",
        )
    else:
        assert firing is None


@pytest.mark.parametrize(
    ("amount", "currency", "fires"),
    [
        pytest.param("499.99", "USD", False, id="below"),
        pytest.param("500.00", "USD", True, id="at"),
        pytest.param("1200.00", "USD", True, id="above"),
        pytest.param("9000.00", "EUR", False, id="other-currency-without-rate-never-compares"),
    ],
)
def test_refund_threshold(amount, currency, fires):
    ev = event("refund_requested", {"refund": 12, "amount": amount, "currency": currency})

    firing = evaluate("refund_threshold", ev, {"amount": "500", "currency": "USD"})

    if fires:
        assert firing is not None
        assert firing.occurrence == "refund:12"
        assert firing.evidence == {
            "refund": 12,
            "amount": amount,
            "currency": "USD",
            "threshold": "500.00",
            "threshold_currency": "USD",
        }
    else:
        assert firing is None


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        pytest.param(
            {},
            {
                "amount": ["Refund threshold is required."],
                "currency": ["Currency is required."],
            },
            id="missing",
        ),
        pytest.param(
            {"amount": "-3", "currency": "USD"},
            {
                "amount": [
                    "Give an amount from 0.01 to 999999999.99, with at most two decimals (e.g. 500.00)."
                ]
            },
            id="negative",
        ),
        pytest.param(
            {"amount": "abc", "currency": "USD"},
            {
                "amount": [
                    "Give an amount from 0.01 to 999999999.99, with at most two decimals (e.g. 500.00)."
                ]
            },
            id="not-decimal",
        ),
        pytest.param(
            {"amount": "10", "currency": "XYZ"},
            {"currency": ["'XYZ' is not an ISO 4217 currency code (e.g. EUR, USD)."]},
            id="bad-currency",
        ),
        pytest.param(
            {"amount": "10", "currency": "USD", "x": 1},
            {"x": ["refund_threshold takes no parameter 'x'."]},
            id="unknown",
        ),
    ],
)
def test_refund_params_are_validated_by_name(params, errors):
    with pytest.raises(ValidationError) as exc:
        TRIGGERS.get("refund_threshold").clean_params(params)
    assert exc.value.message_dict == errors


def test_triggers_without_params_refuse_params():
    with pytest.raises(ValidationError) as exc:
        TRIGGERS.get("frt_amber").clean_params({"percent": 50})
    assert exc.value.message_dict == {"percent": ["frt_amber takes no parameter 'percent'."]}


@pytest.mark.parametrize(
    ("data", "fires"),
    [
        pytest.param({"added": ["escalate"], "removed": []}, True, id="added"),
        pytest.param({"added": ["vip"], "removed": ["escalate"]}, False, id="removed"),
        pytest.param(
            {"added": ["escalate"], "removed": [], "handoff": True},
            False,
            id="handoff-service-did-it",
        ),
    ],
)
def test_escalate_tag(data, fires):
    firing = evaluate("escalate_tag", event("tags_changed", data, id=55))

    assert (firing.occurrence if firing else None) == ("event:55" if fires else None)


def test_ticket_created_is_a_routing_trigger():
    trigger = TRIGGERS.get("ticket_created")

    firing = trigger.evaluate(event("ticket_created", {}), ctx(priority="urgent"), {})

    assert trigger.rule_kind == "routing"
    assert firing is not None
    assert firing.occurrence == "created:41"


@pytest.mark.parametrize(
    ("max_score", "fires"),
    [pytest.param(-0.5, True, id="strong-enough"), pytest.param(-0.8, False, id="too-mild")],
)
def test_sentiment_optional_max_score(max_score, fires):
    firing = evaluate(
        "sentiment_negative", message_event("negative", "neutral"), {"max_score": max_score}
    )

    assert (firing is not None) is fires


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        pytest.param(
            {"max_score": 0.5}, {"max_score": ["Give a number from -1 to 0."]}, id="positive"
        ),
        pytest.param(
            {"max_score": "low"}, {"max_score": ["Give a number from -1 to 0."]}, id="text"
        ),
        pytest.param(
            {"min": 1}, {"min": ["sentiment_negative takes no parameter 'min'."]}, id="unknown"
        ),
    ],
)
def test_sentiment_params_are_validated(params, errors):
    with pytest.raises(ValidationError) as exc:
        TRIGGERS.get("sentiment_negative").clean_params(params)
    assert exc.value.message_dict == errors


def run_event(negative_run: int, previous: str = "negative") -> TriggerEvent:
    base = message_event("negative", previous)
    return event("message_added", {**base.data, "negative_run": negative_run}, extra=base.extra)


@pytest.mark.parametrize(
    ("run", "negative_run", "previous", "fires"),
    [
        pytest.param(None, 1, "neutral", True, id="default-first-negative"),
        pytest.param(None, 2, "negative", False, id="default-already-negative"),
        pytest.param(1, 1, "neutral", True, id="run-1-is-the-default"),
        pytest.param(3, 2, "negative", False, id="run-3-not-yet"),
        pytest.param(3, 3, "negative", True, id="run-3-reached"),
        pytest.param(3, 4, "negative", False, id="run-3-fires-once"),
    ],
)
def test_sentiment_run_parameter(run, negative_run, previous, fires):
    params = {} if run is None else {"run": run}
    firing = evaluate("sentiment_negative", run_event(negative_run, previous), params)
    assert (firing is not None) == fires
    if fires and run == 3:
        assert firing.evidence["run"] == 3
        assert firing.sentence.startswith("The customer's last 3 messages were negative")


def test_sentiment_run_without_a_recorded_run_does_not_fire():
    # an event stored before runs were recorded (no "negative_run") never completes a run
    assert evaluate("sentiment_negative", message_event("negative", "negative"), {"run": 2}) is None


@pytest.mark.parametrize(
    ("params", "cleaned"),
    [
        pytest.param({"run": 1}, {"run": 1}, id="run-1-the-default-spelled-out"),
        pytest.param({"run": 10}, {"run": 10}, id="max"),
        pytest.param({"run": 2, "max_score": -0.5}, {"run": 2, "max_score": -0.5}, id="both"),
    ],
)
def test_sentiment_run_params_clean(params, cleaned):
    assert TRIGGERS.get("sentiment_negative").clean_params(params) == cleaned


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(0, id="zero"),
        pytest.param(11, id="over-max"),
        pytest.param(True, id="bool"),
        pytest.param("2", id="string"),
        pytest.param(2.5, id="fraction"),
    ],
)
def test_sentiment_run_params_refused_naming_run(run):
    with pytest.raises(ValidationError) as raised:
        TRIGGERS.get("sentiment_negative").clean_params({"run": run})
    assert raised.value.message_dict == {"run": ["Give a whole number from 1 to 10."]}


def test_sentiment_help_states_what_counts_as_a_turn():
    trigger = TRIGGERS.get("sentiment_negative")
    assert "the first negative customer message after non-negative ones" in trigger.description
    assert "fires on the Nth negative customer message in a row" in trigger.description
    run = next(p for p in trigger.params.params if p.name == "run")
    assert (run.minimum, run.maximum, run.json_schema()["type"]) == (1, 10, "integer")
