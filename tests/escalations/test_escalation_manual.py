"""Manual escalation with a handoff note, the escalate tag, and acknowledgement."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalations.exceptions import EscalationConflict
from escalations.models import AuditEvent, Escalation, TriggerKey
from escalations.services import escalation_acknowledge, escalation_create_manual
from tests import factories
from tickets import services as ticket_services
from tickets.models import EventKind, Note, Tag, TicketEvent

pytestmark = pytest.mark.django_db

HANDOFF = {
    "tried": "Re-sent the invoice twice.",
    "diagnosis": "Billing sync is stuck for this account.",
    "authority_needed": "Issue a credit note.",
}


def test_manual_escalation_goes_to_the_team_lead_with_the_handoff(
    make_ticket, junior, lead, pushes, django_capture_on_commit_callbacks
):
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)

    ticket.refresh_from_db()
    assert ticket.assignee == lead
    assert escalation.trigger == TriggerKey.MANUAL
    assert escalation.initiated_by == junior
    assert escalation.rule is None
    assert (escalation.from_agent, escalation.to_agent) == (junior, lead)
    assert escalation.handoff_complete is True
    assert escalation.summary_note.body.splitlines() == [
        "Escalated: Manual escalation",
        f"What changed: {junior} escalated the ticket by hand with a handoff note.",
        f"Route: {junior} → {lead}, by {junior}",
        f"Route note: Team lead of Support: {lead}.",
        f"Handoff from {junior}:",
        "- Tried: Re-sent the invoice twice.",
        "- Diagnosis: Billing sync is stuck for this account.",
        "- Authority needed: Issue a credit note.",
        "SLA: no clock is running.",
    ]
    assert [a.kind for a in AuditEvent.objects.order_by("id")] == [
        "escalation_created",
        "ticket_reassigned",
    ]
    assert AuditEvent.objects.filter(actor=junior).count() == 2
    assert [p[2]["type"] for p in pushes] == ["escalation.summary", "escalation.assigned"]


@pytest.mark.parametrize(
    ("blank", "value"),
    [
        pytest.param("tried", "", id="tried-empty"),
        pytest.param("diagnosis", "   ", id="diagnosis-spaces"),
        pytest.param("authority_needed", "\n", id="authority-newline"),
    ],
)
def test_manual_escalation_refuses_a_blank_handoff_field(make_ticket, junior, lead, blank, value):
    ticket = make_ticket(holder=junior)

    with pytest.raises(ValidationError) as exc:
        escalation_create_manual(ticket=ticket, actor=junior, **{**HANDOFF, blank: value})

    assert exc.value.message_dict == {blank: ["This field may not be blank."]}
    assert Escalation.objects.count() == 0
    assert Note.objects.count() == 0


def test_every_blank_field_is_named(make_ticket, junior, lead):
    ticket = make_ticket(holder=junior)

    with pytest.raises(ValidationError) as exc:
        escalation_create_manual(
            ticket=ticket, actor=junior, tried="", diagnosis="", authority_needed=""
        )

    assert sorted(exc.value.message_dict) == ["authority_needed", "diagnosis", "tried"]


def test_never_to_the_current_holder(make_ticket, lead):
    ticket = make_ticket(holder=lead)

    with pytest.raises(EscalationConflict) as exc:
        escalation_create_manual(ticket=ticket, actor=lead, **HANDOFF)

    assert exc.value.code == "current_holder"
    assert Escalation.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_escalate_tag_without_handoff_is_refused_and_nothing_written(make_ticket, junior):
    ticket = make_ticket(holder=junior, tags=["billing"])
    events_before = TicketEvent.objects.count()

    with pytest.raises(ValidationError) as exc:
        ticket_services.ticket_update(
            ticket=ticket, actor=junior, status="pending", tags=["billing", "Escalate"]
        )

    assert exc.value.message_dict == {
        "tags": [
            "Adding the 'escalate' tag needs a handoff note (what you tried, your diagnosis, "
            "the authority you need): use the escalate action instead."
        ]
    }
    ticket.refresh_from_db()
    assert ticket.status == "new"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing"]
    assert TicketEvent.objects.count() == events_before
    assert Tag.objects.filter(name="escalate").count() == 0
    assert Escalation.objects.count() == 0


def test_escalate_tag_with_handoff_uses_the_tag_rule_target(
    make_ticket, junior, senior, senior_target, django_capture_on_commit_callbacks
):
    factories.RuleFactory(name="Tagged", trigger_kind="escalate_tag", target=senior_target)
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_create_manual(ticket=ticket, actor=junior, via_tag=True, **HANDOFF)

    ticket.refresh_from_db()
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["escalate"]
    assert ticket.assignee == senior
    assert escalation.trigger == TriggerKey.ESCALATE_TAG
    assert escalation.route_notes == [
        "Target of the escalate-tag rule “Tagged”.",
        f"Named agent: {senior}.",
    ]
    # One escalation, one event: the tag and the reassignment are changes it carries.
    event = TicketEvent.objects.get(ticket=ticket, actor=junior)
    assert event.kind == EventKind.ESCALATED
    assert event.field_changes() == [
        (EventKind.TAGS_CHANGED, {"added": ["escalate"], "removed": [], "handoff": True}),
        (EventKind.ASSIGNED, {"from": junior.pk, "to": senior.pk, "reason": "escalation"}),
    ]
    assert event.data["assigned"] is True
    assert Escalation.objects.count() == 1


def test_acknowledge_records_the_time_and_audits(make_ticket, junior, lead):
    ticket = make_ticket(holder=junior)
    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)

    acknowledged = escalation_acknowledge(escalation=escalation, actor=lead)

    assert acknowledged.acknowledged_by == lead
    assert acknowledged.acknowledged_at is not None
    event = TicketEvent.objects.get(kind=EventKind.ESCALATION_ACKNOWLEDGED)
    assert event.data["escalation"] == escalation.pk
    assert event.data["seconds"] == int(
        (acknowledged.acknowledged_at - escalation.created_at).total_seconds()
    )
    assert AuditEvent.objects.filter(kind="escalation_acknowledged", actor=lead).count() == 1


def test_acknowledge_twice_is_a_conflict(make_ticket, junior, lead):
    ticket = make_ticket(holder=junior)
    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)
    escalation_acknowledge(escalation=escalation, actor=lead)

    with pytest.raises(EscalationConflict):
        escalation_acknowledge(escalation=escalation, actor=lead)

    assert AuditEvent.objects.filter(kind="escalation_acknowledged").count() == 1


def test_only_the_receiver_or_a_lead_acknowledges(make_ticket, junior, senior, lead):
    ticket = make_ticket(holder=junior)
    escalation = escalation_create_manual(ticket=ticket, actor=junior, **HANDOFF)

    with pytest.raises(PermissionDenied):
        escalation_acknowledge(escalation=escalation, actor=senior)

    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None
    assert AuditEvent.objects.filter(kind="escalation_acknowledged").count() == 0


def test_a_lead_acknowledging_someone_elses_escalation_does_it_on_their_behalf(
    make_ticket, junior, senior, lead, senior_target
):
    ticket = make_ticket(holder=junior)
    escalation = escalation_create_manual(
        ticket=ticket, actor=junior, target=senior_target, **HANDOFF
    )

    acknowledged = escalation_acknowledge(escalation=escalation, actor=lead)

    assert (acknowledged.acknowledged_by, acknowledged.acknowledged_on_behalf_of) == (lead, senior)
    audit = AuditEvent.objects.get(kind="escalation_acknowledged")
    assert audit.after["acknowledged_on_behalf_of"] == senior.pk
    assert audit.data["on_behalf_of"] == senior.pk
    assert junior.notifications.get().message == (
        f"#{ticket.pk}: your escalation was acknowledged by {lead} on behalf of {senior}."
    )


def test_the_receiver_acknowledges_for_themself(make_ticket, junior, senior, lead, senior_target):
    ticket = make_ticket(holder=junior)
    escalation = escalation_create_manual(
        ticket=ticket, actor=junior, target=senior_target, **HANDOFF
    )

    acknowledged = escalation_acknowledge(escalation=escalation, actor=senior)

    assert (acknowledged.acknowledged_by, acknowledged.acknowledged_on_behalf_of) == (senior, None)
    audit = AuditEvent.objects.get(kind="escalation_acknowledged")
    assert audit.data["on_behalf_of"] is None
