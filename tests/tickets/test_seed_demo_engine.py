"""The demo's escalations show the whole engine: every rule trigger kind with the evidence its
trigger writes, recent ones still to acknowledge, a ping-pong bumped one level up and one refused,
and the audit trail of every escalation. Seeded for a fixed ``now``, twice (the second adds
nothing)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from escalations.engine.triggers import TRIGGERS
from escalations.models import AuditEvent, Escalation, SLAClockEntry
from escalations.sla.replay import sla_crossings_replayed
from tests.tickets.demo_seeding import demo_trigger_events, rolled_back_after
from tickets.demo import DEMO_CUSTOMER_PREFIX, DEMO_PING_PONG_OCCURRENCE, demo_data_seed
from tickets.models import OPEN_STATUSES, EventKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
RULE_KINDS = sorted(t.key for t in TRIGGERS if t.rule_kind == "escalation")


def _facts() -> dict[str, object]:
    demo = Escalation.objects.filter(ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX)
    created = Counter(
        AuditEvent.objects.filter(kind="escalation_created").values_list("object_id", flat=True)
    )
    reassigned = Counter(
        AuditEvent.objects.filter(kind="ticket_reassigned").values_list(
            "data__escalation", flat=True
        )
    )
    return {
        "by_trigger": Counter(demo.values_list("trigger", flat=True)),
        "count": demo.count(),
        "created_rows": sorted(created.values()),
        "created_missing": [e.pk for e in demo if created[str(e.pk)] != 1],
        "created_at_mismatch": [
            e.pk
            for e in demo
            if AuditEvent.objects.get(kind="escalation_created", object_id=str(e.pk)).created_at
            != e.created_at
        ],
        "reassigned_missing": [
            e.pk for e in demo.exclude(to_agent__isnull=True) if reassigned[e.pk] != 1
        ],
        "audit_rows": AuditEvent.objects.count(),
        "events": TicketEvent.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        result = demo_data_seed(tickets=1000, customers=120, now=NOW)
        facts = _facts()
        escalations = list(
            Escalation.objects.filter(
                ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX
            ).values(
                "pk",
                "trigger",
                "occurrence",
                "evidence",
                "route_notes",
                "created_at",
                "acknowledged_at",
                "to_agent_id",
                "ticket_id",
                "ticket__status",
            )
        )
        events = demo_trigger_events()
        suppressed = list(
            AuditEvent.objects.filter(kind="escalation_suppressed").values(
                "ticket_id", "actor_label", "data", "object_type"
            )
        )
        tagged = set(Ticket.objects.filter(tags__name="escalate").values_list("pk", flat=True))
        sla_events = [e for e in events.values() if e.kind == EventKind.SLA_STATE_CHANGED]
        replayed = sla_crossings_replayed(ticket_ids={e.ticket_id for e in sla_events}, now=NOW)
        ledgers = {
            (line.clock.ticket_id, line.clock.metric, line.kind, line.detail["noticed_at"])
            for line in SLAClockEntry.objects.filter(
                kind__in=["amber", "red"],
                clock__ticket_id__in={e.ticket_id for e in sla_events},
            ).select_related("clock")
        }
        again = demo_data_seed(tickets=1000, customers=120, now=NOW)
        facts_again = _facts()
    return (
        result,
        facts,
        escalations,
        events,
        suppressed,
        tagged,
        again,
        facts_again,
        (replayed, ledgers),
    )


def test_every_rule_trigger_kind_escalated(seeded):
    _, facts, *_ = seeded
    for kind in RULE_KINDS:
        assert facts["by_trigger"][kind] >= 3, kind


def test_evidence_is_shaped_as_each_trigger_writes_it(seeded):
    _, _, escalations, events, _, tagged, *_ = seeded
    from escalations.engine.triggers import trigger_event_of

    kinds = {"frt_amber", "sla_breach", "tier_upgrade", "escalate_tag"}
    checked = 0
    for e in escalations:
        if e["trigger"] not in kinds:
            continue
        event_id = int(e["occurrence"].split(":")[1])
        event = events[event_id]
        assert event.ticket_id == e["ticket_id"]
        firing = TRIGGERS.get(e["trigger"]).evaluate(trigger_event_of(event, None), None, {})  # type: ignore[arg-type]
        assert firing is not None
        assert (firing.occurrence, firing.evidence) == (e["occurrence"], e["evidence"])
        assert event.created_at <= e["created_at"]
        if e["trigger"] == "escalate_tag":
            assert e["ticket_id"] in tagged
        checked += 1
    assert checked >= 12


def test_recent_escalations_wait_for_acknowledgement_older_ones_are_acknowledged(seeded):
    _, _, escalations, *_ = seeded
    waiting = [e for e in escalations if e["acknowledged_at"] is None]
    assert len(waiting) >= 5
    assert all(e["to_agent_id"] is not None for e in waiting)
    assert all(e["ticket__status"] in OPEN_STATUSES for e in waiting)
    assert all(NOW - e["created_at"] <= timedelta(days=3) for e in waiting)
    old = [e for e in escalations if NOW - e["created_at"] > timedelta(days=7)]
    assert old
    assert all(e["acknowledged_at"] is not None for e in old)


def test_a_ping_pong_is_bumped_one_level_up_and_the_next_is_suppressed(seeded):
    _, _, escalations, _, suppressed, *_ = seeded
    [bumped] = [e for e in escalations if e["occurrence"].startswith(DEMO_PING_PONG_OCCURRENCE)]
    [note] = bumped["route_notes"]
    assert note.startswith("Ping-pong: ")
    assert "already handed this ticket on; sent one level up to " in note
    [refused] = [s for s in suppressed if s["data"]["code"] == "ping_pong"]
    assert refused["ticket_id"] == bumped["ticket_id"]
    assert refused["object_type"] == "escalations.rule"
    assert refused["actor_label"].startswith("rule: ")
    assert refused["data"]["trigger"] == "sla_breach"
    assert refused["data"]["occurrence"].startswith("sla:")
    assert refused["data"]["reason"].startswith("Ping-pong refused: ")


def test_every_demo_escalation_has_exactly_one_audit_row_at_its_time(seeded):
    _, facts, *_ = seeded
    assert facts["count"] >= 150
    assert facts["created_missing"] == []
    assert facts["created_at_mismatch"] == []
    assert facts["reassigned_missing"] == []


def test_sla_escalations_fire_on_crossings_the_tickets_own_clocks_made(seeded):
    """The demo's SLA events are crossings of each ticket's replayed history, at the instant the
    sweeper would notice them; an open ticket's clock ledger records the same crossing."""
    _, _, escalations, events, _, _, _, _, (replayed, ledgers) = seeded
    crossed = {(c.ticket_id, c.metric, c.frm, c.to, c.noticed_at) for c in replayed}
    sla_events = [e for e in events.values() if e.kind == EventKind.SLA_STATE_CHANGED]
    assert len(sla_events) >= 8
    for event in sla_events:
        data = event.data
        key = (event.ticket_id, data["metric"], data["from"], data["to"], event.created_at)
        assert key in crossed, key
    open_tickets = {e["ticket_id"] for e in escalations if e["ticket__status"] in OPEN_STATUSES}
    in_ledger = [
        (e.ticket_id, e.data["metric"], e.data["to"], e.created_at.isoformat())
        for e in sla_events
        if e.ticket_id in open_tickets
    ]
    assert in_ledger
    assert all(line in ledgers for line in in_ledger), in_ledger
    fired = {e["occurrence"]: e for e in escalations if e["trigger"] in ("frt_amber", "sla_breach")}
    assert fired
    for occurrence, escalation in fired.items():
        event = events[int(occurrence.split(":")[1])]
        assert timedelta(0) <= escalation["created_at"] - event.created_at <= timedelta(minutes=1)


def test_a_second_seed_adds_nothing(seeded):
    _, facts, *_, again, facts_again, _ = seeded
    assert facts_again == facts
    assert "engine_escalations" not in again.created
    assert again.created["escalation_audit_events"] == 0
