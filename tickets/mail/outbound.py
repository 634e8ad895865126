"""Agents' replies to customers by mail: queued with the reply, sent after commit, retried.

``reply_mail_queue`` runs inside the transaction that writes an agent's message (the ticket
page's Send reply and ``POST /api/v1/tickets/{id}/messages/`` both go through
``tickets.services.message_add``): when the ticket's queue has an enabled mailbox and the customer
an address, it records an ``OutboundMail`` (``queued``) and queues the send for after the commit.
Internal notes and escalation summaries are notes, not messages: they never reach this module.

``reply_mail_send`` (the task) claims the row, sends through Django's configured email backend
(SMTP, an anymail provider, the console in development) outside any transaction, threaded with
``Message-ID``, ``In-Reply-To`` and ``References``, and records ``sent``, or the error and the
next try; after ``MAIL_SEND_ATTEMPTS_MAX`` tries, ``failed``. A periodic sweep sends what is due,
so a reply written while the mail server or the broker is down goes out when they are back.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from escalations.queueing import task_enqueue_or_defer
from kimondesk.bounds import MAIL_REFERENCES_MAX, MAIL_SEND_ATTEMPTS_MAX
from tickets.live.events import message_delivery_push_on_commit
from tickets.models import AuthorType, Message

from .models import DeliveryState, InboundMail, InboundStatus, Mailbox, OutboundMail
from .threads import ticket_subject_token

logger = logging.getLogger(__name__)

SEND_TASK = "tickets.mail.tasks.reply_mail_send"
# A claimed reply is left alone this long by other workers (longer than an SMTP timeout).
CLAIM_SECONDS = 120
SMTP_TIMEOUT_SECONDS = 30


def _retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes after the 1st to 5th failed try."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


def reply_mail_queue(*, message: Message) -> OutboundMail | None:
    """Record the mail delivery of an agent's message and queue it after commit; ``None`` when
    the ticket has no mail channel (no enabled mailbox on its queue, or no customer address)."""
    if message.author_type != AuthorType.AGENT:
        return None
    ticket = message.ticket
    if ticket.queue_id is None:
        return None
    mailbox = Mailbox.objects.filter(queue_id=ticket.queue_id, enabled=True).first()
    address = ticket.customer.email if mailbox is not None else ""
    if mailbox is None or not address:
        return None
    domain = mailbox.address.rsplit("@", 1)[1]
    outbound = OutboundMail.objects.create(
        message=message,
        mailbox=mailbox,
        to_address=address,
        message_id_header=make_msgid(idstring=f"kd{ticket.pk}.{message.pk}", domain=domain),
        next_attempt_at=timezone.now(),
    )
    message_delivery_push_on_commit(outbound=outbound)
    transaction.on_commit(
        lambda: task_enqueue_or_defer(SEND_TASK, outbound.pk, swept_by="the reply mail sweep")
    )
    return outbound


def _claim(*, outbound_id: int, now: datetime) -> bool:
    """Take the reply for one try: only if it is queued and due. Two workers never both win."""
    return bool(
        OutboundMail.objects.filter(
            pk=outbound_id, state=DeliveryState.QUEUED, next_attempt_at__lte=now
        ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    )


def _thread_ids(*, outbound: OutboundMail) -> tuple[str | None, list[str]]:
    """The Message-ID this reply answers (the customer's latest mail) and its References."""
    ticket_id = outbound.message.ticket_id
    received = list(
        InboundMail.objects.filter(ticket_id=ticket_id, status=InboundStatus.ACCEPTED)
        .order_by("-received_at", "-pk")
        .values_list("received_at", "message_id_header")[:MAIL_REFERENCES_MAX]
    )
    sent = list(
        OutboundMail.objects.filter(
            message__ticket_id=ticket_id, created_at__lt=outbound.created_at
        )
        .order_by("-created_at", "-pk")
        .values_list("created_at", "message_id_header")[:MAIL_REFERENCES_MAX]
    )
    chain = sorted([*received, *sent])[-MAIL_REFERENCES_MAX:]
    references = [mid for _, mid in chain]
    in_reply_to = received[0][1] if received else (references[-1] if references else None)
    return in_reply_to, references


def reply_mail_build(*, outbound: OutboundMail) -> EmailMessage:
    message = outbound.message
    ticket = message.ticket
    mailbox = outbound.mailbox
    in_reply_to, references = _thread_ids(outbound=outbound)
    subject = ticket.subject
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    headers = {"Message-ID": outbound.message_id_header}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = " ".join(references)
    sender_name = mailbox.display_name or (ticket.queue.team.name if ticket.queue else "")
    return EmailMessage(
        subject=f"{subject} {ticket_subject_token(ticket_id=ticket.pk)}",
        body=message.body,
        from_email=formataddr((sender_name, mailbox.address)),
        to=[outbound.to_address],
        headers=headers,
    )


def reply_mail_send(*, outbound_id: int, now: datetime | None = None) -> OutboundMail | None:
    """Try to send one reply once and record the outcome. Safe to run twice: a reply that is
    sent, failed or being tried by another worker is left alone (``None``)."""
    now = now or timezone.now()
    if not _claim(outbound_id=outbound_id, now=now):
        return None
    outbound = OutboundMail.objects.select_related("mailbox", "message__ticket__queue__team").get(
        pk=outbound_id
    )
    error = ""
    try:
        mail = reply_mail_build(outbound=outbound)
        with get_connection(timeout=SMTP_TIMEOUT_SECONDS) as connection:
            mail.connection = connection
            mail.send(fail_silently=False)
    except Exception as exc:  # refused connections, timeouts, provider errors: tried again
        error = f"{type(exc).__name__}: {exc}"[:300]
    return _attempt_record(outbound_id=outbound_id, error=error, now=timezone.now())


@transaction.atomic
def _attempt_record(*, outbound_id: int, error: str, now: datetime) -> OutboundMail:
    outbound = OutboundMail.objects.select_for_update().get(pk=outbound_id)
    outbound.attempts += 1
    if not error:
        outbound.state = DeliveryState.SENT
        outbound.sent_at = now
        outbound.last_error = ""
        outbound.next_attempt_at = None
    elif outbound.attempts >= MAIL_SEND_ATTEMPTS_MAX:
        outbound.state = DeliveryState.FAILED
        outbound.last_error = error
        outbound.next_attempt_at = None
    else:
        outbound.last_error = error
        outbound.next_attempt_at = now + _retry_delay(outbound.attempts)
    outbound.save(update_fields=["attempts", "state", "sent_at", "last_error", "next_attempt_at"])
    message_delivery_push_on_commit(outbound=outbound)
    if error:
        logger.warning(
            "reply mail %s not sent (try %s): %s",
            outbound.pk,
            outbound.attempts,
            error,
            extra={"outbound_mail": outbound.pk, "state": outbound.state},
        )
    return outbound


def reply_mails_due(*, now: datetime) -> list[int]:
    """Queued replies whose next try is due (including ones a lost task never tried)."""
    return list(
        OutboundMail.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:200]
    )
