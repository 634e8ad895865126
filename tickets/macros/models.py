"""Macro and MacroUse. Registered with the app by ``tickets.models`` (imported at its end)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from kimondesk.bounds import (
    MACRO_BODY_MAX_CHARS,
    MACRO_NAME_MAX_CHARS,
    MACRO_TAGS_MAX_COUNT,
    NOTE_BODY_MAX_CHARS,
)
from tickets.models import ESCALATE_TAG, Priority, Status, tag_names_clean

from .placeholders import PLACEHOLDERS, placeholders_unknown

# The fields that say what a macro does (the console form, the API and the services list them).
MACRO_CONTENT_FIELDS = (
    "body",
    "set_status",
    "set_priority",
    "add_tags",
    "internal_note",
    "enabled",
)
MACRO_ESCALATE_REFUSAL = (
    "A macro cannot add the 'escalate' tag: an escalation needs a handoff note written for the "
    "ticket (use the escalate action)."
)


def macro_values_check(*, macro: Macro) -> dict[str, list[str]]:
    """Every problem of a macro's values, by field (empty: it may be saved). One rule for the
    console, the API and the services; the field lengths are checked by the model fields."""
    errors: dict[str, list[str]] = {}
    known = ", ".join("{{ %s }}" % key for key in PLACEHOLDERS)  # noqa: UP031
    for field in ("body", "internal_note"):
        unknown = placeholders_unknown(getattr(macro, field) or "")
        if unknown:
            names = ", ".join("{{ %s }}" % name for name in unknown)  # noqa: UP031
            errors[field] = [f"Unknown placeholder {names}: use {known}."]
    if macro.set_status and macro.set_status not in Status.values:
        errors["set_status"] = [f"'{macro.set_status}' is not one of {', '.join(Status.values)}."]
    if macro.set_priority and macro.set_priority not in Priority.values:
        errors["set_priority"] = [
            f"'{macro.set_priority}' is not one of {', '.join(Priority.values)}."
        ]
    tags = macro.add_tags
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        errors["add_tags"] = ["Enter a list of tag names."]
    else:
        try:
            cleaned = tag_names_clean(tags)
        except ValidationError as error:
            errors["add_tags"] = error.message_dict["tags"]
        else:
            if ESCALATE_TAG in cleaned:
                errors["add_tags"] = [MACRO_ESCALATE_REFUSAL]
            elif len(cleaned) > MACRO_TAGS_MAX_COUNT:
                errors["add_tags"] = [f"At most {MACRO_TAGS_MAX_COUNT} tags (got {len(cleaned)})."]
            else:
                macro.add_tags = cleaned
    if (macro.team_id is None) == (macro.owner_id is None):
        errors["team"] = ["A macro belongs to a team or to one agent (not both, not neither)."]
    return errors


class Macro(models.Model):
    """A named reply text with placeholders, plus optional actions applied with the reply.

    Exactly one of ``team`` (a team macro: its lead manages it, its agents use it) and ``owner``
    (a personal macro: only its owner sees and uses it) is set.
    """

    name = models.CharField(max_length=MACRO_NAME_MAX_CHARS)
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="Set for a team macro: every agent of the team may use it.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="personal_macros",
        help_text="Set for a personal macro: only this agent sees and uses it.",
    )
    body = models.TextField(
        "reply text",
        max_length=MACRO_BODY_MAX_CHARS,
        help_text="Inserted into the reply composer for the agent to edit. Placeholders: "
        "{{ customer_name }}, {{ ticket_number }}, {{ agent_name }}, {{ sla_due }}, "
        "{{ refund_amount }}.",
    )
    set_status = models.CharField(
        max_length=10,
        choices=Status.choices,
        blank=True,
        default="",
        help_text="Status set when the reply is sent (empty: unchanged).",
    )
    set_priority = models.CharField(
        max_length=10,
        choices=Priority.choices,
        blank=True,
        default="",
        help_text="Priority set when the reply is sent (empty: unchanged).",
    )
    add_tags = models.JSONField(
        default=list, blank=True, help_text="Tags added when the reply is sent."
    )
    internal_note = models.TextField(
        max_length=NOTE_BODY_MAX_CHARS,
        blank=True,
        default="",
        help_text="An internal note added when the reply is sent (placeholders work here too).",
    )
    enabled = models.BooleanField(default=True, help_text="Disabled macros are not offered.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "tickets"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(owner__isnull=True))
                | (Q(team__isnull=True) & Q(owner__isnull=False)),
                name="macro_team_xor_owner",
            ),
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=Q(team__isnull=False),
                name="macro_unique_team_name",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=Q(owner__isnull=False),
                name="macro_unique_personal_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None

    def clean(self) -> None:
        errors = macro_values_check(macro=self)
        if errors:
            raise ValidationError(errors)


class MacroUse(models.Model):
    """One use of a macro: a reply sent from it by ``agent`` on ``ticket``. Written only by
    ``macro_apply``; deleted with its macro."""

    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="uses")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="macro_uses"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="macro_uses"
    )
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "tickets"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["macro", "created_at"], name="macro_use_macro_time_idx"),
            models.Index(fields=["ticket", "created_at"], name="macro_use_ticket_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.macro_id} on #{self.ticket_id}"
