"""django-q2 tasks of the mail channel: thin adapters. Each is safe to run twice.
``PERIODIC_TASKS`` are this app's schedules (registered after ``migrate`` by
``kimondesk.schedules``)."""

from __future__ import annotations

from django.utils import timezone

from escalations.queueing import task_enqueue_or_defer
from escalations.sweeps import sweep_row_isolated
from kimondesk.schedules import PeriodicTask

from . import outbound
from .imap import mailbox_poll_by_id, mailboxes_to_poll

POLL_TASK = "tickets.mail.tasks.mailbox_poll"


def reply_mail_send(outbound_id: int) -> str:
    sent = outbound.reply_mail_send(outbound_id=outbound_id)
    return sent.state if sent is not None else "skipped"


def reply_mails_due_sweep() -> int:
    """Sends every queued reply that is due: retries, and replies whose task was lost."""
    due = outbound.reply_mails_due(now=timezone.now())
    for outbound_id in due:
        with sweep_row_isolated(
            sweep="reply mail sweep", row=f"outbound mail {outbound_id}", writes=False
        ):
            outbound.reply_mail_send(outbound_id=outbound_id)
    return len(due)


def mailbox_polls_enqueue() -> int:
    """Queues one poll per IMAP mailbox, so that a slow or unreachable server holds up no other
    mailbox and no poll outlives the task timeout; returns how many were queued."""
    return sum(
        task_enqueue_or_defer(POLL_TASK, mailbox_id, swept_by="the next minute's poll")
        for mailbox_id in mailboxes_to_poll()
    )


def mailbox_poll(mailbox_id: int) -> int:
    """Polls one mailbox; returns how many mails were put on record (taken or refused)."""
    return mailbox_poll_by_id(mailbox_id=mailbox_id)


PERIODIC_TASKS = (
    # Customer mail by IMAP, and replies whose send is due (retries, lost tasks).
    PeriodicTask("mail-mailboxes-poll", mailbox_polls_enqueue, 1),
    PeriodicTask("mail-replies-due-sweep", reply_mails_due_sweep, 1),
)
