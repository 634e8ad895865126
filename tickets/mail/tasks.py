"""django-q2 tasks of the mail channel: thin adapters. Each is safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from escalations.queueing import task_enqueue_or_defer
from escalations.sweeps import sweep_row_isolated

from .imap import mailbox_poll_by_id, mailboxes_to_poll
from .outbound import reply_mail_send, reply_mails_due

POLL_TASK = "tickets.mail.tasks.mailbox_poll_task"


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
    """Queues one poll per IMAP mailbox, so that a slow or unreachable server holds up no other
    mailbox and no poll outlives the task timeout; returns how many were queued."""
    return sum(
        task_enqueue_or_defer(POLL_TASK, mailbox_id, swept_by="the next minute's poll")
        for mailbox_id in mailboxes_to_poll()
    )


def mailbox_poll_task(mailbox_id: int) -> int:
    """Polls one mailbox; returns how many mails were put on record (taken or refused)."""
    return mailbox_poll_by_id(mailbox_id=mailbox_id)
