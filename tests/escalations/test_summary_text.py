"""The summary note's text, line by line (pure)."""

from __future__ import annotations

from escalations.engine.summary import Handoff, duration_words, escalation_summary_text


def test_summary_with_handoff_and_a_running_clock():
    text = escalation_summary_text(
        trigger_label="First-response SLA turned amber",
        sentence="The first response SLA clock went from green to amber.",
        reassigned_by="rule “FRT amber”",
        route="Ann → Lee",
        handoff=Handoff("Asked for logs.", "Looks like a DNS issue.", "Contact the vendor."),
        handoff_author="Ann",
        last_customer_excerpt="",
        sla={
            "state": "amber",
            "metric": "first_response",
            "due_at": "2026-03-02T11:00:00+00:00",
            "remaining_seconds": 754,
        },
    )

    assert text.splitlines() == [
        "Escalated: First-response SLA turned amber",
        "What changed: The first response SLA clock went from green to amber.",
        "Reassigned by: rule “FRT amber”",
        "Route: Ann → Lee",
        "Handoff from Ann:",
        "- Tried: Asked for logs.",
        "- Diagnosis: Looks like a DNS issue.",
        "- Authority needed: Contact the vendor.",
        "SLA: first response amber, due 2026-03-02 11:00 UTC, 12 min left.",
    ]


def test_summary_without_handoff_and_an_overdue_clock():
    text = escalation_summary_text(
        trigger_label="SLA breached",
        sentence="The resolution SLA clock went from amber to red.",
        reassigned_by="rule “Breach”",
        route="Ann → Lee",
        handoff=None,
        handoff_author="Ann",
        last_customer_excerpt="Still waiting.",
        sla={"state": "red", "metric": "resolution", "due_at": None, "remaining_seconds": -7500},
        route_notes=["Team lead of Support: Lee."],
    )

    assert text.splitlines()[4:] == [
        "Route note: Team lead of Support: Lee.",
        "Handoff: none written by Ann.",
        "Last customer message: “Still waiting.”",
        "SLA: resolution red, overdue by 2 h 5 min.",
    ]


def test_duration_words():
    assert [duration_words(s) for s in (30, 61, 3600, 90000)] == [
        "under 1 min",
        "1 min",
        "1 h 0 min",
        "1 d 1 h",
    ]
