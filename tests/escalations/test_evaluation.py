"""Events through the engine: routing on creation, SLA and tier triggers, schedules, rule_clean."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_q.models import Schedule

from escalations.engine.evaluate import event_evaluate
from escalations.models import AuditEvent, Escalation, RuleKind, TriggerKey
from escalations.schedules import schedules_ensure
from escalations.services import rule_clean
from tests import factories
from tickets import services as ticket_services
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_routing_rule_picks_queue_and_assignee_on_creation(
    team, senior, django_capture_on_commit_callbacks
):
    vip_queue = factories.QueueFactory(name="VIP", team=team)
    rule = factories.RuleFactory(
        name="Enterprise to VIP",
        kind=RuleKind.ROUTING,
        trigger_kind="ticket_created",
        conditions=[{"field": "tier", "op": "eq", "value": "enterprise"}],
        target=None,
        route_queue=vip_queue,
        route_assignee=senior,
    )
    big = factories.CustomerFactory(tier="enterprise")
    small = factories.CustomerFactory(tier="free")

    with django_capture_on_commit_callbacks(execute=True):
        routed = ticket_services.ticket_create(subject="Down", customer=big, body="Site is down.")
        plain = ticket_services.ticket_create(subject="Q", customer=small, body="A question.")

    routed.refresh_from_db()
    plain.refresh_from_db()
    assert (routed.queue, routed.assignee) == (vip_queue, senior)
    assert (plain.queue, plain.assignee) == (None, None)
    audit = AuditEvent.objects.get(kind="ticket_routed")
    assert (audit.ticket_id, audit.actor_label) == (routed.pk, "rule: Enterprise to VIP")
    assert audit.after == {"queue": vip_queue.pk, "assignee": senior.pk}
    # a retried evaluation routes nothing again
    created = TicketEvent.objects.get(ticket=routed, kind="ticket_created")
    assert [o.routed for o in event_evaluate(event_id=created.pk)] == [False]
    assert AuditEvent.objects.filter(kind="ticket_routed").count() == 1
    assert rule.escalations.count() == 0


def test_frt_amber_from_the_sla_sweep_escalates(
    make_ticket, junior, lead, lead_target, django_capture_on_commit_callbacks
):
    factories.RuleFactory(name="FRT amber", trigger_kind="frt_amber", target=lead_target)
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        event = ticket_services.ticket_event_record(
            ticket=ticket,
            kind="sla_state_changed",
            data={"metric": "first_response", "from": "green", "to": "amber", "clock": 4},
        )

    escalation = Escalation.objects.get()
    assert escalation.trigger == TriggerKey.FRT_AMBER
    assert escalation.occurrence == f"sla:{event.pk}"
    assert escalation.to_agent == lead
    assert escalation.summary_note.body.splitlines()[1] == (
        "What changed: The first response SLA clock went from green to amber."
    )


def test_tier_upgrade_escalates_each_open_ticket_and_downgrade_does_not(
    customer, make_ticket, junior, senior, senior_target, django_capture_on_commit_callbacks
):
    factories.RuleFactory(name="Upgrades", trigger_kind="tier_upgrade", target=senior_target)
    first = make_ticket(holder=junior)
    second = make_ticket(holder=junior)
    closed = make_ticket(holder=junior)
    ticket_services.ticket_update(ticket=closed, actor=None, status="closed")

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.customer_update(customer=customer, actor=None, tier="free")
    assert Escalation.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.customer_update(customer=customer, actor=None, tier="enterprise")

    assert sorted(Escalation.objects.values_list("ticket_id", flat=True)) == [first.pk, second.pk]
    assert Ticket.objects.get(pk=closed.pk).assignee == junior


def test_events_no_trigger_listens_to_queue_nothing(
    make_ticket, junior, django_capture_on_commit_callbacks, monkeypatch
):
    ticket = make_ticket(holder=junior)
    queued: list[tuple] = []
    pushed: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        "escalations.queueing.task_enqueue_or_defer", lambda *args, **kw: queued.append(args)
    )
    monkeypatch.setattr("tickets.realtime.push_many", pushed.extend)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ticket_services.note_add(ticket=ticket, body="internal", author=junior)

    # the one callback is the note's live push; no evaluation is queued
    assert len(callbacks) == 1
    assert queued == []
    assert [(group, event["type"]) for group, event in pushed] == [
        (f"ticket.{ticket.pk}", "note.created")
    ]


def test_schedules_are_ensured_idempotently():
    call_command("ensure_schedules", stdout=None)
    names = schedules_ensure()

    assert names == [
        "escalations-unacknowledged-sweep",
        "deliveries-due-sweep",
        "evaluations-missed-sweep",
        "sla-sweeper-watchdog",
        "reports-rollup-refresh",
        "mail-mailboxes-poll",
        "mail-replies-due-sweep",
        "idempotency-records-purge",
    ]
    assert sorted(Schedule.objects.values_list("name", "func", "schedule_type", "minutes")) == [
        ("deliveries-due-sweep", "escalations.tasks.deliveries_due_sweep", "I", 1),
        (
            "escalations-unacknowledged-sweep",
            "escalations.tasks.escalations_unacknowledged_sweep",
            "I",
            1,
        ),
        ("evaluations-missed-sweep", "escalations.tasks.evaluations_missed_sweep", "I", 1),
        (
            "idempotency-records-purge",
            "kimondesk.api.tasks.idempotency_records_purge",
            "I",
            60,
        ),
        ("mail-mailboxes-poll", "tickets.mail.tasks.mailbox_polls_enqueue", "I", 1),
        ("mail-replies-due-sweep", "tickets.mail.tasks.reply_mails_due_sweep", "I", 1),
        ("reports-rollup-refresh", "reports.tasks.reports_rollup_refresh", "I", 15),
        ("sla-sweeper-watchdog", "escalations.tasks.sla_sweeper_watchdog", "I", 1),
    ]


def test_rule_clean_returns_cleaned_values(team, lead_target):
    cleaned = rule_clean(
        kind="escalation",
        trigger_kind="refund_threshold",
        trigger_params={"amount": 500, "currency": "EUR"},
        conditions=[{"field": "priority", "op": "gte", "value": "high"}],
        target=lead_target,
        team=team,
    )

    assert cleaned == {
        "kind": "escalation",
        "trigger_kind": "refund_threshold",
        "trigger_params": {"amount": "500.00", "currency": "EUR"},
        "conditions": [{"field": "priority", "op": "gte", "value": "high"}],
        "target": lead_target,
        "team": team,
    }


def test_rule_clean_names_every_bad_field(team):
    other = factories.TargetFactory(kind="team_lead", team=factories.TeamFactory(name="Other"))

    with pytest.raises(ValidationError) as exc:
        rule_clean(
            kind="escalation",
            trigger_kind="ticket_created",
            trigger_params={"x": 1},
            conditions=[{"field": "colour", "op": "eq", "value": "red"}],
            target=other,
            team=team,
        )

    assert exc.value.message_dict == {
        "trigger_kind": ["ticket_created is a trigger for routing rules."],
        "trigger_params": ["x: ticket_created takes no parameter 'x'."],
        "conditions": [
            "Condition 1: unknown field 'colour'; use one of queue, team, priority, tier, status, tag."
        ],
        "target": ["The target belongs to another team."],
    }


def test_rule_clean_unknown_trigger_and_missing_target(team):
    with pytest.raises(ValidationError) as exc:
        rule_clean(
            kind="escalation",
            trigger_kind="moon_phase",
            trigger_params={},
            conditions=[],
            target=None,
            team=team,
        )

    assert exc.value.message_dict == {
        "trigger_kind": [
            "Unknown trigger kind 'moon_phase'; use one of sentiment_negative, frt_amber, "
            "sla_breach, tier_upgrade, refund_threshold, escalate_tag, ticket_created."
        ],
        "target": ["An escalation rule needs a target."],
    }


def test_evaluation_is_a_fixed_number_of_queries(
    make_ticket, junior, lead_target, django_assert_num_queries
):
    factories.RuleFactory(trigger_kind="sentiment_negative", target=lead_target)
    factories.RuleFactory(trigger_kind="sentiment_negative", target=lead_target)
    ticket = make_ticket(holder=junior)
    message = ticket_services.message_add(ticket=ticket, author_type="customer", body="Thanks!")
    event = TicketEvent.objects.get(kind="message_added", data__message=message.pk)
    note_event = ticket_services.ticket_event_record(ticket=ticket, kind="note_added")

    # event, rules, ticket context (the ticket with its tags), the message text, the receipt,
    # and the transaction around them (a savepoint and its release inside the test's transaction)
    with django_assert_num_queries(7):
        assert event_evaluate(event_id=event.pk) == []
    # an event no trigger listens to: only the event is read
    with django_assert_num_queries(1):
        assert event_evaluate(event_id=note_event.pk) == []


def test_a_team_rule_applies_to_its_own_team_only(
    make_ticket, junior, lead, lead_target, django_capture_on_commit_callbacks
):
    other_team = factories.TeamFactory(name="Other")
    factories.RuleFactory(
        name="Other team's refunds",
        team=other_team,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "1.00", "currency": "USD"},
        target=factories.TargetFactory(kind="team_lead", team=other_team),
    )
    own = factories.RuleFactory(
        name="Our refunds",
        team=lead.team,
        order=200,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "1.00", "currency": "USD"},
        target=lead_target,
    )
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.refund_request_create(
            ticket=ticket, amount="5.00", currency="USD", actor=None
        )

    assert list(Escalation.objects.values_list("rule_id", flat=True)) == [own.pk]
