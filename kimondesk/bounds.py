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

# --- Macros ------------------------------------------------------------------------------------
MACRO_NAME_MAX_CHARS = 100
"""A macro's name."""
MACRO_BODY_MAX_CHARS = 10_000
"""A macro's reply text before its placeholders are filled in (each filled value is bounded by
its own field, and the reply that is sent by ``MESSAGE_BODY_MAX_CHARS``)."""
MACRO_TAGS_MAX_COUNT = 10
"""Tags one macro adds to a ticket."""
MACRO_SEARCH_MAX_CHARS = 100
"""The search text of the ticket page's macro picker."""
MACRO_PICKER_MAX_ENTRIES = 50
"""Macros the picker lists for one search (the best matches first)."""
MACROS_PER_OWNER_MAX = 200
"""Macros one team, or one agent's personal set, may hold."""

# --- Request bodies ----------------------------------------------------------------------------
JSON_MAX_DEPTH = 32
"""Nesting of lists and objects in an API request body (conditions need 3)."""

# --- Tags --------------------------------------------------------------------------------------
TAG_MAX_CHARS = 50
"""A tag name (a slug: lower-case letters, digits, ``-`` and ``_``)."""
TAGS_MAX_COUNT = 50
"""Tags on one ticket."""

# --- Mail (``tickets/mail/``) ----------------------------------------------------------------
MAIL_RAW_MAX_BYTES = 30 * 1024 * 1024
"""One received mail as delivered (headers, text and attachments): larger mail is refused whole."""
MAIL_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
"""One attachment kept from a received mail; a larger one is left out and the refusal noted."""
MAIL_ATTACHMENTS_MAX_COUNT = 10
"""Attachments kept from one received mail; the rest are left out and noted."""
MAIL_ATTACHMENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/msword",
        "application/vnd.ms-excel",
    }
)
"""Attachment types kept (by declared type); anything else (executables, HTML) is left out."""
MAIL_POLL_BATCH_MAX = 50
"""Mails taken from one mailbox in one poll; the rest wait for the next poll."""
MAIL_REFERENCES_MAX = 20
"""Message-IDs read from a mail's References header, and written into a reply's."""
MAIL_HTML_MAX_CHARS = 500_000
"""HTML read from one mail part when turning it into text (the rest is cut before parsing)."""
MAIL_TEXT_READ_MAX_CHARS = 100_000
"""Text of one mail searched for quoted history and signature (the new text comes first; what
lies beyond would be cut to the message bound anyway)."""
MAIL_AUTHENTICATION_RESULTS_MAX = 10
"""``Authentication-Results`` headers read from one mail, top down (the receiving server's is
the first; more are relays' or forged)."""
MAIL_SEND_ATTEMPTS_MAX = 6
"""Tries to send one reply before it is marked failed (retried with a growing delay)."""

# --- Outbound deliveries (``escalations/delivery/``) -------------------------------------------
DELIVERY_RETRY_AFTER_MAX_SECONDS = 6 * 3600
"""The longest wait a receiver's ``Retry-After`` (seconds or an HTTP date) can ask of a Slack or
webhook delivery: a later date, or a larger number, waits this long."""
DELIVERY_RESPONSE_EXCERPT_MAX_CHARS = 200
"""The part of a receiver's error answer kept in the delivery's error text."""
DELIVERY_ERROR_MAX_CHARS = 500
"""A delivery attempt's error text."""

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
