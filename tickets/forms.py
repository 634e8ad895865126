"""Forms of the agent pages. They validate input; writes go through ``tickets.services`` and the
escalation engine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from django import forms
from django.core.exceptions import ValidationError

from kimondesk.bounds import (
    AMOUNT_MAX,
    HANDOFF_PART_MAX_CHARS,
    MESSAGE_BODY_MAX_CHARS,
    NOTE_BODY_MAX_CHARS,
    REFUND_REASON_MAX_CHARS,
    TAG_MAX_CHARS,
    TAGS_MAX_COUNT,
)

from .currencies import CURRENCY_CHOICES
from .models import DONE_STATUSES, OPEN_STATUSES, Agent, Priority, Status, Ticket, tag_names_clean
from .search.selectors import SEARCH_QUERY_MAX_CHARS
from .selectors import EscalationChoice

ESCALATE_TAG = "escalate"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply to the customer",
        max_length=MESSAGE_BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Write a reply the customer sees"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Internal note",
        max_length=NOTE_BODY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Only agents see notes"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_note_%s")
        super().__init__(*args, **kwargs)


class TicketControlsForm(forms.Form):
    """Status, priority and assignee, with what the page showed when it was rendered: the
    ticket's ``version`` and the ``seen_*`` values. Only fields the agent changed (value differs
    from the seen one) are written, and only if the version is still current."""

    META_FIELDS = ("status", "priority", "assignee")

    status = forms.ChoiceField(choices=Status.choices)
    priority = forms.ChoiceField(choices=Priority.choices)
    assignee = forms.ModelChoiceField(
        queryset=Agent.objects.none(), required=False, empty_label="Unassigned"
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)
    seen_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    seen_priority = forms.ChoiceField(choices=Priority.choices, widget=forms.HiddenInput)
    seen_assignee = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(*, ticket: Ticket) -> dict[str, Any]:
        seen = {
            "status": ticket.status,
            "priority": ticket.priority,
            "assignee": ticket.assignee_id,
        }
        return {**seen, **{f"seen_{k}": v for k, v in seen.items()}, "version": ticket.version}

    def seen(self) -> dict[str, Any]:
        """What the page showed: ``{"status", "priority", "assignee" (id or None)}``."""
        return {name: self.cleaned_data[f"seen_{name}"] for name in self.META_FIELDS}

    def changes(self) -> dict[str, Any]:
        """The fields the agent changed, with their new values (assignee: Agent or None)."""
        seen = self.seen()
        changed: dict[str, Any] = {}
        for name in self.META_FIELDS:
            value = self.cleaned_data[name]
            as_seen = value.pk if name == "assignee" and value is not None else value
            if as_seen != seen[name]:
                changed[name] = value
        return changed

    def rebased(self, *, ticket: Ticket) -> TicketControlsForm:
        """The form based on the ticket as it is now, with the agent's own edits kept on top
        (the fields they did not touch show the current values), ready to re-apply."""
        edits = self.changes()
        data = {key: self.data.get(key) for key in self.data}
        for key, value in self.initial_for(ticket=ticket).items():
            if key in edits:
                continue
            data[key] = "" if value is None else str(value)
        rebased = TicketControlsForm(data, assignees=self.fields["assignee"].queryset)  # type: ignore[attr-defined]
        rebased.full_clean()
        return rebased


class TagsForm(forms.Form):
    tags = forms.CharField(
        required=False,
        max_length=TAGS_MAX_COUNT * (TAG_MAX_CHARS + 2),
        label="Tags",
        help_text="Comma-separated. Adding “escalate” opens the escalation form.",
    )

    def clean_tags(self) -> list[str]:
        try:
            return tag_names_clean(self.cleaned_data["tags"].split(","))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["tags"]) from None


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        min_value=Decimal("0.01"), max_value=AMOUNT_MAX, max_digits=12, decimal_places=2
    )
    # The page sets the initial currency to the ticket team's (``ticket_currency``).
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES)
    reason = forms.CharField(
        required=False,
        max_length=REFUND_REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EscalateForm(forms.Form):
    tried = forms.CharField(
        label="What did you try?",
        max_length=HANDOFF_PART_MAX_CHARS,
        help_text="The steps already taken, so the next person does not repeat them.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    diagnosis = forms.CharField(
        label="What do you think is going on?",
        max_length=HANDOFF_PART_MAX_CHARS,
        help_text="Your diagnosis so far: symptoms, suspected cause, what you ruled out.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    authority_needed = forms.CharField(
        label="What authority or expertise is needed?",
        max_length=HANDOFF_PART_MAX_CHARS,
        help_text="Why you cannot finish it yourself: a refund limit, access, a specialist skill.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target = forms.ChoiceField(
        label="Escalate to",
        required=False,
        help_text="The team lead, a senior by name, a specialist queue or a Slack channel.",
    )
    via_tag = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: list[EscalationChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = {choice.value: choice for choice in choices}
        field = self.fields["target"]
        field.choices = [(c.value, c.label) for c in choices]  # type: ignore[attr-defined]
        # Without the team lead among the choices, the agent must pick one.
        field.required = "" not in self.choices

    def focus_first_error(self) -> None:
        """Give the first invalid field ``autofocus``: after a failed submit focus lands there,
        with or without JavaScript (its error is in its ``aria-describedby``)."""
        for name, field in self.fields.items():
            if name in self.errors and not field.widget.is_hidden:
                field.widget.attrs["autofocus"] = True
                return

    def receiver(self) -> dict[str, Any]:
        """The engine's keyword arguments for the chosen receiver: ``target`` and ``to_agent``."""
        choice = self.choices.get(self.cleaned_data["target"])
        return {
            "target": choice.target if choice else None,
            "to_agent": choice.agent if choice else None,
        }


def form_errors_from(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ``ValidationError`` to the form, by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class SearchStatus(NamedTuple):
    label: str  # in the choice
    words: str  # in the results' sentence: "… among open tickets"
    statuses: tuple[str, ...]


# The search page's status choices: what each searches among.
SEARCH_STATUSES = {
    "open": SearchStatus("All open", "open", tuple(OPEN_STATUSES)),
    "done": SearchStatus("Solved or closed", "solved or closed", DONE_STATUSES),
}


class TicketSearchForm(forms.Form):
    q = forms.CharField(
        label="Search tickets",
        required=False,
        max_length=SEARCH_QUERY_MAX_CHARS,
        strip=True,
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status")] + [(key, s.label) for key, s in SEARCH_STATUSES.items()],
    )

    def search_status(self) -> SearchStatus | None:
        """The statuses searched among (``None``: any); call after ``is_valid``."""
        return SEARCH_STATUSES.get(self.cleaned_data.get("status") or "")


NO_CHANGE = ""
UNASSIGN = "none"


class BulkUpdateForm(forms.Form):
    """The queue pages' bulk bar: each field left at "no change" keeps what the tickets have."""

    assignee = forms.ChoiceField(label="Assign to", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[(NO_CHANGE, "Status: no change"), *Status.choices]
    )
    priority = forms.ChoiceField(
        label="Priority",
        required=False,
        choices=[(NO_CHANGE, "Priority: no change"), *Priority.choices],
    )
    add_tags = forms.CharField(label="Add tags", required=False, max_length=200)
    remove_tags = forms.CharField(label="Remove tags", required=False, max_length=200)

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_bulk_%s")
        super().__init__(*args, **kwargs)
        self.assignees = {agent.pk: agent for agent in assignees}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            (NO_CHANGE, "Assignee: no change"),
            (UNASSIGN, "Unassigned"),
            *((str(pk), str(agent)) for pk, agent in self.assignees.items()),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = self.data.getlist("tickets") if hasattr(self.data, "getlist") else []
        try:
            cleaned["tickets"] = [int(value) for value in raw]
        except ValueError:
            raise ValidationError("Ticket ids are whole numbers.") from None
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The keyword arguments of ``tickets_bulk_update`` for what was chosen."""
        data = self.cleaned_data
        changes: dict[str, Any] = {
            "status": data["status"] or None,
            "priority": data["priority"] or None,
            "add_tags": data["add_tags"].split(","),
            "remove_tags": data["remove_tags"].split(","),
        }
        if data["assignee"] == UNASSIGN:
            changes["assignee"] = None
        elif data["assignee"]:
            changes["assignee"] = self.assignees[int(data["assignee"])]
        return changes
