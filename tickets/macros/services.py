"""Writes of macros: audited saves and deletes, and applying a macro to a ticket.

A save records the same ``AuditEvent`` as the console and the API for rules
(``config_change_record``), so a team macro's history reads, and reverts, like a rule's.
Applying a macro sends the agent's (edited) reply and the macro's actions through the same
ticket services as a manual edit, each event marked ``via: macro <name>``, and records the use;
all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from escalations.audit.config import config_change_record, config_snapshot
from kimondesk.bounds import MACROS_PER_OWNER_MAX
from tickets import services as ticket_services
from tickets.models import Agent, AuthorType, Message, Ticket
from tickets.selectors import ticket_is_visible_to

from .models import MACRO_CONTENT_FIELDS, Macro, MacroUse
from .placeholders import macro_text_render
from .selectors import macro_editable_by, macro_placeholder_values, macros_usable_on

MACRO_EDITABLE_FIELDS = ("name", "team", "owner", *MACRO_CONTENT_FIELDS)
MACRO_REFUSAL = "You may not change this macro: team macros are managed by the team's lead."
MACRO_NOT_USABLE = "This macro is not one you may use on this ticket."


def macro_count_check(*, macro: Macro) -> None:
    """A ``ValidationError`` on ``name`` when the macro's team or owner has no room left."""
    siblings = (
        Macro.objects.filter(team_id=macro.team_id)
        if macro.team_id is not None
        else Macro.objects.filter(owner_id=macro.owner_id)
    )
    if siblings.exclude(pk=macro.pk).count() >= MACROS_PER_OWNER_MAX:
        raise ValidationError(
            {"name": [f"At most {MACROS_PER_OWNER_MAX} macros per team or agent."]}
        )


@transaction.atomic
def macro_save(*, macro: Macro, actor: Agent, values: dict[str, Any]) -> Macro:
    """Create or change a macro as ``actor`` may (``macro_editable_by`` before and after the
    change: nobody moves a macro out of their reach); one audit event with before and after.
    Raises ``PermissionDenied`` or a ``ValidationError`` naming each bad field."""
    creating = macro._state.adding
    if not creating and not macro_editable_by(agent=actor, macro=macro):
        raise PermissionDenied(MACRO_REFUSAL)
    before = None if creating else config_snapshot(macro)
    for name, value in values.items():
        if name in MACRO_EDITABLE_FIELDS:
            setattr(macro, name, value)
    if not macro_editable_by(agent=actor, macro=macro):
        raise PermissionDenied(MACRO_REFUSAL)
    macro.full_clean()
    macro_count_check(macro=macro)
    macro.save()
    config_change_record(
        obj=macro, actor=actor, before=before, action="created" if creating else "changed"
    )
    return macro


@transaction.atomic
def macro_delete(*, macro: Macro, actor: Agent) -> None:
    """Delete a macro (its use records go with it); audited like a rule's deletion."""
    if not macro_editable_by(agent=actor, macro=macro):
        raise PermissionDenied(MACRO_REFUSAL)
    config_change_record(obj=macro, actor=actor, before=config_snapshot(macro), action="deleted")
    macro.delete()


def macro_via(macro: Macro) -> str:
    """How the ticket history names a change made by a macro."""
    return f"macro {macro.name}"


@dataclass(frozen=True)
class MacroApplied:
    ticket: Ticket
    message: Message
    use: MacroUse


def macro_apply(*, macro: Macro, ticket: Ticket, actor: Agent, body: str) -> MacroApplied:
    """Send ``body`` (the macro's text as the agent edited it) as ``actor``'s reply and apply
    the macro's actions, in one transaction, through the ticket services a manual edit uses.

    ``PermissionDenied`` (nothing written) when the actor cannot see the ticket or may not use
    the macro on it; a ``ValidationError`` naming ``body`` (blank or too long) or the field an
    action was refused on (e.g. ``tags``).
    """
    if not ticket_is_visible_to(agent=actor, ticket_id=ticket.pk):
        raise PermissionDenied("You cannot see this ticket.")
    if not macros_usable_on(agent=actor, ticket=ticket).filter(pk=macro.pk).exists():
        raise PermissionDenied(MACRO_NOT_USABLE)
    if not body.strip():
        raise ValidationError({"body": ["Write the reply (the macro's text is there to edit)."]})
    via = macro_via(macro)
    note_text = ""
    if macro.internal_note:
        values = macro_placeholder_values(ticket=ticket, agent=actor)
        note_text = macro_text_render(template=macro.internal_note, values=values).text
    with transaction.atomic():
        message = ticket_services.message_add(
            ticket=ticket, author_type=AuthorType.AGENT, body=body, author=actor, via=via
        )
        tags = None
        if macro.add_tags:
            current = list(ticket.tags.values_list("name", flat=True))
            tags = [*current, *macro.add_tags]
        updated = ticket_services.ticket_update(
            ticket=ticket,
            actor=actor,
            status=macro.set_status or None,
            priority=macro.set_priority or None,
            tags=tags,
            via=via,
        )
        if note_text:
            ticket_services.note_add(ticket=updated, body=note_text, author=actor, via=via)
        use = MacroUse.objects.create(macro=macro, agent=actor, ticket=updated, message=message)
    return MacroApplied(ticket=updated, message=message, use=use)
