"""django-q2 tasks of the mail channel: thin adapters. Each is safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from escalations.sweeps import sweep_row_isolated

from .imap import mailboxes_poll
from .outbound import reply_mail_send, reply_mails_due


def reply_mail_send_task(outbound_id: int) -> str:
    outbound = reply_mail_send(outbound_id=outbound_id)
    return outbound.state if outbound is not None else "skipped"


def reply_mails_due_sweep() -> int:
    """Sends every queued reply that is due: retries, and replies whose task was lost."""
    due = reply_mails_due(now=timezone.now())
    for outbound_id in due:
        with sweep_row_isolated(
            sweep="reply mail sweep", row=f"outbound mail {outbound_id}", writes=False
        ):
            reply_mail_send(outbound_id=outbound_id)
    return len(due)


def mailboxes_poll_task() -> int:
    """Polls every enabled IMAP mailbox; returns how many mails were taken in or refused."""
    return mailboxes_poll()
