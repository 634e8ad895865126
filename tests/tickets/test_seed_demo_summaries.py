"""The demo's escalations look like the engine's: each has its summary and the internal note it
pins on the ticket (only a ticket's latest stays pinned), built at the escalation's time; the
receiver of an open ticket's latest escalation holds the ticket, with the ``escalated`` event
carrying the change. Seeded for a fixed ``now``, twice (the second adds nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models import Q

from escalations.engine.backtest import backtest_run
from escalations.engine.context import ticket_context_build
from escalations.engine.rules import rule_matches
from escalations.engine.summary import EscalationSummary, escalation_summary_text
from escalations.engine.triggers import TRIGGERS, excerpt, trigger_event_kinds, trigger_event_of
from escalations.models import Escalation, Rule, TriggerKey
from reports.selectors import month_windows, rule_health, team_zone
from tests.tickets.demo_seeding import demo_trigger_events, rolled_back_after
from tickets.demo import (
    DEMO_CUSTOMER_PREFIX,
    DEMO_PING_PONG_OCCURRENCE,
    DEMO_RECEIVER_NOTES,
    demo_data_seed,
)
from tickets.models import (
    AuthorType,
    EventKind,
    Message,
    Note,
    NoteKind,
    Status,
    Team,
    TicketEvent,
    TicketFollower,
    assignment_events,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
# A receiver handing a ticket back by hand (the history's assignments come from nobody).
HANDED_BACK = Q(kind=EventKind.ASSIGNED, data__reason="manual") & ~Q(data__from=None)
ENGINE_EVENT_KINDS = ("frt_amber", "sla_breach", "tier_upgrade", "escalate_tag")


def _escalations() -> list[Escalation]:
    return list(
        Escalation.objects.filter(ticket__customer__external_id__startswith=DEMO_CUSTOMER_PREFIX)
        .select_related("ticket", "summary_note", "initiated_by", "from_agent", "to_agent")
        .order_by("created_at", "pk")
    )


def _last_assignment(ticket_id: int, *, kind: str) -> datetime | None:
    """The history's last assignment of the ticket (not a receiver handing it back)."""
    event = (
        TicketEvent.objects.filter(assignment_events(), ticket_id=ticket_id, kind=kind)
        .exclude(HANDED_BACK)
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.created_at if event is not None else None


def _facts() -> dict[str, object]:
    return {
        "notes": Note.objects.count(),
        "pinned": Note.objects.filter(pinned=True).count(),
        "events": TicketEvent.objects.count(),
        "summaries": sorted(
            (e.pk, e.summary_note_id, e.summary["sentence"]) for e in _escalations()
        ),
        "assignees": sorted(
            (e.ticket_id, e.ticket.assignee_id) for e in _escalations() if e.ticket.is_open
        ),
    }


def _ended_at() -> dict[int, datetime]:
    """When each ticket was first solved or closed."""
    ended: dict[int, datetime] = {}
    for event in TicketEvent.objects.filter(
        kind=EventKind.STATUS_CHANGED, data__to__in=[Status.SOLVED, Status.CLOSED]
    ).order_by("created_at", "pk"):
        ended.setdefault(event.ticket_id, event.created_at)
    return ended


def _ending_holders() -> list[tuple[int, int | None, int | None]]:
    """Per status change by an agent that ends a ticket (solved, on hold): (ticket, actor, the
    holder then by the ticket's assignment events)."""
    assignments: dict[int, list[tuple[datetime, int, int]]] = {}
    for event in TicketEvent.objects.filter(assignment_events()).order_by("created_at", "pk"):
        assignments.setdefault(event.ticket_id, []).append(
            (event.created_at, event.pk, event.data["to"])
        )
    rows = []
    for event in TicketEvent.objects.filter(
        kind=EventKind.STATUS_CHANGED,
        data__to__in=[Status.SOLVED, Status.ON_HOLD],
        actor__isnull=False,
    ).order_by("created_at", "pk"):
        held = [
            to
            for at, pk, to in assignments.get(event.ticket_id, [])
            if (at, pk) < (event.created_at, event.pk)
        ]
        rows.append((event.ticket_id, event.actor_id, held[-1] if held else None))
    return rows


def _avoidable_by_rule() -> dict[str, tuple[int, int, int]]:
    """Per rule, over the months of the demo: (fired, avoidable, bounced), as rule health reads
    them."""
    totals: dict[str, tuple[int, int, int]] = {}
    for team in Team.objects.order_by("name"):
        zone = team_zone(team=team)
        last = NOW.astimezone(zone).date().replace(day=1)
        for window in month_windows(last=last, count=4, zone=zone):
            for stats in rule_health(team=team, window=window):
                fired, avoidable, bounced = totals.get(stats.label, (0, 0, 0))
                totals[stats.label] = (
                    fired + stats.escalations,
                    avoidable + stats.avoidable,
                    bounced + stats.bounced,
                )
    return totals


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        result = demo_data_seed(tickets=1000, customers=120, now=NOW)
        escalations = _escalations()
        notes = {n.pk: n for n in Note.objects.filter(kind=NoteKind.ESCALATION_SUMMARY)}
        escalated_events = {
            e.data["escalation"]: e for e in TicketEvent.objects.filter(kind=EventKind.ESCALATED)
        }
        history_assigned = {
            e.ticket_id: _last_assignment(e.ticket_id, kind=EventKind.ASSIGNED) for e in escalations
        }
        history_holder = {
            event.ticket_id: event.data["to"]
            for event in TicketEvent.objects.filter(kind=EventKind.ASSIGNED)
            .exclude(HANDED_BACK)
            .order_by("created_at", "pk")
        }
        customer_messages = {
            e.pk: list(
                Message.objects.filter(
                    ticket_id=e.ticket_id,
                    author_type=AuthorType.CUSTOMER,
                    created_at__lte=e.created_at,
                )
                .order_by("created_at", "pk")
                .values_list("body", flat=True)
            )
            for e in escalations
        }
        followers = set(TicketFollower.objects.values_list("ticket_id", "agent_id"))
        receiver_notes = {
            (note.ticket_id, note.author_id): note.created_at
            for note in Note.objects.filter(kind=NoteKind.NOTE, body__in=DEMO_RECEIVER_NOTES)
        }
        sentences = {
            (hit.ticket_id, hit.occurrence): hit.sentence
            for rule in Rule.objects.filter(trigger_kind__in=["sentiment_negative"])
            for hit in backtest_run(rule=rule, days=91, now=NOW).hits
        }
        sentences.update(
            {
                (hit.ticket_id, hit.occurrence): hit.sentence
                for rule in Rule.objects.filter(trigger_kind="refund_threshold")
                for hit in backtest_run(rule=rule, days=91, now=NOW).hits
            }
        )
        trigger_events = demo_trigger_events()
        engine_fired = [
            (
                e.pk,
                e.ticket_id,
                rule_matches(rule=e.rule, ctx=ticket_context_build(ticket_id=e.ticket_id)),
            )
            for e in Escalation.objects.filter(
                ticket__in=[x.ticket_id for x in escalations],
                trigger__in=ENGINE_EVENT_KINDS,
                rule__isnull=False,
            )
            .exclude(ticket__escalations__occurrence__startswith=DEMO_PING_PONG_OCCURRENCE)
            .select_related("rule")
        ]
        history_unevaluated = TicketEvent.objects.filter(
            kind__in=trigger_event_kinds(), created_at__lt=NOW, evaluation__isnull=True
        ).count()
        history_events = TicketEvent.objects.filter(
            kind__in=trigger_event_kinds(), created_at__lt=NOW
        ).count()
        ended_at = _ended_at()
        handed_back = {
            e.ticket_id: e
            for e in TicketEvent.objects.filter(HANDED_BACK).order_by("created_at", "pk")
        }
        ending_holders = _ending_holders()
        avoidable_by_rule = _avoidable_by_rule()
        facts = _facts()
        again = demo_data_seed(tickets=1000, customers=120, now=NOW)
        facts_again = _facts()
    return {
        "result": result,
        "escalations": escalations,
        "notes": notes,
        "escalated_events": escalated_events,
        "history_assigned": history_assigned,
        "history_holder": history_holder,
        "customer_messages": customer_messages,
        "followers": followers,
        "receiver_notes": receiver_notes,
        "sentences": sentences,
        "trigger_events": trigger_events,
        "facts": facts,
        "ended_at": ended_at,
        "handed_back": handed_back,
        "ending_holders": ending_holders,
        "avoidable_by_rule": avoidable_by_rule,
        "history_unevaluated": history_unevaluated,
        "history_events": history_events,
        "engine_fired": engine_fired,
        "again": again,
        "facts_again": facts_again,
    }


def test_every_demo_escalation_has_its_summary_note_at_its_time(seeded):
    escalations, notes = seeded["escalations"], seeded["notes"]
    assert len(escalations) == seeded["result"].created["escalation_summaries"]
    assert len(escalations) >= 150
    assert sorted(e.summary_note_id for e in escalations) == sorted(notes)
    for e in escalations:
        note = notes[e.summary_note_id]
        assert note.ticket_id == e.ticket_id
        assert note.kind == NoteKind.ESCALATION_SUMMARY
        assert note.created_at == e.created_at
        assert note.author_id == e.initiated_by_id
        assert note.body == escalation_summary_text(EscalationSummary.from_dict(e.summary))


def test_only_the_latest_summary_of_each_escalated_ticket_is_pinned(seeded):
    escalations, notes = seeded["escalations"], seeded["notes"]
    latest = {e.ticket_id: e.summary_note_id for e in escalations}
    pinned = sorted((n.ticket_id, n.pk) for n in notes.values() if n.pinned)
    assert pinned == sorted(latest.items())
    several = [t for t in latest if sum(e.ticket_id == t for e in escalations) > 1]
    assert len(several) >= 5


def test_the_summary_names_the_trigger_and_the_rule_or_the_handoff(seeded):
    manual = rule_fired = 0
    for e in seeded["escalations"]:
        lines = seeded["notes"][e.summary_note_id].body.split("\n")
        assert lines[0] == f"Escalated: {TriggerKey(e.trigger).label}"
        holder = str(e.from_agent) if e.from_agent else "unassigned"
        route = [line for line in lines if line.startswith("Route: ")]
        if e.trigger == "manual":
            assert route == [f"Route: {holder} → {e.to_agent}, by {e.initiated_by}"]
            start = lines.index(f"Handoff from {e.initiated_by}:")
            assert lines[start + 1 : start + 4] == [
                f"- Tried: {e.handoff_tried}",
                f"- Diagnosis: {e.handoff_diagnosis}",
                f"- Authority needed: {e.handoff_authority_needed}",
            ]
            assert e.summary["sentence"] == (
                f"{e.initiated_by} escalated the ticket by hand with a handoff note."
            )
            manual += 1
        else:
            assert route == [f"Route: {holder} → {e.to_agent}, by rule “{e.rule_name}”"]
            assert e.summary["rule_fired"] is True
            rule_fired += 1
    assert manual >= 60
    assert rule_fired >= 90


def test_without_a_handoff_the_last_customer_message_before_the_escalation_stands_in(seeded):
    checked = 0
    for e in seeded["escalations"]:
        if e.trigger == "manual" or e.summary["handoff"] is not None:
            continue
        bodies = seeded["customer_messages"][e.pk]
        expected = excerpt(bodies[-1]) if bodies else ""
        assert e.summary["last_customer_excerpt"] == expected
        holder = str(e.from_agent) if e.from_agent else "nobody"
        body = seeded["notes"][e.summary_note_id].body
        assert (
            f"Handoff: None: rule “{e.rule_name}” fired while {holder} held the ticket, "
            "so no handoff was written."
        ) in body.split("\n")
        if e.trigger == "sentiment_negative":
            # The negative message that fired the rule is the last one the summary quotes.
            assert expected == e.evidence["excerpt"]
        checked += 1
    assert checked >= 80


def test_the_sentence_is_the_triggers_own(seeded):
    sentences, events = seeded["sentences"], seeded["trigger_events"]
    from_backtest = from_events = 0
    for e in seeded["escalations"]:
        if (e.ticket_id, e.occurrence) in sentences:
            assert e.summary["sentence"] == sentences[(e.ticket_id, e.occurrence)]
            from_backtest += 1
        elif e.trigger in ENGINE_EVENT_KINDS:
            event = events[int(e.occurrence.split(":")[1])]
            firing = TRIGGERS.get(e.trigger).evaluate(trigger_event_of(event, None), None, {})  # type: ignore[arg-type]
            assert firing is not None
            assert e.summary["sentence"] == firing.sentence
            from_events += 1
    assert from_backtest >= 50
    assert from_events >= 12


def test_the_sla_line_is_the_clock_the_sla_trigger_saw(seeded):
    for e in seeded["escalations"]:
        if e.trigger in ("frt_amber", "sla_breach"):
            metric = e.evidence["metric"].replace("_", " ")
            assert e.summary["sla"] == f"SLA: {metric} {e.evidence['to']}."
            assert (e.sla_snapshot["state"], e.sla_snapshot["metric"]) == (
                e.evidence["to"],
                e.evidence["metric"],
            )
        else:
            assert e.summary["sla"] == "SLA: no clock is running."
            assert e.sla_snapshot["state"] is None


def test_receivers_take_the_tickets_escalated_to_them_while_they_ran(seeded):
    """The latest escalation of a ticket hands it to its receiver, unless the ticket was already
    solved or closed by then; a receiver who handed it back leaves it with the escalating agent."""
    escalations, events = seeded["escalations"], seeded["escalated_events"]
    latest = {e.ticket_id: e for e in escalations}
    latest_by_pk = {e.pk: e for e in latest.values()}
    moved = []
    for ticket_id, e in sorted(latest.items()):
        assigned = seeded["history_assigned"][ticket_id]
        ended = seeded["ended_at"].get(ticket_id)
        if (
            (ended is not None and ended <= e.created_at)
            or e.to_agent_id is None
            or (assigned is not None and assigned > e.created_at)
            or e.from_agent_id not in (None, seeded["history_holder"].get(ticket_id))
        ):
            assert e.pk not in events
            continue
        back = seeded["handed_back"].get(ticket_id)
        if back is None:
            assert e.ticket.assignee_id == e.to_agent_id
        else:
            assert (back.actor_id, back.data["from"], back.data["to"]) == (
                e.to_agent_id,
                e.to_agent_id,
                e.from_agent_id,
            )
            assert e.ticket.assignee_id == e.from_agent_id
        event = events[e.pk]
        assert event.created_at == e.created_at
        assert event.assignee_id == e.to_agent_id
        assert event.actor_id == e.initiated_by_id
        assert event.field_changes() == [
            (
                EventKind.ASSIGNED,
                {"from": e.from_agent_id, "to": e.to_agent_id, "reason": "escalation"},
            )
        ]
        assert (event.data["from"], event.data["to"], event.data["assigned"]) == (
            e.from_agent_id,
            e.to_agent_id,
            True,
        )
        # The previous holder follows (an unassigned ticket had none).
        assert e.from_agent_id is None or (ticket_id, e.from_agent_id) in seeded["followers"]
        if e.acknowledged_at is not None:
            # the receiver's first action: a note after acknowledging
            noted = seeded["receiver_notes"][(ticket_id, e.to_agent_id)]
            assert e.acknowledged_at <= noted <= NOW
        moved.append(e.pk)
    assert sorted(events) == sorted(moved)
    acknowledged = [pk for pk in moved if latest_by_pk[pk].acknowledged_at is not None]
    assert len(seeded["receiver_notes"]) == len(acknowledged) >= 10
    assert seeded["result"].created["receiver_notes"] == len(acknowledged)
    assert len(moved) == seeded["result"].created["escalation_handovers"]
    assert len(moved) >= 100
    assert len(seeded["handed_back"]) == seeded["result"].created["escalations_handed_back"] >= 10


def test_whoever_holds_a_ticket_then_solves_it_or_puts_it_on_hold(seeded):
    """A ticket's ending is recorded after its escalations: an escalation's receiver (or the
    agent it was handed back to) solves it, not the agent it was taken from."""
    rows = seeded["ending_holders"]
    assert len(rows) >= 500
    assert [(ticket, actor, holder) for ticket, actor, holder in rows if actor != holder] == []


def test_rule_health_shows_few_avoidable_escalations_each_one_handed_back(seeded):
    """Avoidable (reports): within 7 days handed back to, or solved by, the holder the rule
    took the ticket from. Receivers solve most rule-fired escalations; the avoidable ones are
    those a receiver judged first-level work and handed back."""
    by_rule = seeded["avoidable_by_rule"]
    fired = sum(n for n, _, _ in by_rule.values())
    avoidable = sum(a for _, a, _ in by_rule.values())
    assert fired >= 90
    assert 5 <= avoidable <= fired // 5
    assert [label for label, (n, a, b) in by_rule.items() if a != b or a > n // 2] == []
    assert len({a * 100 // n for n, a, _ in by_rule.values() if n}) >= 3


def test_no_demo_escalation_goes_to_its_holder_or_before_they_held_the_ticket(seeded):
    """As the engine's: it refuses a receiver who already holds the ticket, and an escalation
    from the history's holder comes after the history gave them the ticket."""
    from_holder = 0
    for e in seeded["escalations"]:
        assert e.to_agent_id is None or e.to_agent_id != e.from_agent_id, e.pk
        holder = seeded["history_holder"].get(e.ticket_id)
        if holder is not None and e.from_agent_id == holder:
            assert e.created_at >= seeded["history_assigned"][e.ticket_id], e.pk
            from_holder += 1
    assert from_holder >= 100


def test_the_engine_kinds_escalate_tickets_their_rule_applies_to_once_each(seeded):
    """A rule for urgent tickets fires on urgent tickets, and one ticket is one rule's story
    (the ping-pong's ticket apart: its rule fires twice there on purpose)."""
    fired = seeded["engine_fired"]
    assert len(fired) >= 15
    assert [pk for pk, _, matches in fired if not matches] == []
    tickets = [ticket_id for _, ticket_id, _ in fired]
    assert len(set(tickets)) == len(tickets)


def test_the_history_is_not_run_through_the_rules_again_on_the_first_start(seeded):
    """Every seeded event has its evaluation receipt: the sweep for missed evaluations finds
    none, so no demo event hours old escalates at the worker's first start."""
    assert seeded["history_events"] >= 5000
    assert seeded["history_unevaluated"] == 0
    assert seeded["result"].created["evaluation_receipts"] >= seeded["history_events"]


def test_a_second_seed_adds_no_summary_and_moves_no_ticket(seeded):
    assert seeded["facts_again"] == seeded["facts"]
    assert seeded["again"].created["escalation_summaries"] == 0
    assert "escalation_handovers" not in seeded["again"].created
