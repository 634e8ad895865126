"""Applying a macro: the reply and the actions go through the ticket services with the same
checks as a manual edit, every event says "via macro <name>", and the use is recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from escalations.models import AuditEvent
from tests import factories
from tickets.history import ticket_history
from tickets.macros.models import Macro, MacroUse
from tickets.macros.selectors import macro_render_for
from tickets.macros.services import macro_apply, macro_delete, macro_save
from tickets.models import EventKind, Message, Note, TicketEvent


@pytest.fixture
def ticket(queue, junior, customer):
    return factories.TicketFactory(
        queue=queue, assignee=junior, customer=customer, status="open", priority="normal"
    )


@pytest.fixture
def refund_macro(team):
    return factories.MacroFactory(
        name="Refund under 200",
        team=team,
        body="Hi {{ customer_name }}, your refund of {{ refund_amount }} is on its way.",
        set_status="pending",
        set_priority="low",
        add_tags=["refund", "refund-approved"],
        internal_note="Refund {{ refund_amount }} confirmed by {{ agent_name }}.",
    )


def _nothing_written(ticket):
    assert Message.objects.filter(ticket=ticket).count() == 0
    assert Note.objects.filter(ticket=ticket).count() == 0
    assert TicketEvent.objects.filter(ticket=ticket).count() == 0
    assert MacroUse.objects.count() == 0
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.version) == ("open", "normal", 1)


def test_apply_sends_the_edited_reply_and_every_action_says_via_macro(
    ticket, junior, refund_macro, django_capture_on_commit_callbacks
):
    factories.RefundRequestFactory(ticket=ticket, amount=Decimal("150.00"), currency="EUR")
    ticket.tags.set([])

    with django_capture_on_commit_callbacks(execute=True):
        applied = macro_apply(
            macro=refund_macro, ticket=ticket, actor=junior, body="Hi, refund sent (edited)."
        )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("pending", "low")
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["refund", "refund-approved"]
    message = Message.objects.get(ticket=ticket)
    assert (message.body, message.author_agent_id) == ("Hi, refund sent (edited).", junior.pk)
    note = Note.objects.get(ticket=ticket)
    assert note.body == f"Refund 150.00 EUR confirmed by {junior}."
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("id"))
    assert [(e.kind, e.data.get("via")) for e in events] == [
        (EventKind.MESSAGE_ADDED, "macro Refund under 200"),
        (EventKind.STATUS_CHANGED, "macro Refund under 200"),
        (EventKind.PRIORITY_CHANGED, "macro Refund under 200"),
        (EventKind.TAGS_CHANGED, "macro Refund under 200"),
        (EventKind.NOTE_ADDED, "macro Refund under 200"),
    ]
    assert all(e.actor_id == junior.pk for e in events)
    use = MacroUse.objects.get()
    assert (use.macro_id, use.agent_id, use.ticket_id, use.message_id) == (
        refund_macro.pk,
        junior.pk,
        ticket.pk,
        message.pk,
    )
    assert applied.use == use
    assert [(line.text, line.via) for line in ticket_history(ticket=ticket)] == [
        ("added an internal note", "macro Refund under 200"),
        ("added tags refund, refund-approved", "macro Refund under 200"),
        ("set priority Normal → Low", "macro Refund under 200"),
        ("set status Open → Pending", "macro Refund under 200"),
        ("replied to the customer", "macro Refund under 200"),
    ]


def test_a_macro_of_another_team_cannot_be_used_and_nothing_is_written(ticket, junior):
    other = factories.MacroFactory(team=factories.TeamFactory(name="Billing"), set_status="solved")

    with pytest.raises(PermissionDenied):
        macro_apply(macro=other, ticket=ticket, actor=junior, body="Hello")

    _nothing_written(ticket)


def test_a_team_macro_cannot_be_used_on_a_ticket_of_another_teams_queue(refund_macro, junior):
    """Even when the ticket is assigned to the agent (so they see it), the macro is their
    team's, and the ticket is another team's."""
    elsewhere = factories.TicketFactory(
        queue=factories.QueueFactory(team=factories.TeamFactory(name="Billing")),
        assignee=junior,
        status="open",
    )

    with pytest.raises(PermissionDenied):
        macro_apply(macro=refund_macro, ticket=elsewhere, actor=junior, body="Hello")

    _nothing_written(elsewhere)


def test_an_agent_cannot_apply_a_macro_on_a_ticket_they_cannot_see(refund_macro, team):
    hidden = factories.TicketFactory(
        queue=factories.QueueFactory(team=factories.TeamFactory(name="Billing")), status="open"
    )
    outsider = factories.AgentFactory(username="outsider", team=hidden.queue.team)
    personal = factories.MacroFactory(team=None, owner=outsider, set_status="solved")
    stranger = factories.AgentFactory(username="stranger", team=team)

    with pytest.raises(PermissionDenied):
        macro_apply(macro=refund_macro, ticket=hidden, actor=stranger, body="Hello")
    with pytest.raises(PermissionDenied):
        macro_apply(macro=personal, ticket=hidden, actor=stranger, body="Hello")

    _nothing_written(hidden)


def test_a_personal_macro_is_its_owners_only(ticket, junior, senior):
    mine = factories.MacroFactory(team=None, owner=senior, name="My greeting")

    with pytest.raises(PermissionDenied):
        macro_apply(macro=mine, ticket=ticket, actor=junior, body="Hello")
    _nothing_written(ticket)

    macro_apply(macro=mine, ticket=ticket, actor=senior, body="Hello")
    assert MacroUse.objects.get().agent_id == senior.pk


def test_the_escalate_tag_is_refused_as_for_a_manual_edit_and_nothing_is_written(
    ticket, junior, team
):
    macro = factories.MacroFactory(team=team, set_status="pending")
    # A row written around the save checks (e.g. by SQL): the ticket service still refuses.
    Macro.objects.filter(pk=macro.pk).update(add_tags=["escalate"])
    macro.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        macro_apply(macro=macro, ticket=ticket, actor=junior, body="Hello")

    assert list(refused.value.message_dict) == ["tags"]
    _nothing_written(ticket)


def test_a_blank_reply_is_refused_naming_body(ticket, junior, refund_macro):
    with pytest.raises(ValidationError) as refused:
        macro_apply(macro=refund_macro, ticket=ticket, actor=junior, body="  \n ")

    assert list(refused.value.message_dict) == ["body"]
    _nothing_written(ticket)


def test_a_disabled_macro_is_not_usable(ticket, junior, refund_macro):
    Macro.objects.filter(pk=refund_macro.pk).update(enabled=False)

    with pytest.raises(PermissionDenied):
        macro_apply(macro=refund_macro, ticket=ticket, actor=junior, body="Hello")

    _nothing_written(ticket)


def test_the_render_fills_in_the_ticket_and_names_what_is_missing(ticket, junior, refund_macro):
    rendering = macro_render_for(macro=refund_macro, ticket=ticket, agent=junior)

    assert rendering.reply.text == (
        f"Hi {ticket.customer.name}, your refund of [refund amount] is on its way."
    )
    assert rendering.reply.missing_labels == ["refund amount"]
    assert rendering.actions == [
        "set status to Pending",
        "set priority to Low",
        "add tags refund, refund-approved",
        "add an internal note",
    ]


# --- Saving -------------------------------------------------------------------------------------
VALUES = {"name": "Password reset", "body": "Hi {{ customer_name }}", "add_tags": ["Login"]}


def test_a_lead_writes_their_teams_macro_audited_with_before_and_after(lead, team):
    macro = macro_save(macro=Macro(), actor=lead, values={**VALUES, "team": team})
    macro_save(macro=macro, actor=lead, values={"set_status": "pending"})

    events = list(
        AuditEvent.objects.filter(object_type="tickets.macro", object_id=str(macro.pk)).order_by(
            "id"
        )
    )
    assert [e.kind for e in events] == ["macro.created", "macro.changed"]
    assert events[0].after["add_tags"] == ["login"]
    assert (events[1].before["set_status"], events[1].after["set_status"]) == ("", "pending")


@pytest.mark.parametrize("role", ["junior", "senior"])
def test_agents_do_not_write_team_macros(request, role, team):
    agent = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        macro_save(macro=Macro(), actor=agent, values={**VALUES, "team": team})

    assert Macro.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="tickets.macro").count() == 0


def test_a_lead_cannot_change_or_delete_another_teams_macro(lead):
    other = factories.MacroFactory(team=factories.TeamFactory(name="Billing"), name="Theirs")

    with pytest.raises(PermissionDenied):
        macro_save(macro=other, actor=lead, values={"name": "Mine now"})
    with pytest.raises(PermissionDenied):
        macro_delete(macro=other, actor=lead)

    other.refresh_from_db()
    assert other.name == "Theirs"
    assert AuditEvent.objects.filter(object_type="tickets.macro").count() == 0


def test_an_agent_keeps_personal_macros(junior):
    macro = macro_save(macro=Macro(), actor=junior, values={**VALUES, "owner": junior})

    assert (macro.team_id, macro.owner_id) == (None, junior.pk)
    assert AuditEvent.objects.get(object_id=str(macro.pk)).kind == "macro.created"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"body": "Hi {{ customer_phone }}"}, "body"),
        ({"internal_note": "{{ password }}"}, "internal_note"),
        ({"add_tags": ["escalate"]}, "add_tags"),
        ({"add_tags": ["not a slug!"]}, "add_tags"),
        ({"add_tags": [f"t{i}" for i in range(11)]}, "add_tags"),
        ({"set_status": "gone"}, "set_status"),
        ({"set_priority": "asap"}, "set_priority"),
        ({"name": "x" * 101}, "name"),
    ],
    ids=[
        "unknown-placeholder",
        "unknown-note-placeholder",
        "escalate-tag",
        "bad-tag",
        "too-many-tags",
        "bad-status",
        "bad-priority",
        "long-name",
    ],
)
def test_bad_values_are_refused_naming_the_field(lead, team, values, field):
    with pytest.raises(ValidationError) as refused:
        macro_save(macro=Macro(), actor=lead, values={**VALUES, "team": team, **values})

    assert field in refused.value.message_dict
    assert Macro.objects.count() == 0
