"""Upper bounds on every size, count, duration and amount a user can submit.

One place, documented in ``docs/security.md``: the models, admin forms, page forms, API
serializers and services all read these, so a value that passes one door passes them all, and
no stored row can make a sweep or an evaluation overflow.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

# --- Text bodies (characters) ------------------------------------------------------------------
MESSAGE_BODY_MAX_CHARS = 20_000
"""A customer or agent message: about ten printed pages."""
NOTE_BODY_MAX_CHARS = 20_000
"""An internal note (also the escalation summary notes built from handoffs)."""
ESCALATION_QUESTION_MAX_CHARS = 2_000
"""A question to the agent who escalated a ticket (an internal note addressed to them)."""
HANDOFF_PART_MAX_CHARS = 5_000
"""Each part of a handoff note: what was tried, the diagnosis, the authority needed."""
REFUND_REASON_MAX_CHARS = 2_000
"""The reason of a refund request."""

# --- Request bodies ----------------------------------------------------------------------------
JSON_MAX_DEPTH = 32
"""Nesting of lists and objects in an API request body (conditions need 3)."""

# --- Tags --------------------------------------------------------------------------------------
TAG_MAX_CHARS = 50
"""A tag name (a slug: lower-case letters, digits, ``-`` and ``_``)."""
TAGS_MAX_COUNT = 50
"""Tags on one ticket."""

# --- Durations (minutes) -----------------------------------------------------------------------
MINUTES_MAX = 525_600
"""Any configurable duration in minutes: a rule's cooldown and acknowledgement limit, an SLA
target. One year."""

# --- Amounts -----------------------------------------------------------------------------------
AMOUNT_MAX = Decimal("9999999999.99")
"""A refund amount or a refund-threshold trigger amount (12 digits, 2 decimal places)."""


def text_bounds_check(*, values: dict[str, tuple[str, int]]) -> None:
    """Raise a ``ValidationError`` naming every field whose text is longer than its bound.

    ``values`` maps a field name to ``(text, max_chars)``.
    """
    errors = {
        name: [f"Ensure this field has no more than {limit} characters (it has {len(text)})."]
        for name, (text, limit) in values.items()
        if isinstance(text, str) and len(text) > limit
    }
    if errors:
        raise ValidationError(errors)


def minutes_delta(minutes: int | None) -> timedelta:
    """A duration in minutes as a ``timedelta``, clamped to ``[0, MINUTES_MAX]``: a row stored
    before the bound existed can never overflow date arithmetic."""
    return timedelta(minutes=max(0, min(int(minutes or 0), MINUTES_MAX)))
