"""The structured summary (pure): evidence, route, handoff, SLA; and its plain-text note."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from escalations.engine.summary import (
    EscalationSummary,
    Handoff,
    duration_words,
    escalation_summary_build,
    escalation_summary_text,
)

BASE = {
    "trigger": "frt_amber",
    "trigger_label": "First-response SLA turned amber",
    "sentence": "The first response SLA clock went from green to amber.",
    "evidence": {"metric": "first_response", "from": "green", "to": "amber"},
    "route_from": "Ann",
    "route_to": "Lee",
    "route_by": "rule “FRT amber”",
    "rule_fired": True,
    "route_notes": [],
    "handoff": None,
    "handoff_author": "Ann",
    "handoff_is_earlier": False,
    "last_customer_excerpt": "",
    "sla": {},
}


def build(**changes):
    return escalation_summary_build(**{**BASE, **changes})


def test_summary_with_handoff_and_a_running_clock():
    summary = build(
        trigger="manual",
        evidence={"handoff": True},
        route_by="Ann",
        rule_fired=False,
        handoff=Handoff("Asked for logs.", "Looks like a DNS issue.", "Contact the vendor."),
        sla={
            "state": "amber",
            "metric": "first_response",
            "due_at": "2026-03-02T11:00:00+00:00",
            "remaining_seconds": 754,
        },
    )

    assert escalation_summary_text(summary).splitlines() == [
        "Escalated: First-response SLA turned amber",
        "What changed: The first response SLA clock went from green to amber.",
        "Route: Ann → Lee, by Ann",
        "Handoff from Ann:",
        "- Tried: Asked for logs.",
        "- Diagnosis: Looks like a DNS issue.",
        "- Authority needed: Contact the vendor.",
        "SLA: first response amber, due 2026-03-02 11:00 UTC, 12 min of working time left.",
    ]


def test_a_rule_fired_summary_says_who_held_it_and_why_there_is_no_handoff():
    summary = build(
        trigger="sla_breach",
        trigger_label="SLA breached",
        sentence="The resolution SLA clock went from amber to red.",
        evidence={"metric": "resolution", "from": "amber", "to": "red"},
        route_by="rule “Breach”",
        route_notes=["Team lead of Support: Lee."],
        last_customer_excerpt="Still waiting.",
        sla={"state": "red", "metric": "resolution", "due_at": None, "remaining_seconds": -7500},
    )

    assert escalation_summary_text(summary).splitlines()[2:] == [
        "SLA clock: resolution amber → red",
        "Route: Ann → Lee, by rule “Breach”",
        "Route note: Team lead of Support: Lee.",
        "Handoff: None: rule “Breach” fired while Ann held the ticket, so no handoff was written.",
        "Last customer message: “Still waiting.”",
        "SLA: resolution red, overdue by 2 h 5 min of working time.",
    ]
    assert "none written by" not in escalation_summary_text(summary)


def test_the_last_customer_message_stands_in_unless_the_trigger_quotes_it():
    quoted = {"excerpt": "I want a lawyer.", "score": -0.8}
    same = build(
        trigger="sentiment_negative", evidence=quoted, last_customer_excerpt=quoted["excerpt"]
    )
    later = build(trigger="sentiment_negative", evidence=quoted, last_customer_excerpt="Hello?")
    clock = build(last_customer_excerpt="I want a lawyer.")
    silent = build()
    handed = build(handoff=Handoff("a", "b", "c"), last_customer_excerpt="Hello?")

    shown = [s.last_customer_shown for s in (same, later, clock, silent, handed)]
    assert shown == [False, True, True, True, False]
    assert "Last customer message" not in escalation_summary_text(same)
    assert escalation_summary_text(later).splitlines()[-2] == "Last customer message: “Hello?”"
    assert escalation_summary_text(silent).splitlines()[-2] == "Last customer message: none."


def test_an_unassigned_ticket_was_held_by_nobody():
    summary = build(route_from="unassigned")

    assert summary.no_handoff_words == (
        "None: rule “FRT amber” fired while nobody held the ticket, so no handoff was written."
    )


def test_evidence_names_the_negative_sentence_and_the_refund_against_its_threshold():
    sentiment = build(
        trigger="sentiment_negative", evidence={"excerpt": "I want a lawyer.", "score": -0.8}
    )
    refund = build(
        trigger="refund_threshold",
        evidence={"refund": 4, "amount": "750.00", "currency": "EUR", "threshold": "500.00"},
    )

    assert sentiment.evidence == (
        ("Customer wrote", "“I want a lawyer.”"),
        ("Sentiment score", "-0.8"),
    )
    tier = build(trigger="tier_upgrade", evidence={"from": "standard", "to": "vip"})

    assert refund.evidence == (("Refund", "750.00 EUR (threshold 500.00 EUR)"),)
    assert tier.evidence == (("Tier", "standard → vip"),)


def test_evidence_the_sentence_already_says_is_not_said_twice():
    quoted = build(
        trigger="sentiment_negative",
        sentence="The customer's sentiment turned negative (score -0.8): “I want a lawyer.”",
        evidence={"excerpt": "I want a lawyer.", "score": -0.8},
    )
    unquoted = build(
        trigger="sentiment_negative",
        sentence="The customer's sentiment turned negative.",
        evidence={"excerpt": "I want a lawyer.", "score": -0.8},
    )

    assert quoted.evidence_shown == ()
    assert unquoted.evidence_shown == unquoted.evidence
    text = escalation_summary_text(quoted)
    assert text.count("I want a lawyer.") == 1
    assert "Sentiment score" not in text
    assert "Customer wrote: “I want a lawyer.”" in escalation_summary_text(unquoted)


def test_an_earlier_handoff_is_labelled_so():
    summary = build(handoff=Handoff("a", "b", "c"), handoff_is_earlier=True)

    assert escalation_summary_text(summary).splitlines()[4] == "Earlier handoff from Ann:"


def test_the_summary_round_trips_through_json():
    summary = build(
        handoff=Handoff("a", "b", "c"),
        evidence={"excerpt": "No.", "score": -1},
        route_notes=["n"],
    )

    assert EscalationSummary.from_dict(summary.as_dict()) == summary


def test_duration_words():
    assert [duration_words(s) for s in (30, 61, 3600, 90000)] == [
        "under 1 min",
        "1 min",
        "1 h 0 min",
        "1 d 1 h",
    ]


def test_the_sla_line_gives_the_due_time_in_the_zone_it_is_given():
    sla = {"state": "green", "metric": "resolution", "due_at": "2026-07-01T09:00:00+00:00"}

    in_berlin = build(sla=sla, sla_zone=ZoneInfo("Europe/Berlin"))
    in_utc = build(sla=sla)

    assert in_berlin.sla == "SLA: resolution green, due 2026-07-01 11:00 CEST."
    assert in_utc.sla == "SLA: resolution green, due 2026-07-01 09:00 UTC."
