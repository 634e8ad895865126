"""Macro forms: the console's team macro form and the agent's personal macro page share the
comma-separated tags field and the placeholder help."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import MACRO_CONTENT_FIELDS, Macro
from .placeholders import PLACEHOLDERS

PLACEHOLDERS_HELP = (
    "Inserted into the reply composer for the agent to edit. Placeholders: "
    + ", ".join(f"{{{{ {key} }}}} ({p.label})" for key, p in PLACEHOLDERS.items())
    + "."
)


class MacroFormBase(forms.ModelForm):
    add_tags = forms.CharField(
        required=False,
        label="Add tags",
        help_text="Comma-separated tags added when the reply is sent (never 'escalate').",
    )

    class Meta:
        model = Macro
        fields = ["name", *MACRO_CONTENT_FIELDS]
        help_texts = {"body": PLACEHOLDERS_HELP}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
            "internal_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["add_tags"] = ", ".join(self.instance.add_tags or [])

    def clean_add_tags(self) -> list[str]:
        raw = self.cleaned_data.get("add_tags") or ""
        return [name.strip() for name in raw.split(",") if name.strip()]


class PersonalMacroForm(MacroFormBase):
    """An agent's own macro (bind it to an instance whose ``owner`` is the agent, so the
    model's checks see a personal macro); saved by ``macro_save``."""
