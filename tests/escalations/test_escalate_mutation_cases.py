"""Cases for ``escalations/engine/escalate.py`` that its other tests leave open (see
docs/mutation.md): the guards' messages and codes, the resolution's refusals and ping-pong,
the rows and texts an escalation writes, and what goes out after commit."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from escalations.engine import escalate
from escalations.engine.escalate import (
    EscalationRefused,
    EscalationRequest,
    escalation_execute,
    rule_outcome_first,
)
from escalations.engine.summary import Handoff
from escalations.models import (
    AuditEvent,
    Delivery,
    Escalation,
    RuleOutcome,
    TargetKind,
    TriggerKey,
    Webhook,
)
from tests import factories
from tickets.models import EventKind, Note, Ticket, TicketEvent
from tickets.notifications.models import Notification

pytestmark = pytest.mark.django_db

HANDOFF = Handoff("Re-sent the invoice.", "Billing sync is stuck.", "A credit note.")


def rule_request(ticket, rule, *, occurrence="o:1", **kwargs) -> EscalationRequest:
    return EscalationRequest(
        ticket_id=ticket.pk,
        trigger=kwargs.pop("trigger", TriggerKey.REFUND_THRESHOLD),
        occurrence=occurrence,
        sentence="A refund of 800.00 USD was requested.",
        rule=rule,
        target=kwargs.pop("target", rule.target if rule is not None else None),
        **kwargs,
    )


def suppressions() -> list[tuple[str, str, dict]]:
    return [
        (a.actor_label, a.object_id, a.data)
        for a in AuditEvent.objects.filter(kind="escalation_suppressed").order_by("id")
    ]


def lines(escalation: Escalation) -> list[str]:
    return Escalation.objects.get(pk=escalation.pk).summary_note.body.splitlines()


@pytest.fixture
def rule(senior_target):
    return factories.RuleFactory(name="Big refunds", target=senior_target, cooldown_minutes=60)


@pytest.fixture
def route_rule(db):
    """A rule whose target each case passes in the request."""
    return factories.RuleFactory(name="Route", target=None)


# --- guards ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["solved", "closed"])
def test_a_ticket_no_longer_open_is_not_escalated_and_the_refusal_is_recorded(
    make_ticket, junior, senior, rule, status
):
    ticket = make_ticket(holder=junior)
    Ticket.objects.filter(pk=ticket.pk).update(status=status)

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert (outcome.escalation, outcome.created) == (None, False)
    assert outcome.refused == f"The ticket is {status}."
    assert Escalation.objects.count() == 0
    assert suppressions() == [
        (
            "rule: Big refunds",
            str(rule.pk),
            {
                "rule": rule.pk,
                "trigger": "refund_threshold",
                "occurrence": "o:1",
                "reason": f"The ticket is {status}.",
                "code": "ticket_closed",
            },
        )
    ]
    assert list(RuleOutcome.objects.values_list("ticket_id", "kind", "key")) == [
        (ticket.pk, "suppressed", f"{rule.pk}:o:1")
    ]
    assert list(AuditEvent.objects.values_list("ticket_id", "object_type")) == [
        (ticket.pk, "escalations.rule")
    ]


def test_a_pending_ticket_is_still_escalated(make_ticket, junior, senior, rule):
    ticket = make_ticket(holder=junior)
    Ticket.objects.filter(pk=ticket.pk).update(status="pending")

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert outcome.created is True
    assert outcome.escalation.to_agent == senior


def test_each_occurrence_of_a_refusal_is_recorded_once(make_ticket, junior, senior, rule):
    ticket = make_ticket(holder=senior)

    for occurrence in ("o:1", "o:2", "o:1"):
        outcome = escalation_execute(request=rule_request(ticket, rule, occurrence=occurrence))
        assert outcome.refused == f"{senior} already holds the ticket."

    assert [(d["occurrence"], d["code"]) for _, _, d in suppressions()] == [
        ("o:1", "current_holder"),
        ("o:2", "current_holder"),
    ]


def test_a_refusal_without_a_rule_is_recorded_for_the_system(make_ticket, lead):
    ticket = make_ticket(holder=lead)

    outcome = escalation_execute(
        request=rule_request(ticket, None, trigger=TriggerKey.UNACKNOWLEDGED, occurrence="u:7")
    )

    assert outcome.refused == f"{lead} already holds the ticket."
    assert suppressions() == [
        (
            "system",
            "",
            {
                "rule": None,
                "trigger": "unacknowledged",
                "occurrence": "u:7",
                "reason": f"{lead} already holds the ticket.",
                "code": "current_holder",
            },
        )
    ]
    assert list(RuleOutcome.objects.values_list("key", flat=True)) == [":u:7"]


def test_a_manual_refusal_is_raised_and_not_recorded(make_ticket, lead):
    ticket = make_ticket(holder=lead)
    request = EscalationRequest(
        ticket_id=ticket.pk,
        trigger=TriggerKey.MANUAL,
        occurrence="manual:1",
        sentence="By hand.",
        actor=lead,
        handoff=HANDOFF,
    )

    with pytest.raises(EscalationRefused) as exc:
        escalation_execute(request=request)

    assert (exc.value.reason, exc.value.code) == (
        f"{lead} already holds the ticket.",
        "current_holder",
    )
    assert str(exc.value) == f"{lead} already holds the ticket."
    assert AuditEvent.objects.count() == 0
    assert RuleOutcome.objects.count() == 0


def test_rule_outcome_first_is_true_once_per_ticket_kind_and_key(make_ticket):
    ticket = make_ticket()
    other = make_ticket()

    assert rule_outcome_first(ticket_id=ticket.pk, kind="suppressed", key="a") is True
    assert rule_outcome_first(ticket_id=ticket.pk, kind="suppressed", key="a") is False
    assert rule_outcome_first(ticket_id=ticket.pk, kind="suppressed", key="b") is True
    assert rule_outcome_first(ticket_id=ticket.pk, kind="suppressed") is True
    assert rule_outcome_first(ticket_id=ticket.pk, kind="suppressed", key="") is False
    assert rule_outcome_first(ticket_id=other.pk, kind="suppressed", key="a") is True
    assert rule_outcome_first(ticket_id=ticket.pk, kind="routed", key="a") is True
    assert RuleOutcome.objects.count() == 5


def _fixed_now(monkeypatch, now):
    monkeypatch.setattr(escalate, "timezone", SimpleNamespace(now=lambda: now))


@pytest.mark.parametrize(
    ("ago", "refused"),
    [
        pytest.param(timedelta(minutes=60), True, id="exactly-the-cooldown-ago"),
        pytest.param(timedelta(minutes=59, seconds=59), True, id="within"),
        pytest.param(timedelta(minutes=60, seconds=1), False, id="past"),
    ],
)
def test_the_cooldown_counts_the_rules_escalations_since_its_start(
    make_ticket, junior, senior, rule, monkeypatch, ago, refused
):
    ticket = make_ticket(holder=junior)
    now = timezone.now()
    factories.BackdatedEscalationFactory(
        ticket=ticket, rule=rule, occurrence="earlier", created_at=now - ago
    )
    _fixed_now(monkeypatch, now)

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert outcome.created is not refused
    if refused:
        assert outcome.refused == (
            "Rule “Big refunds” escalated this ticket less than 60 min ago (cooldown)."
        )
        assert [d["code"] for _, _, d in suppressions()] == ["cooldown"]
    else:
        assert outcome.escalation.to_agent == senior


def test_the_cooldown_is_per_rule_and_per_ticket(make_ticket, junior, senior, rule):
    ticket = make_ticket(holder=junior)
    factories.EscalationFactory(ticket=ticket, rule=factories.RuleFactory(), occurrence="x:1")
    factories.EscalationFactory(ticket=make_ticket(), rule=rule, occurrence="x:2")

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert outcome.created is True


def test_a_step_up_a_chain_has_no_cooldown(make_ticket, junior, senior, lead, rule):
    ticket = make_ticket(holder=junior)
    first = escalation_execute(request=rule_request(ticket, rule)).escalation

    step = escalation_execute(
        request=rule_request(ticket, rule, occurrence="o:2", target=None, parent=first)
    )

    assert (step.created, step.escalation.to_agent, step.escalation.parent) == (True, lead, first)
    assert suppressions() == []


def test_a_rule_without_a_cooldown_escalates_again(make_ticket, junior, senior, rule):
    rule.cooldown_minutes = 0
    rule.save()
    ticket = make_ticket(holder=junior)
    factories.EscalationFactory(ticket=ticket, rule=rule, occurrence="x:1")

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert (outcome.created, outcome.escalation.to_agent) == (True, senior)


@pytest.mark.parametrize(("count", "created"), [(3, True), (4, False)])
def test_the_chain_limit_refuses_from_the_limit_on(
    make_ticket, junior, senior, rule, count, created
):
    ticket = make_ticket(holder=junior)
    Ticket.objects.filter(pk=ticket.pk).update(escalation_count=count)

    outcome = escalation_execute(request=rule_request(ticket, rule))

    assert outcome.created is created
    if created:
        assert outcome.escalation.chain_position == 4
    else:
        assert outcome.refused == "The ticket was escalated 4 times: the chain limit is 4."
        assert [d["code"] for _, _, d in suppressions()] == ["chain_limit"]


# --- resolution --------------------------------------------------------------------------------


def test_the_callers_notes_come_before_the_targets(make_ticket, junior, senior, rule):
    ticket = make_ticket(holder=junior)

    escalation = escalation_execute(
        request=rule_request(ticket, rule, notes=["Target of rule “VIP”."])
    ).escalation

    assert escalation.route_notes == ["Target of rule “VIP”.", f"Named agent: {senior}."]
    assert lines(escalation)[3:5] == [
        "Route note: Target of rule “VIP”.",
        f"Route note: Named agent: {senior}.",
    ]


def test_a_person_chosen_by_name_wins_over_a_target(make_ticket, junior, senior, lead, lead_target):
    ticket = make_ticket(holder=junior)

    escalation = escalation_execute(
        request=rule_request(ticket, None, target=lead_target, to_agent=senior)
    ).escalation

    assert escalation.to_agent == senior
    assert escalation.route_notes == [f"Chosen by name: {senior}."]


def test_nowhere_to_escalate_an_unassigned_ticket_in_its_queue(make_ticket, team, queue):
    ticket = make_ticket()

    outcome = escalation_execute(request=rule_request(ticket, None, target=None))

    assert outcome.refused == "Nowhere to escalate: Team Support has no active lead."
    assert [d["code"] for _, _, d in suppressions()] == ["no_target"]


def test_nowhere_to_escalate_a_ticket_without_a_queue(make_ticket, junior):
    ticket = make_ticket(holder=junior, queue=None)

    outcome = escalation_execute(
        request=rule_request(ticket, None, target=None, notes=["Default target."])
    )

    assert outcome.refused == (
        "Nowhere to escalate: Default target. The ticket has no team, so no team lead."
    )


def test_a_held_ticket_without_a_receiver_is_left_unassigned_in_its_queue(
    route_rule, make_ticket, junior, queue, pushes, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_execute(
            request=rule_request(ticket, route_rule, target=None)
        ).escalation

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.queue) == (None, queue)
    assert (escalation.to_agent, escalation.to_queue) == (None, queue)
    assert lines(escalation)[2] == f"Route: {junior} → nobody (left in General), by rule “Route”"
    reassigned = AuditEvent.objects.get(kind="ticket_reassigned")
    assert (reassigned.before, reassigned.after) == (
        {"assignee": junior.pk, "queue": queue.pk},
        {"assignee": None, "queue": queue.pk},
    )
    assert [(kind, pk, e["type"]) for kind, pk, e in pushes] == [
        ("ticket", ticket.pk, "escalation.summary"),
        ("agent", junior.pk, "escalation.handed_off"),
    ]
    assert pushes[1][2]["message"] == (
        f"#{ticket.pk} was escalated to General by rule “Route”; you still follow it."
    )


def test_a_queue_target_moves_the_ticket_and_names_the_queue(
    route_rule, make_ticket, team, junior, senior, queue
):
    billing = factories.QueueFactory(name="Billing", team=team)
    expert = factories.SeniorFactory(username="expert", team=team)
    billing.members.add(expert)
    target = factories.TargetFactory(name="Billing", kind=TargetKind.QUEUE, queue=billing)
    ticket = make_ticket(holder=junior)

    escalation = escalation_execute(
        request=rule_request(ticket, route_rule, target=target)
    ).escalation

    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.queue) == (expert, billing)
    assert (escalation.from_queue, escalation.to_queue) == (queue, billing)
    assert lines(escalation)[2] == f"Route: {junior} → {expert} in Billing, by rule “Route”"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert event.data["to_queue"] == billing.pk
    assert event.data["changes"] == [
        ["queue_changed", {"from": queue.pk, "to": billing.pk}],
        ["assigned", {"from": junior.pk, "to": expert.pk, "reason": "escalation"}],
    ]
    reassigned = AuditEvent.objects.get(kind="ticket_reassigned")
    assert reassigned.after == {"assignee": expert.pk, "queue": billing.pk}


def test_a_queue_target_without_a_senior_names_the_queue_it_moved_to(
    route_rule, make_ticket, team, junior, queue
):
    billing = factories.QueueFactory(name="Billing", team=team)
    target = factories.TargetFactory(name="Billing", kind=TargetKind.QUEUE, queue=billing)
    ticket = make_ticket(holder=junior)

    escalation = escalation_execute(
        request=rule_request(ticket, route_rule, target=target)
    ).escalation

    assert lines(escalation)[2] == f"Route: {junior} → nobody in Billing, by rule “Route”"


def test_a_ticket_without_a_queue_is_routed_into_the_targets_queue(
    route_rule, make_ticket, team, senior
):
    billing = factories.QueueFactory(name="Billing", team=team)
    billing.members.add(senior)
    target = factories.TargetFactory(name="Billing", kind=TargetKind.QUEUE, queue=billing)
    ticket = make_ticket(queue=None)

    escalation = escalation_execute(
        request=rule_request(ticket, route_rule, target=target)
    ).escalation

    assert lines(escalation)[2] == f"Route: unassigned → {senior} in Billing, by rule “Route”"
    reassigned = AuditEvent.objects.get(kind="ticket_reassigned")
    assert (reassigned.before, reassigned.after) == (
        {"assignee": None, "queue": None},
        {"assignee": senior.pk, "queue": billing.pk},
    )


def test_an_unassigned_ticket_goes_to_another_queue_even_without_a_senior(make_ticket, team, queue):
    billing = factories.QueueFactory(name="Billing", team=team)
    target = factories.TargetFactory(name="Billing", kind=TargetKind.QUEUE, queue=billing)
    ticket = make_ticket()

    escalation = escalation_execute(request=rule_request(ticket, None, target=target)).escalation

    assert (escalation.to_agent, escalation.to_queue) == (None, billing)
    assert Ticket.objects.get(pk=ticket.pk).queue == billing


# --- ping-pong ---------------------------------------------------------------------------------


def handed_on(ticket, *, agent=None, from_queue=None, to_queue=None) -> None:
    """An earlier step of the ticket's path: who and which queue handed it on."""
    factories.EscalationFactory(
        ticket=ticket, from_agent=agent, from_queue=from_queue, to_queue=to_queue
    )


def test_back_to_a_queue_the_ticket_left_goes_one_level_up(make_ticket, team, junior, lead, queue):
    billing = factories.QueueFactory(name="Billing", team=team)
    ticket = make_ticket(holder=junior, queue=billing)
    handed_on(ticket, from_queue=queue, to_queue=billing)
    target = factories.TargetFactory(name="Back", kind=TargetKind.QUEUE, queue=queue)

    escalation = escalation_execute(request=rule_request(ticket, None, target=target)).escalation

    assert (escalation.to_agent, escalation.to_queue) == (lead, billing)
    assert escalation.route_notes == [
        "No available senior in General: left unassigned there.",
        f"Ping-pong: Support / General already handed this ticket on; sent one level up to "
        f"{lead} instead.",
    ]


def test_a_queue_escalated_within_itself_was_not_left(
    make_ticket, team, junior, senior, lead, queue
):
    ticket = make_ticket(holder=senior)
    handed_on(ticket, agent=junior, from_queue=queue, to_queue=queue)
    target = factories.TargetFactory(name="Here", kind=TargetKind.QUEUE, queue=queue)

    escalation = escalation_execute(request=rule_request(ticket, None, target=target)).escalation

    assert (escalation.to_agent, escalation.to_queue) == (None, queue)
    assert escalation.route_notes == ["No available senior in General: left unassigned there."]


def test_a_person_in_a_queue_the_ticket_left_is_no_ping_pong(
    make_ticket, team, junior, senior, lead, queue, senior_target
):
    billing = factories.QueueFactory(name="Billing", team=team)
    ticket = make_ticket(holder=junior)
    handed_on(ticket, from_queue=queue, to_queue=billing)

    escalation = escalation_execute(request=rule_request(ticket, None, target=senior_target))

    assert (escalation.escalation.to_agent, escalation.escalation.to_queue) == (senior, queue)


def test_an_unassigned_step_in_the_path_hands_on_nobody(make_ticket, team, senior, lead, queue):
    ticket = make_ticket(holder=senior)
    handed_on(ticket, agent=None, from_queue=queue, to_queue=queue)

    escalation = escalation_execute(request=rule_request(ticket, None, target=None)).escalation

    assert escalation.to_agent == lead
    assert escalation.route_notes == [f"Team lead of Support: {lead}."]


def test_ping_pong_is_refused_without_a_lead(make_ticket, team, junior, senior, senior_target):
    ticket = make_ticket(holder=junior)
    handed_on(ticket, agent=senior)

    outcome = escalation_execute(request=rule_request(ticket, None, target=senior_target))

    assert outcome.refused == (
        f"Ping-pong refused: {senior} already handed this ticket on, and there is no level "
        "above to send it to."
    )
    assert [d["code"] for _, _, d in suppressions()] == ["ping_pong"]


def test_ping_pong_is_refused_when_the_lead_holds_the_ticket(
    make_ticket, junior, senior, lead, senior_target
):
    ticket = make_ticket(holder=lead)
    handed_on(ticket, agent=senior)

    outcome = escalation_execute(request=rule_request(ticket, None, target=senior_target))

    assert outcome.refused.startswith(f"Ping-pong refused: {senior} already handed")


def test_ping_pong_is_refused_when_the_lead_handed_it_on_too(
    make_ticket, team, junior, senior, lead, senior_target
):
    ticket = make_ticket(holder=junior)
    handed_on(ticket, agent=senior)
    handed_on(ticket, agent=lead)

    outcome = escalation_execute(request=rule_request(ticket, None, target=senior_target))

    assert outcome.refused.startswith(f"Ping-pong refused: {senior} already handed")


# --- what an escalation writes -----------------------------------------------------------------


def test_a_manual_escalation_writes_every_column_and_its_audit(
    make_ticket, junior, lead, queue, pushes, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)
    Ticket.objects.filter(pk=ticket.pk).update(escalation_count=1)
    parent = factories.EscalationFactory(ticket=ticket, occurrence="first")
    request = EscalationRequest(
        ticket_id=ticket.pk,
        trigger=TriggerKey.MANUAL,
        occurrence="manual:9",
        sentence="junior escalated by hand.",
        evidence={"handoff": True},
        actor=junior,
        handoff=HANDOFF,
        parent=parent,
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = escalation_execute(request=request)

    escalation = Escalation.objects.get(pk=outcome.escalation.pk)
    assert outcome.created is True
    assert (escalation.trigger, escalation.occurrence, escalation.rule, escalation.rule_name) == (
        "manual",
        "manual:9",
        None,
        "",
    )
    assert (escalation.initiated_by, escalation.from_agent, escalation.to_agent) == (
        junior,
        junior,
        lead,
    )
    assert (escalation.from_queue, escalation.to_queue, escalation.target) == (queue, queue, None)
    assert (escalation.parent, escalation.chain_position, escalation.evidence) == (
        parent,
        2,
        {"handoff": True},
    )
    assert (
        escalation.handoff_tried,
        escalation.handoff_diagnosis,
        escalation.handoff_authority_needed,
    ) == ("Re-sent the invoice.", "Billing sync is stuck.", "A credit note.")
    assert escalation.summary_note == Note.objects.get(kind="escalation_summary", pinned=True)
    assert escalation.sla_snapshot == {
        "state": None,
        "metric": None,
        "due_at": None,
        "remaining_seconds": None,
        "first_response_due_at": None,
    }
    assert escalation.summary == {
        "trigger_label": "Manual escalation",
        "sentence": "junior escalated by hand.",
        "evidence": [],
        "route_from": str(junior),
        "route_to": str(lead),
        "route_by": str(junior),
        "rule_fired": False,
        "route_notes": [f"Team lead of Support: {lead}."],
        "handoff": {
            "tried": "Re-sent the invoice.",
            "diagnosis": "Billing sync is stuck.",
            "authority_needed": "A credit note.",
        },
        "handoff_author": str(junior),
        "handoff_is_earlier": False,
        "last_customer_excerpt": "",
        "sla": "SLA: no clock is running.",
    }
    audit = list(AuditEvent.objects.order_by("id"))
    assert [(a.kind, a.actor_id, a.actor_label, a.ticket_id) for a in audit] == [
        ("escalation_created", junior.pk, str(junior), ticket.pk),
        ("ticket_reassigned", junior.pk, str(junior), ticket.pk),
    ]
    assert (audit[0].object_type, audit[0].object_id) == (
        "escalations.escalation",
        str(escalation.pk),
    )
    assert audit[0].after["occurrence"] == "manual:9"
    assert audit[0].after["chain_position"] == 2
    assert audit[0].data == {"trigger": "manual", "occurrence": "manual:9"}
    assert (audit[1].object_type, audit[1].object_id) == ("tickets.ticket", str(ticket.pk))
    assert audit[1].data == {"reason": "escalation", "escalation": escalation.pk}
    assert list(
        Notification.objects.values_list("agent_id", "kind", "escalation_id", "message")
    ) == [
        (
            lead.pk,
            "escalation_assigned",
            escalation.pk,
            f"#{ticket.pk} escalated to you by {junior}.",
        )
    ]
    assert [(kind, pk, e["type"]) for kind, pk, e in pushes] == [
        ("ticket", ticket.pk, "escalation.summary"),
        ("agent", lead.pk, "escalation.assigned"),
    ]


def test_a_rule_fired_escalation_shows_the_previous_holders_earlier_handoff(
    make_ticket, junior, senior, rule
):
    ticket = make_ticket(holder=junior)
    factories.EscalationFactory(
        ticket=ticket,
        from_agent=junior,
        occurrence="before",
        handoff_tried="Asked twice.",
        handoff_diagnosis="A bug.",
        handoff_authority_needed="A refund.",
    )

    escalation = escalation_execute(request=rule_request(ticket, rule)).escalation

    assert lines(escalation)[2:] == [
        f"Route: {junior} → {senior}, by rule “Big refunds”",
        f"Route note: Named agent: {senior}.",
        f"Earlier handoff from {junior}:",
        "- Tried: Asked twice.",
        "- Diagnosis: A bug.",
        "- Authority needed: A refund.",
        "SLA: no clock is running.",
    ]
    assert escalation.summary["handoff_is_earlier"] is True
    assert escalation.summary["rule_fired"] is True
    assert escalation.summary["last_customer_excerpt"] == ""


def test_without_a_holder_the_summary_quotes_the_last_customer_message(make_ticket, senior, rule):
    ticket = make_ticket(body="Where is my refund?")

    escalation = escalation_execute(request=rule_request(ticket, rule)).escalation

    assert escalation.summary["handoff_author"] == "the previous holder"
    assert escalation.summary["handoff"] is None
    assert lines(escalation)[2:] == [
        f"Route: unassigned → {senior}, by rule “Big refunds”",
        f"Route note: Named agent: {senior}.",
        "Handoff: None: rule “Big refunds” fired while nobody held the ticket, so no handoff was "
        "written.",
        "Last customer message: “Where is my refund?”",
        "SLA: no clock is running.",
    ]


def test_a_holder_without_a_handoff_is_named_as_its_author(make_ticket, team, junior, senior, rule):
    ticket = make_ticket(holder=junior, body="Where is my refund?")
    factories.EscalationFactory(
        ticket=ticket,
        from_agent=factories.AgentFactory(team=team),
        occurrence="other",
        handoff_tried="Someone else's.",
        handoff_diagnosis="Someone else's.",
        handoff_authority_needed="Someone else's.",
    )

    escalation = escalation_execute(request=rule_request(ticket, rule)).escalation

    assert escalation.summary["handoff_author"] == str(junior)
    assert escalation.summary["handoff"] is None
    assert escalation.summary["last_customer_excerpt"] == "Where is my refund?"


@pytest.mark.parametrize(
    ("rule_name", "by", "label"),
    [
        pytest.param(
            "Ack in 15",
            "rule “Ack in 15” (not acknowledged in time)",
            "rule: Ack in 15",
            id="with-its-rule",
        ),
        pytest.param(None, "not acknowledged in time", "system", id="without-a-rule"),
    ],
)
def test_an_unacknowledged_step_says_why_it_moved(make_ticket, senior, lead, rule_name, by, label):
    rule = factories.RuleFactory(name=rule_name) if rule_name else None
    ticket = make_ticket(holder=senior)

    escalation = escalation_execute(
        request=rule_request(ticket, rule, trigger=TriggerKey.UNACKNOWLEDGED, target=None)
    ).escalation

    assert lines(escalation)[:3] == [
        "Escalated: Not acknowledged in time",
        "What changed: A refund of 800.00 USD was requested.",
        f"Route: {senior} → {lead}, by {by}",
    ]
    assert {a.actor_label for a in AuditEvent.objects.all()} == {label}
    assert escalation.rule_name == (rule_name or "")


def test_the_escalate_tag_is_added_only_for_a_tag_escalation(make_ticket, junior, lead):
    tagged = make_ticket(holder=junior)
    plain = make_ticket(holder=junior)

    escalation_execute(request=rule_request(tagged, None, target=None, via_tag=True))
    escalation_execute(request=rule_request(plain, None, target=None))

    assert list(tagged.tags.values_list("name", flat=True)) == ["escalate"]
    assert list(plain.tags.values_list("name", flat=True)) == []


# --- Slack: notify only, after commit ----------------------------------------------------------


@pytest.fixture
def slack_target(team):
    return factories.TargetFactory(
        name="#escalations",
        kind=TargetKind.SLACK,
        slack_webhook_url="https://hooks.slack.com/services/T000/B000/XXXX",
        team=team,
    )


def test_a_slack_target_leaves_the_ticket_and_posts_after_commit(
    route_rule,
    make_ticket,
    junior,
    queue,
    slack_target,
    monkeypatch,
    pushes,
    django_capture_on_commit_callbacks,
):
    enqueued: list[int] = []
    monkeypatch.setattr(
        escalate, "delivery_enqueue", lambda *, delivery_id: enqueued.append(delivery_id)
    )
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        escalation = escalation_execute(
            request=rule_request(ticket, route_rule, target=slack_target)
        ).escalation
    delivery = Delivery.objects.get()
    assert (enqueued, pushes) == ([], [])
    for callback in callbacks:
        callback()

    assert enqueued == [delivery.pk]
    assert delivery.escalation == escalation
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.queue) == (junior, queue)
    assert (escalation.to_agent, escalation.to_queue, escalation.target) == (
        None,
        None,
        slack_target,
    )
    assert lines(escalation)[2:4] == [
        f"Route: {junior} → Slack (#escalations), by rule “Route”",
        "Route note: Posted to Slack (#escalations); the ticket stays with its holder.",
    ]
    assert [a.kind for a in AuditEvent.objects.all()] == ["escalation_created"]
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED)
    assert (event.data["to"], event.data["to_queue"], event.data["changes"]) == (None, None, [])
    assert [(kind, pk, e["type"]) for kind, pk, e in pushes] == [
        ("ticket", ticket.pk, "escalation.summary"),
        ("agent", junior.pk, "escalation.handed_off"),
    ]
    assert list(Notification.objects.values_list("agent_id", "kind", "message")) == [
        (
            junior.pk,
            "ticket_reassigned",
            f"#{ticket.pk} was escalated to Slack by rule “Route”; you still follow it.",
        )
    ]


def test_nothing_is_enqueued_for_a_target_that_is_not_slack(
    make_ticket, junior, senior, rule, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued: list[int] = []
    monkeypatch.setattr(
        escalate, "delivery_enqueue", lambda *, delivery_id: enqueued.append(delivery_id)
    )
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        escalation_execute(request=rule_request(ticket, rule))

    assert (enqueued, Delivery.objects.count()) == ([], 0)


# --- the integration webhook -------------------------------------------------------------------


def test_the_webhook_names_the_escalation_and_goes_to_the_tickets_team(
    make_ticket, team, junior, senior, rule
):
    other_team = factories.TeamFactory(name="Other")
    ours = Webhook.objects.create(
        url="https://hooks.example.com/ours", events=["escalation.created"], secret="s", team=team
    )
    Webhook.objects.create(
        url="https://hooks.example.com/theirs",
        events=["escalation.created"],
        secret="s",
        team=other_team,
    )
    ticket = make_ticket(holder=junior)

    escalation = escalation_execute(request=rule_request(ticket, rule)).escalation

    delivery = Delivery.objects.get()
    assert (delivery.webhook, delivery.event) == (ours, "escalation.created")
    assert delivery.payload == {
        "escalation": escalation.pk,
        "ticket": ticket.pk,
        "trigger": "refund_threshold",
        "rule": rule.pk,
        "from_agent": junior.pk,
        "to_agent": senior.pk,
        "to_queue": ticket.queue_id,
        "created_at": escalation.created_at.isoformat(),
    }


def test_an_integrity_error_that_is_no_replay_is_raised(
    make_ticket, junior, senior, rule, monkeypatch
):
    def fail(*args, **kwargs):
        raise IntegrityError("something else")

    monkeypatch.setattr(escalate, "audit_records", fail)
    ticket = make_ticket(holder=junior)

    with pytest.raises(IntegrityError):
        escalation_execute(request=rule_request(ticket, rule))

    assert Escalation.objects.count() == 0
    assert Ticket.objects.get(pk=ticket.pk).assignee == junior


def test_a_slack_escalation_is_announced_to_the_team_of_the_tickets_queue(
    make_ticket, team, junior, slack_target
):
    ours = Webhook.objects.create(
        url="https://hooks.example.com/ours", events=["escalation.created"], secret="s", team=team
    )
    ticket = make_ticket(holder=junior)

    escalation_execute(request=rule_request(ticket, None, target=slack_target))

    assert list(Delivery.objects.filter(webhook__isnull=False).values_list("webhook", "event")) == [
        (ours.pk, "escalation.created")
    ]


def test_an_escalation_outside_any_queue_is_announced_to_global_webhooks_only(
    make_ticket, team, junior, senior
):
    every = Webhook.objects.create(
        url="https://hooks.example.com/all", events=["escalation.created"], secret="s"
    )
    Webhook.objects.create(
        url="https://hooks.example.com/team", events=["escalation.created"], secret="s", team=team
    )
    ticket = make_ticket(holder=junior, queue=None)

    escalation = escalation_execute(
        request=rule_request(ticket, None, target=None, to_agent=senior)
    ).escalation

    assert (escalation.to_agent, escalation.to_queue) == (senior, None)
    assert list(Delivery.objects.values_list("webhook", "event")) == [
        (every.pk, "escalation.created")
    ]


# --- one cause, one escalation -----------------------------------------------------------------


def test_a_cause_already_escalated_by_another_rule_returns_that_escalation(
    make_ticket, junior, senior, lead, rule
):
    ticket = make_ticket(holder=junior)
    first = escalation_execute(request=rule_request(ticket, rule, occurrence="message:5"))
    other_rule = factories.RuleFactory(name="Angry", target=None)

    again = escalation_execute(
        request=rule_request(
            ticket,
            other_rule,
            occurrence="message:5",
            trigger=TriggerKey.SENTIMENT_NEGATIVE,
            target=None,
        )
    )

    assert (again.escalation, again.created, again.refused) == (first.escalation, False, "")
    assert Escalation.objects.count() == 1
    assert Ticket.objects.get(pk=ticket.pk).assignee == senior


def test_the_same_cause_on_another_ticket_is_escalated_there_too(make_ticket, junior, senior, rule):
    elsewhere = make_ticket(holder=junior)
    escalation_execute(request=rule_request(elsewhere, rule, occurrence="refund:9"))
    ticket = make_ticket(holder=junior)

    outcome = escalation_execute(request=rule_request(ticket, rule, occurrence="refund:9"))

    assert (outcome.created, outcome.escalation.ticket_id) == (True, ticket.pk)
    assert Escalation.objects.count() == 2


def test_a_replay_the_lock_missed_returns_the_tickets_escalation_of_that_cause(
    make_ticket, junior, senior, rule, monkeypatch
):
    # given this cause escalated the ticket, then a later escalation of another cause here and
    # one of the same cause on another ticket
    rule.cooldown_minutes = 0
    rule.save()
    ticket = make_ticket(holder=junior)
    first = escalation_execute(request=rule_request(ticket, rule, occurrence="refund:1")).escalation
    factories.EscalationFactory(ticket=ticket, rule=rule, occurrence="refund:2")
    factories.EscalationFactory(ticket=make_ticket(), rule=rule, occurrence="refund:1")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=junior)
    monkeypatch.setattr(escalate, "_already_escalated", lambda **kwargs: None)

    # when the cause is replayed and only the unique constraint notices
    outcome = escalation_execute(request=rule_request(ticket, rule, occurrence="refund:1"))

    # then the ticket's escalation of that cause is returned
    assert (outcome.escalation, outcome.created) == (first, False)
    assert Escalation.objects.count() == 3


# --- the summary's evidence and a rule's blank handoff -----------------------------------------


def test_a_tier_upgrade_shows_the_tiers_and_has_no_handoff_columns(
    make_ticket, junior, senior, rule
):
    ticket = make_ticket(holder=junior)

    escalation = escalation_execute(
        request=rule_request(
            ticket,
            rule,
            trigger=TriggerKey.TIER_UPGRADE,
            evidence={"from": "standard", "to": "vip"},
        )
    ).escalation

    assert lines(escalation)[:3] == [
        "Escalated: Customer tier upgraded",
        "What changed: A refund of 800.00 USD was requested.",
        "Tier: standard → vip",
    ]
    assert escalation.evidence == {"from": "standard", "to": "vip"}
    assert (
        escalation.handoff_tried,
        escalation.handoff_diagnosis,
        escalation.handoff_authority_needed,
    ) == ("", "", "")


def test_an_escalation_is_a_fixed_number_of_queries(
    make_ticket, junior, senior, rule, django_assert_num_queries
):
    # The lock query also loads the queue, its team and lead, the holder and the customer: the
    # guards, the resolution, the ticket's changes and the rollup read them without a query each;
    # one read of the ticket's escalations serves the replay check, the guards and the summary's
    # handoff. The rollup reads the agents' teams and handled rows once for the event and the
    # escalation, and adds to each rollup cell with one upsert (no savepoint for a new cell); the
    # audit rows are one insert, the notifications another, and one delete keeps every agent's
    # notifications within the bound. PostgreSQL adds the reports' shared lock of the month (once).
    ticket = make_ticket(holder=junior)

    with django_assert_num_queries(23 if connection.vendor == "postgresql" else 22):
        outcome = escalation_execute(request=rule_request(ticket, rule))

    assert outcome.escalation.to_agent == senior
