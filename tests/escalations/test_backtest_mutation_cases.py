"""The dry run's replay, state rewinding, cooldown and feedback matching (mutation cases).

Times are set with the ``clock`` fixture, so that events can be placed on either side of a
window's edge, at one instant, or with ids out of time order.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from escalations.engine import backtest
from escalations.engine.backtest import (
    BacktestHit,
    BacktestJudged,
    JudgedEscalation,
    _rewind,
    backtest_run,
)
from escalations.engine.context import TicketContext
from escalations.models import ExchangeRate
from tests import factories
from tickets import services as ticket_services
from tickets.models import EventKind, Queue, Ticket, TicketEvent

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


# --- Rewinding one event (pure: unsaved events, no database) --------------------------------------
NOW_CTX = TicketContext(
    ticket_id=7,
    subject="Broken",
    status="pending",
    priority="urgent",
    queue_id=2,
    queue_specialist=False,
    team_id=20,
    team_lead_id=None,
    assignee_id=5,
    customer_id=9,
    tier="premium",
    tags=frozenset({"vip", "billing", "late"}),
    customer_sentiment="negative",
    escalation_count=0,
    created_at=datetime(2026, 11, 1, tzinfo=UTC),
)
QUEUE_TEAM = {1: 10, 2: 20, 3: 30}


def rewound(kind: str, data: dict) -> TicketContext:
    return _rewind(NOW_CTX, TicketEvent(kind=kind, data=data), QUEUE_TEAM)


@pytest.mark.parametrize(
    ("kind", "data", "before"),
    [
        pytest.param(
            EventKind.STATUS_CHANGED,
            {"from": "open", "to": "pending"},
            {"status": "open"},
            id="status",
        ),
        pytest.param(
            EventKind.PRIORITY_CHANGED,
            {"from": "low", "to": "urgent"},
            {"priority": "low"},
            id="priority",
        ),
        pytest.param(
            EventKind.QUEUE_CHANGED,
            {"from": 1, "to": 2},
            {"queue_id": 1, "team_id": 10},
            id="queue",
        ),
        pytest.param(
            EventKind.QUEUE_CHANGED,
            {"from": None, "to": 2},
            {"queue_id": None, "team_id": None},
            id="from-no-queue",
        ),
        pytest.param(
            EventKind.QUEUE_CHANGED,
            {"from": 4, "to": 2},
            {"queue_id": 4, "team_id": None},
            id="from-a-queue-since-deleted",
        ),
        pytest.param(EventKind.ASSIGNED, {"from": 3, "to": 5}, {"assignee_id": 3}, id="assignee"),
        pytest.param(
            EventKind.ASSIGNED, {"from": None, "to": 5}, {"assignee_id": None}, id="from-unassigned"
        ),
        pytest.param(
            EventKind.TIER_CHANGED, {"from": "free", "to": "premium"}, {"tier": "free"}, id="tier"
        ),
        pytest.param(
            EventKind.TAGS_CHANGED,
            {"added": ["late", "vip"], "removed": ["old"]},
            {"tags": frozenset({"billing", "old"})},
            id="tags",
        ),
        pytest.param(
            EventKind.TAGS_CHANGED,
            {"added": ["late"]},
            {"tags": frozenset({"vip", "billing"})},
            id="tags-added-only",
        ),
        pytest.param(
            EventKind.TAGS_CHANGED,
            {"removed": ["old"]},
            {"tags": frozenset({"vip", "billing", "late", "old"})},
            id="tags-removed-only",
        ),
        pytest.param(EventKind.TAGS_CHANGED, {"added": None, "removed": None}, {}, id="tags-none"),
    ],
)
def test_rewinding_a_field_change_restores_that_field_only(kind, data, before) -> None:
    assert rewound(kind, data) == dataclasses.replace(NOW_CTX, **before)


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        pytest.param(EventKind.STATUS_CHANGED, {"to": "pending"}, id="status"),
        pytest.param(EventKind.PRIORITY_CHANGED, {"to": "urgent"}, id="priority"),
        pytest.param(EventKind.QUEUE_CHANGED, {"to": 2}, id="queue"),
        pytest.param(EventKind.ASSIGNED, {"to": 5}, id="assignee"),
        pytest.param(EventKind.TIER_CHANGED, {"to": "premium"}, id="tier"),
        pytest.param(EventKind.MESSAGE_ADDED, {"from": "x", "message": 1}, id="not-a-field-change"),
        pytest.param(EventKind.SLA_STATE_CHANGED, {"from": "green", "to": "amber"}, id="sla-state"),
    ],
)
def test_a_change_without_its_old_value_or_of_no_field_rewinds_nothing(kind, data) -> None:
    assert rewound(kind, data) == NOW_CTX


def test_an_escalation_rewinds_its_changes_newest_first() -> None:
    # given an escalation that tagged the ticket, moved it twice and reassigned it
    event = TicketEvent(
        kind=EventKind.ESCALATED,
        data={
            "changes": [
                [EventKind.TAGS_CHANGED, {"added": ["late"], "removed": [], "handoff": True}],
                [EventKind.QUEUE_CHANGED, {"from": 1, "to": 3}],
                [EventKind.QUEUE_CHANGED, {"from": 3, "to": 2}],
                [EventKind.ASSIGNED, {"from": None, "to": 5}],
            ]
        },
    )
    # when it is rewound
    before = _rewind(NOW_CTX, event, QUEUE_TEAM)
    # then the ticket is as it was before the first change
    assert before == dataclasses.replace(
        NOW_CTX, queue_id=1, team_id=10, assignee_id=None, tags=frozenset({"vip", "billing"})
    )


# --- Replaying the window (database) ----------------------------------------------------------------
@pytest.fixture
def clock(monkeypatch):
    """The time rows are written at: ``clock.at(minutes_ago)`` sets it, counted back from NOW."""

    class Clock:
        now = NOW

        def at(self, minutes_ago: float) -> None:
            self.now = NOW - timedelta(minutes=minutes_ago)

    fixed = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


def make_rule(target, **kwargs):
    """A rule for ``target``: by default, refunds of 500.00 USD or more, without a cooldown."""
    return factories.RuleFactory(
        name=kwargs.pop("name", "Refunds"),
        trigger_kind=kwargs.pop("trigger_kind", "refund_threshold"),
        trigger_params=kwargs.pop("trigger_params", {"amount": "500.00", "currency": "USD"}),
        target=target,
        cooldown_minutes=kwargs.pop("cooldown_minutes", 0),
        **kwargs,
    )


def refund(ticket, amount: str = "900", *, currency: str = "USD") -> TicketEvent:
    created = ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal(amount), currency=currency, actor=None
    )
    return TicketEvent.objects.get(kind=EventKind.REFUND_REQUESTED, data__refund=created.pk)


def update(ticket, **changes) -> Ticket:
    return ticket_services.ticket_update(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=None, **changes
    )


pytestmark = pytest.mark.django_db


def test_a_hit_carries_the_refund_event_and_the_firing(clock, make_ticket, junior, lead_target):
    # given a big refund 30 minutes ago
    clock.at(60)
    ticket = make_ticket(holder=junior, subject="Refund please")
    clock.at(30)
    event = refund(ticket)
    rule = make_rule(lead_target)
    # when the rule is replayed over the last day
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the result names the rule and the window, and the hit is the firing on that event
    assert (result.rule_id, result.days, result.window_start, result.window_end) == (
        rule.pk,
        1,
        NOW - timedelta(days=1),
        NOW,
    )
    assert result.tickets_evaluated == 1
    assert result.hits == [
        BacktestHit(
            ticket_id=ticket.pk,
            subject="Refund please",
            at=NOW - timedelta(minutes=30),
            trigger="refund_threshold",
            evidence={
                "refund": event.data["refund"],
                "amount": "900.00",
                "currency": "USD",
                "threshold": "500.00",
                "threshold_currency": "USD",
            },
            occurrence=f"refund:{event.data['refund']}",
            sentence="A refund of 900.00 USD was requested (threshold 500.00 USD).",
        )
    ]


def test_events_on_the_window_edges_are_replayed_and_those_past_them_are_not(
    clock, make_ticket, junior, lead_target
):
    # given refunds just before, at the start of, at the end of and just after a window of a day
    # ending 10 minutes ago
    end = NOW - timedelta(minutes=10)
    clock.at(2000)
    ticket = make_ticket(holder=junior)
    placed = {}
    for name, minutes_ago in (
        ("before", 10 + 24 * 60 + 1 / 60),
        ("start", 10 + 24 * 60),
        ("end", 10),
        ("after", 10 - 1 / 60),
    ):
        clock.at(minutes_ago)
        placed[name] = refund(ticket).created_at
    # when the rule is replayed over that window
    result = backtest_run(rule=make_rule(lead_target), days=1, now=end)
    # then only the two on its edges are hits
    assert [h.at for h in result.hits] == [placed["start"], placed["end"]]


@pytest.mark.parametrize(
    ("cooldown", "kept"),
    [
        pytest.param(0, [50, 30, 10], id="no-cooldown-keeps-all"),
        pytest.param(21, [50, 10], id="within-21-min-dropped-then-40-min-later-kept"),
        pytest.param(20, [50, 30, 10], id="20-min-apart-kept"),
    ],
)
def test_the_cooldown_drops_a_hit_of_the_same_ticket_within_it_of_the_last_kept(
    clock, make_ticket, junior, lead_target, cooldown, kept
):
    # given three big refunds of one ticket, 50, 30 and 10 minutes ago, and one of another
    # ticket 45 minutes ago
    clock.at(60)
    ticket = make_ticket(holder=junior)
    other = make_ticket(holder=junior)
    events = {}
    for minutes_ago in (50, 45, 30, 10):
        clock.at(minutes_ago)
        events[minutes_ago] = refund(other if minutes_ago == 45 else ticket)
    rule = make_rule(lead_target, cooldown_minutes=cooldown)
    # when the rule is replayed over the last day
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the other ticket's hit is kept, and this ticket's as far as the cooldown lets through
    expected = sorted([*kept, 45], reverse=True)
    assert [(h.ticket_id, h.at) for h in result.hits] == [
        (events[m].ticket_id, events[m].created_at) for m in expected
    ]


def test_hits_at_one_instant_are_listed_by_ticket(clock, make_ticket, junior, lead_target):
    # given refunds of three tickets made at the same instant
    clock.at(30)
    tickets = [make_ticket(holder=junior) for _ in range(3)]
    for ticket in reversed(tickets):
        refund(ticket)
    # when the rule is replayed
    result = backtest_run(rule=make_rule(lead_target), days=1, now=NOW)
    # then the hits come in ticket order
    assert [h.ticket_id for h in result.hits] == [t.pk for t in tickets]


def test_each_refund_sees_the_state_of_its_own_time(clock, make_ticket, junior, lead_target):
    # given a ticket that was open and low when refunded 50 minutes ago, then normal, refunded
    # again 30 minutes ago, then pending and urgent
    clock.at(60)
    ticket = make_ticket(holder=junior, priority="low")
    update(ticket, status="open")
    clock.at(50)
    first = refund(ticket)
    clock.at(40)
    update(ticket, priority="normal")
    clock.at(30)
    refund(ticket)
    clock.at(20)
    update(ticket, status="pending", priority="urgent")
    rule = make_rule(
        lead_target,
        conditions=[
            {"field": "status", "op": "eq", "value": "open"},
            {"field": "priority", "op": "eq", "value": "low"},
        ],
    )
    # when the rule for open, low tickets is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then only the first refund is a hit
    assert [h.at for h in result.hits] == [first.created_at]


def test_only_the_refund_made_while_the_ticket_was_urgent_is_a_hit(
    clock, make_ticket, junior, lead_target
):
    # given a refund while the ticket was low, then a refund once it was urgent
    clock.at(60)
    ticket = make_ticket(holder=junior, priority="low")
    clock.at(50)
    refund(ticket)
    clock.at(40)
    update(ticket, priority="urgent")
    clock.at(30)
    urgent = refund(ticket)
    rule = make_rule(lead_target, conditions=[{"field": "priority", "op": "eq", "value": "urgent"}])
    # when the rule for urgent tickets is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then only the later refund is a hit
    assert [h.at for h in result.hits] == [urgent.created_at]


def test_a_refund_made_before_a_later_one_with_a_higher_id_still_sees_its_own_time(
    clock, make_ticket, junior, lead_target
):
    # given a refund recorded at 20 minutes ago, then one backdated to 50 minutes ago (a higher id
    # for the earlier refund), and the ticket made urgent 30 minutes ago
    clock.at(60)
    ticket = make_ticket(holder=junior, priority="low")
    clock.at(20)
    refund(ticket)
    clock.at(50)
    earliest = refund(ticket)
    clock.at(30)
    update(ticket, priority="urgent")
    rule = make_rule(lead_target, conditions=[{"field": "priority", "op": "eq", "value": "low"}])
    # when the rule for low tickets is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the earliest refund, made while the ticket was low, is the one hit
    assert [h.at for h in result.hits] == [earliest.created_at]


def test_changes_are_rewound_in_time_order_whatever_their_ids(
    clock, make_ticket, junior, lead_target
):
    # given a refund while the ticket was low; the change to urgent recorded first (at 20 minutes
    # ago), the earlier change from low to normal recorded second (backdated to 40 minutes ago)
    clock.at(60)
    ticket = make_ticket(holder=junior, priority="normal")
    clock.at(50)
    first = refund(ticket)
    clock.at(20)
    update(ticket, priority="urgent")
    clock.at(40)
    ticket_services.ticket_event_record(
        ticket=ticket, kind=EventKind.PRIORITY_CHANGED, data={"from": "low", "to": "normal"}
    )
    rule = make_rule(lead_target, conditions=[{"field": "priority", "op": "eq", "value": "low"}])
    # when the rule for low tickets is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the refund saw the ticket low
    assert [h.at for h in result.hits] == [first.created_at]


def test_changes_made_at_one_instant_are_rewound_newest_first(
    clock, make_ticket, junior, lead_target
):
    # given a refund while the ticket was low, then two priority changes at one instant
    clock.at(60)
    ticket = make_ticket(holder=junior, priority="low")
    clock.at(50)
    first = refund(ticket)
    clock.at(40)
    update(ticket, priority="normal")
    update(ticket, priority="urgent")
    rule = make_rule(lead_target, conditions=[{"field": "priority", "op": "eq", "value": "low"}])
    # when the rule for low tickets is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the refund saw the ticket low, not normal
    assert [h.at for h in result.hits] == [first.created_at]


def test_the_change_that_is_the_trigger_counts_as_made(clock, make_ticket, junior, lead_target):
    # given a customer upgraded to premium 30 minutes ago while their ticket was open
    clock.at(60)
    ticket = make_ticket(holder=junior)
    clock.at(30)
    ticket_services.customer_update(customer=ticket.customer, actor=None, tier="premium")
    rule = make_rule(
        lead_target,
        trigger_kind="tier_upgrade",
        trigger_params={},
        conditions=[{"field": "tier", "op": "eq", "value": "premium"}],
    )
    # when a tier-upgrade rule for premium customers is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the upgrade is a hit: the ticket was premium once the upgrade was made
    assert [(h.trigger, h.evidence) for h in result.hits] == [
        ("tier_upgrade", {"from": "standard", "to": "premium"})
    ]


def test_a_created_ticket_is_described_as_it_was_then(clock, make_ticket, junior, lead_target):
    # given a ticket created low with one tag, later urgent with another tag
    clock.at(60)
    ticket = make_ticket(priority="low", tags=["billing"])
    clock.at(30)
    update(ticket, priority="urgent", tags=["billing", "vip"])
    rule = make_rule(lead_target, trigger_kind="ticket_created", trigger_params={})
    # when a ticket-created rule is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the hit's evidence is the ticket's state at creation
    assert [h.evidence for h in result.hits] == [
        {"priority": "low", "tier": "standard", "tags": ["billing"]}
    ]


@pytest.fixture
def two_teams(team, queue):
    """``queue`` of ``team`` converts EUR at 1.1; ``other_queue`` of another team at 2.0."""
    other_team = factories.TeamFactory(name="Billing")
    other_queue = factories.QueueFactory(name="Billing", team=other_team)
    for owner, rate in ((team, "1.100000"), (other_team, "2.000000")):
        ExchangeRate.objects.create(
            team=owner,
            base="EUR",
            quote="USD",
            rate=rate,
            valid_from=NOW.date() - timedelta(days=3),
        )
    return queue, other_queue


def test_a_refund_is_converted_with_the_rates_of_the_team_the_ticket_was_in(
    clock, make_ticket, junior, lead_target, two_teams, team
):
    # given a EUR refund while the ticket was in the first team's queue, then a move to another
    # team's queue
    queue, other_queue = two_teams
    clock.at(60)
    ticket = make_ticket(holder=junior, queue=queue)
    clock.at(50)
    refund(ticket, "500", currency="EUR")
    clock.at(40)
    update(ticket, queue=other_queue)
    rule = make_rule(lead_target, conditions=[{"field": "team", "op": "eq", "value": team.pk}])
    # when a rule of the first team is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then the refund was converted with that team's rate
    assert [h.evidence["conversion"]["converted_amount"] for h in result.hits] == ["550.00"]


def test_a_queue_moved_to_another_team_while_the_replay_reads_leaves_no_rates(
    clock, make_ticket, junior, lead_target, two_teams, monkeypatch
):
    # given a EUR refund of a ticket in the first team's queue; the queue moves to a third team
    # between the read of the tickets and the read of the queues
    queue, _ = two_teams
    clock.at(60)
    ticket = make_ticket(holder=junior, queue=queue)
    clock.at(50)
    refund(ticket, "500", currency="EUR")
    third = factories.TeamFactory(name="Third")
    read = backtest.ticket_context_queryset

    class Racing:
        def filter(self, **lookups):
            tickets = list(read().filter(**lookups))
            Queue.objects.filter(pk=queue.pk).update(team=third)
            return tickets

    monkeypatch.setattr(backtest, "ticket_context_queryset", Racing)
    # when the rule is replayed
    result = backtest_run(rule=make_rule(lead_target), days=1, now=NOW)
    # then the refund is not compared: the ticket's team of the time has no rates read
    assert (result.tickets_evaluated, result.hits) == (1, [])


def test_a_ticket_gone_while_the_replay_reads_is_skipped(
    clock, make_ticket, junior, lead_target, monkeypatch
):
    # given refunds of two tickets; the newer one's ticket is gone by the time tickets are read
    clock.at(60)
    kept = make_ticket(holder=junior)
    gone = make_ticket(holder=junior)
    clock.at(50)
    refund(kept)
    clock.at(30)
    refund(gone)
    read = backtest.ticket_context_queryset
    monkeypatch.setattr(backtest, "ticket_context_queryset", lambda: read().exclude(pk=gone.pk))
    # when the rule is replayed
    result = backtest_run(rule=make_rule(lead_target), days=1, now=NOW)
    # then the other ticket's refund is still a hit
    assert [h.ticket_id for h in result.hits] == [kept.pk]
    assert result.tickets_evaluated == 2


# --- Receivers' feedback beside the hits -----------------------------------------------------------
def escalation(ticket, rule, occurrence: str, *, needed: bool | None = None, reason: str = ""):
    made = factories.EscalationFactory(
        ticket=ticket, rule=rule, trigger="refund_threshold", occurrence=occurrence
    )
    if needed is not None:
        factories.EscalationFeedbackFactory(escalation=made, needed=needed, reason=reason)
    return made


def judged(made, reason: str = "") -> JudgedEscalation:
    return JudgedEscalation(
        escalation_id=made.pk,
        ticket_id=made.ticket_id,
        at=made.created_at,
        needed=made.feedback.needed,
        reason=reason,
        comment="",
    )


@pytest.fixture
def refunded(clock, make_ticket, junior, lead_target):
    """Three tickets each refunded 50 minutes ago; the rule and each refund's occurrence."""
    clock.at(60)
    tickets = [make_ticket(holder=junior) for _ in range(3)]
    clock.at(50)
    occurrences = [f"refund:{refund(t).data['refund']}" for t in tickets]
    return make_rule(lead_target), tickets, occurrences


def test_the_first_escalation_made_for_each_hit_counts_once(clock, refunded, lead_target):
    rule, (first, second, _), (first_refund, second_refund, _) = refunded
    other_rule = make_rule(lead_target, name="Other")
    # given the first ticket's refund escalated unjudged 40 minutes ago, and (recorded after it,
    # a higher id) by another rule 42 minutes ago, judged unnecessary; the second ticket's refund
    # escalated 38 minutes ago, judged unnecessary; and 35 minutes ago the first ticket escalated
    # for the second ticket's refund, judged needed
    clock.at(40)
    escalation(first, rule, first_refund)
    clock.at(42)
    earliest = escalation(first, other_rule, first_refund, needed=False, reason="first_level")
    clock.at(38)
    second_made = escalation(second, rule, second_refund, needed=False, reason="duplicate")
    clock.at(35)
    crossed = escalation(first, rule, second_refund, needed=True)
    # when the rule is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then each hit's earliest escalation counts once, and the crossed one matches no hit: the
    # rule would not make it, so it is missed
    assert result.judged == BacktestJudged(
        made=2,
        judged=2,
        needed=0,
        unnecessary=[judged(earliest, "first_level"), judged(second_made, "duplicate")],
        missed_needed=[judged(crossed)],
    )


def test_every_judged_escalation_of_the_hits_is_counted(clock, refunded):
    # given the first hit's escalation unjudged, the other two's judged needed
    rule, tickets, occurrences = refunded
    for minutes_ago, ticket, occurrence, needed in zip(
        (45, 40, 39), tickets, occurrences, (None, True, True), strict=True
    ):
        clock.at(minutes_ago)
        escalation(ticket, rule, occurrence, needed=needed)

    result = backtest_run(rule=rule, days=1, now=NOW)

    assert (result.judged.made, result.judged.judged, result.judged.needed) == (3, 2, 2)
    assert result.judged.unnecessary == []


def test_feedback_is_read_with_the_escalations(clock, refunded, django_assert_num_queries):
    rule, tickets, occurrences = refunded
    clock.at(40)
    for ticket, occurrence in zip(tickets, occurrences, strict=True):
        escalation(ticket, rule, occurrence, needed=False)
    result = backtest_run(rule=rule, days=1, now=NOW)

    # two reads however many escalations were judged
    with django_assert_num_queries(2):
        again = backtest.backtest_judged(rule=rule, result=result)

    assert (again.made, again.judged, len(again.unnecessary)) == (3, 3, 3)


def test_only_this_rules_needed_escalations_inside_the_window_are_missed(
    clock, make_ticket, junior, lead_target
):
    # given needed escalations of the rule for tickets it would not hit: one before the window,
    # one at its start, one in it that was backdated (a higher id), one at its end and one after
    # it; and a needed escalation of another rule
    end = NOW - timedelta(minutes=10)
    clock.at(2000)
    ticket = make_ticket(holder=junior)
    rule = make_rule(lead_target)
    other_rule = make_rule(lead_target, name="Other")
    made = {}
    for name, minutes_ago in (
        ("before", 10 + 24 * 60 + 1 / 60),
        ("start", 10 + 24 * 60),
        ("end", 10),
        ("inside", 100),
        ("after", 10 - 1 / 60),
    ):
        clock.at(minutes_ago)
        made[name] = escalation(ticket, rule, f"manual:{name}", needed=True)
    clock.at(200)
    escalation(ticket, other_rule, "manual:other", needed=True)
    # when the rule is replayed over a day ending 10 minutes ago
    result = backtest_run(rule=rule, days=1, now=end)
    # then it misses those in the window, in time order
    assert result.hits == []
    assert result.judged.missed_needed == [
        judged(made["start"]),
        judged(made["inside"]),
        judged(made["end"]),
    ]


def test_a_rule_of_a_retired_trigger_kind_still_shows_its_missed_escalations(
    clock, make_ticket, junior, lead_target
):
    # given a refund in the window and a needed escalation of a rule whose trigger kind is gone
    clock.at(60)
    ticket = make_ticket(holder=junior)
    clock.at(50)
    refund(ticket)
    rule = make_rule(lead_target, trigger_kind="retired_kind", trigger_params={})
    missed = escalation(ticket, rule, "retired:1", needed=True)
    # when it is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then nothing is replayed, and the needed escalation is one it misses
    assert (result.rule_id, result.tickets_evaluated, result.hits) == (rule.pk, 0, [])
    assert result.judged.missed_needed == [judged(missed)]


def test_a_window_without_events_still_shows_the_missed_escalations(
    clock, make_ticket, junior, lead_target
):
    # given no refund in the window, and a needed escalation of the rule
    clock.at(60)
    ticket = make_ticket(holder=junior)
    rule = make_rule(lead_target)
    missed = escalation(ticket, rule, "refund:1", needed=True)
    # when it is replayed
    result = backtest_run(rule=rule, days=1, now=NOW)
    # then it has no hits and misses that escalation
    assert (result.tickets_evaluated, result.hits) == (0, [])
    assert result.judged.missed_needed == [judged(missed)]
