"""What the escalation domain shows: its data rendered for pages and live pushes.

Selectors return data; the HTML made from it is built here, so the agent pages, the catch-up
endpoint and the engine's push render a summary the same way.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .engine.summary import EscalationSummary
from .models import Escalation


def escalation_summary_event(*, escalation: Escalation) -> dict[str, Any]:
    """The live-push payload of an escalation's summary (ticket group)."""
    note = escalation.summary_note
    note_data: dict[str, Any] = {}
    if note is not None:
        note_data = {
            "id": note.pk,
            "kind": note.kind,
            "pinned": note.pinned,
            "body": note.body,
            "author": note.author_id,
            "created_at": note.created_at.isoformat(),
        }
    summary = EscalationSummary.from_dict(escalation.summary) if escalation.summary else None
    html = render_to_string(
        "escalations/_summary.html", {"escalation": escalation, "note": note, "summary": summary}
    )
    return {
        "type": "escalation.summary",
        "ticket": escalation.ticket_id,
        "escalation": escalation.pk,
        "note": note_data,
        "html": html,
    }
