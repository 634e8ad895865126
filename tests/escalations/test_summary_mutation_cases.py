"""The pinned summary (``escalations/engine/summary.py``, pure): the cases a mutation run of the
module showed unguarded. The broader behaviour is in ``test_summary_text.py``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from escalations.engine.summary import (
    EscalationSummary,
    Handoff,
    duration_words,
    escalation_summary_build,
    escalation_summary_text,
    sla_words,
)

BASE = {
    "trigger": "manual",
    "trigger_label": "Manual escalation",
    "sentence": "Ann escalated the ticket.",
    "evidence": {},
    "route_from": "Ann",
    "route_to": "Lee",
    "route_by": "Ann",
    "rule_fired": False,
    "route_notes": [],
    "handoff": None,
    "handoff_author": "Ann",
    "handoff_is_earlier": False,
    "last_customer_excerpt": "",
    "sla": {},
}


def build(**changes) -> EscalationSummary:
    return escalation_summary_build(**{**BASE, **changes})


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        pytest.param(0, "under 1 min", id="zero"),
        pytest.param(59.9, "under 1 min", id="just-under-a-minute"),
        pytest.param(60, "1 min", id="one-minute"),
        pytest.param(3599, "59 min", id="just-under-an-hour"),
        pytest.param(3660, "1 h 1 min", id="hour-and-minute"),
        pytest.param(86399, "23 h 59 min", id="just-under-a-day"),
        pytest.param(86400, "1 d 0 h", id="one-day"),
        pytest.param(2 * 86400 + 4 * 3600 + 59 * 60, "2 d 4 h", id="days-drop-minutes"),
        pytest.param(-754, "12 min", id="negative-counts-its-size"),
        pytest.param(-90000, "1 d 1 h", id="negative-day"),
    ],
)
def test_duration_words(seconds, words):
    assert duration_words(seconds) == words


@pytest.mark.parametrize(
    ("sla", "words"),
    [
        pytest.param({}, "SLA: no clock is running.", id="no-clock"),
        pytest.param({"state": ""}, "SLA: no clock is running.", id="blank-state"),
        pytest.param({"state": "green"}, "SLA: first response green.", id="default-metric"),
        pytest.param(
            {"state": "amber", "metric": None}, "SLA: first response amber.", id="metric-none"
        ),
        pytest.param(
            {"state": "red", "metric": "next_response"}, "SLA: next response red.", id="metric"
        ),
        pytest.param(
            {"state": "green", "remaining_seconds": 0},
            "SLA: first response green, under 1 min of working time left.",
            id="zero-left",
        ),
        pytest.param(
            {"state": "red", "remaining_seconds": -1},
            "SLA: first response red, overdue by under 1 min of working time.",
            id="one-second-overdue",
        ),
        pytest.param(
            {"state": "green", "remaining_seconds": 3660.5},
            "SLA: first response green, 1 h 1 min of working time left.",
            id="float-left",
        ),
        pytest.param(
            {"state": "green", "remaining_seconds": "3600"},
            "SLA: first response green.",
            id="remaining-not-a-number",
        ),
        pytest.param(
            {"state": "green", "remaining_seconds": None},
            "SLA: first response green.",
            id="remaining-none",
        ),
        pytest.param(
            {"state": "green", "due_at": ""}, "SLA: first response green.", id="due-blank"
        ),
        pytest.param(
            {"state": "green", "due_at": 5}, "SLA: first response green.", id="due-not-a-time"
        ),
    ],
)
def test_sla_words(sla, words):
    assert sla_words(sla) == words


def test_sla_words_gives_the_due_time_in_its_own_zone():
    tokyo = timezone(timedelta(hours=9), "JST")
    due = datetime(2026, 3, 2, 20, 0, tzinfo=tokyo)

    assert sla_words({"state": "amber", "due_at": due, "remaining_seconds": 600}) == (
        "SLA: first response amber, due 2026-03-02 20:00 JST, 10 min of working time left."
    )


def test_sla_words_gives_the_due_time_in_the_teams_zone_when_there_is_one():
    due = "2026-03-02T11:00:00+00:00"
    sla = {"state": "green", "due_at": due, "remaining_seconds": 60}

    assert sla_words(sla, ZoneInfo("Europe/Berlin")) == (
        "SLA: first response green, due 2026-03-02 12:00 CET, 1 min of working time left."
    )
    assert sla_words(sla, None) == (
        "SLA: first response green, due 2026-03-02 11:00 UTC, 1 min of working time left."
    )


def test_sla_words_reads_the_first_response_due_time_when_there_is_no_due_at():
    assert sla_words({"state": "green", "first_response_due_at": "2026-03-02T09:30:00+00:00"}) == (
        "SLA: first response green, due 2026-03-02 09:30 UTC."
    )
    assert sla_words(
        {
            "state": "green",
            "due_at": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
            "first_response_due_at": "2026-03-02T09:30:00+00:00",
        }
    ) == ("SLA: first response green, due 2026-03-02 08:00 UTC.")


@pytest.mark.parametrize(
    ("trigger", "evidence", "lines"),
    [
        pytest.param("sentiment_negative", {}, (), id="nothing"),
        pytest.param(
            "sentiment_negative",
            {"excerpt": "Awful.", "score": 0},
            (("Customer wrote", "“Awful.”"), ("Sentiment score", "0")),
            id="score-zero-is-shown",
        ),
        pytest.param(
            "sentiment_negative",
            {"excerpt": "Awful.", "score": None},
            (("Customer wrote", "“Awful.”"),),
            id="no-score",
        ),
        pytest.param(
            "sentiment_negative", {"excerpt": "", "score": -0.9}, (), id="no-excerpt-no-score"
        ),
        pytest.param(
            "refund_threshold",
            {"amount": "750.00", "threshold": "500.00"},
            (("Refund", "750.00  (threshold 500.00 )"),),
            id="refund-without-currency",
        ),
        pytest.param(
            "refund_threshold",
            {
                "amount": "480.50",
                "currency": "USD",
                "threshold": "100.00",
                "threshold_currency": "EUR",
            },
            (("Refund", "480.50 USD (threshold 100.00 EUR)"),),
            id="refund-against-a-threshold-in-another-currency",
        ),
        pytest.param(
            "refund_threshold", {"amount": "750.00", "currency": "EUR"}, (), id="no-threshold"
        ),
        pytest.param(
            "refund_threshold", {"threshold": "500.00", "currency": "EUR"}, (), id="no-amount"
        ),
        pytest.param(
            "frt_red",
            {"metric": "next_response", "from": "amber", "to": "red"},
            (("SLA clock", "next response amber → red"),),
            id="clock",
        ),
        pytest.param(
            "frt_red", {"metric": "next_response", "from": "amber"}, (), id="clock-without-to"
        ),
        pytest.param("frt_red", {"metric": "next_response", "to": "red"}, (), id="clock-no-from"),
        pytest.param(
            "tier_upgrade",
            {"metric": "resolution", "from": "green", "to": "amber"},
            (("SLA clock", "resolution green → amber"),),
            id="a-clock-wins-over-the-tier",
        ),
        pytest.param(
            "sla_breach", {"from": "standard", "to": "vip"}, (), id="tier-words-only-for-tiers"
        ),
        pytest.param("tier_upgrade", {"from": "standard"}, (), id="tier-without-to"),
        pytest.param("tier_upgrade", {"to": "vip"}, (), id="tier-without-from"),
    ],
)
def test_evidence_lines(trigger, evidence, lines):
    assert build(trigger=trigger, evidence=evidence).evidence == lines


def test_as_dict_is_plain_json():
    summary = build(
        evidence={"excerpt": "No.", "score": -1},
        route_notes=("a", "b"),
        handoff=Handoff("t", "d", "a"),
        sla={"state": "green"},
    )

    assert summary.as_dict() == {
        "trigger_label": "Manual escalation",
        "sentence": "Ann escalated the ticket.",
        "evidence": [["Customer wrote", "“No.”"], ["Sentiment score", "-1"]],
        "route_from": "Ann",
        "route_to": "Lee",
        "route_by": "Ann",
        "rule_fired": False,
        "route_notes": ["a", "b"],
        "handoff": {"tried": "t", "diagnosis": "d", "authority_needed": "a"},
        "handoff_author": "Ann",
        "handoff_is_earlier": False,
        "last_customer_excerpt": "",
        "sla": "SLA: first response green.",
    }


def test_from_dict_fills_what_an_older_stored_summary_lacks():
    data = build().as_dict()
    del data["evidence"], data["route_notes"]
    data["handoff"] = {}

    summary = EscalationSummary.from_dict(data)

    assert (summary.evidence, summary.route_notes, summary.handoff) == ((), (), None)


def test_from_dict_reads_evidence_pairs_as_text():
    data = {**build().as_dict(), "evidence": [["Sentiment score", -0.5]]}

    assert EscalationSummary.from_dict(data).evidence == (("Sentiment score", "-0.5"),)


def test_the_text_of_a_summary_without_handoff_and_without_a_customer_message():
    summary = build(route_notes=["First.", "Second."])

    assert escalation_summary_text(summary).splitlines() == [
        "Escalated: Manual escalation",
        "What changed: Ann escalated the ticket.",
        "Route: Ann → Lee, by Ann",
        "Route note: First.",
        "Route note: Second.",
        "Handoff: None: Ann fired while Ann held the ticket, so no handoff was written.",
        "Last customer message: none.",
        "SLA: no clock is running.",
    ]


def test_the_text_with_a_handoff_leaves_out_the_last_customer_message():
    summary = build(handoff=Handoff("t", "d", "a"), last_customer_excerpt="Help.")

    text = escalation_summary_text(summary)

    assert text.splitlines()[3:] == [
        "Handoff from Ann:",
        "- Tried: t",
        "- Diagnosis: d",
        "- Authority needed: a",
        "SLA: no clock is running.",
    ]
