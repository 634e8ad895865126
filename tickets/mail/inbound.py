"""Taking in one received mail: a new ticket, a customer message on the ticket it continues,
or a refusal on record.

``mail_receive`` is the one door for every source (the IMAP poller, providers' webhooks, the
``mail_inject`` command). Each mail is one transaction: the customer, the ticket or message
(through ``tickets.services``, so sentiment, SLA clocks and rules apply exactly as for the API),
the ``InboundMail`` row with the original and the attachments are written together or not at
all. Machine-made mail (auto-replies, bounces, list mail), a second delivery of a Message-ID
already taken, unreadable mail, and mail whose sender failed authentication at the mailbox's
own server (``authentication.py``) are recorded as refused with the reason and change nothing
else; nothing here ever sends mail, so no auto-reply loop can start.
"""

from __future__ import annotations

import hashlib
import logging
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from escalations.audit import audit_record
from escalations.audit.config import config_editable_by
from kimondesk.bounds import MAIL_RAW_MAX_BYTES
from tickets import services
from tickets.models import Agent, AuthorType, Customer, Message

from .authentication import UNAUTHENTICATED_PREFIX, sender_authentication
from .models import InboundMail, InboundStatus, MailAttachment, Mailbox
from .parsing import MailRefused, ParsedMail, mail_parse
from .threads import mail_thread_ticket, mailbox_for_recipients

logger = logging.getLogger(__name__)

NO_TEXT = "(no text)"
NO_SUBJECT = "(no subject)"


def mail_receive(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_recipient: str = "",
    sender_trusted: bool = False,
) -> InboundMail:
    """Take in one mail as received. ``mailbox`` is the one it was polled from; ``None`` finds
    it by the envelope recipient or the mail's own recipients (webhooks). Returns the
    ``InboundMail`` row: accepted or refused. ``sender_trusted`` skips the sender
    authentication check (``inbound_mail_accept_anyway``: a person looked at the mail)."""
    if len(raw) > MAIL_RAW_MAX_BYTES:
        return _refusal_record(
            raw=None,
            source=source,
            mailbox=mailbox,
            reason=f"mail of {len(raw)} bytes is over the {MAIL_RAW_MAX_BYTES}-byte limit",
            size=len(raw),
        )
    try:
        parsed = mail_parse(raw)
    except MailRefused as refused:
        return _refusal_record(raw=raw, source=source, mailbox=mailbox, reason=refused.reason)
    if mailbox is None:
        envelope = (envelope_recipient.strip().lower(),) if envelope_recipient else ()
        mailbox = mailbox_for_recipients(recipients=(*envelope, *parsed.recipients))
    refuse = partial(_refusal_record, raw=raw, source=source, mailbox=mailbox, parsed=parsed)
    if mailbox is None:
        return refuse(reason="not sent to the address of an enabled mailbox")
    reason = _refusal_reason(parsed=parsed)
    if reason is None and not sender_trusted:
        verdict = sender_authentication(
            headers=parsed.authentication_results, authserv_id=mailbox.authserv_id
        )
        reason = verdict.reason() if verdict is not None and verdict.failed else None
    if reason is not None:
        return refuse(reason=reason)
    try:
        return _mail_accept(raw=raw, parsed=parsed, source=source, mailbox=mailbox)
    except IntegrityError:
        # A concurrent delivery of the same Message-ID committed first: this one is the duplicate.
        reason = _duplicate_reason(parsed=parsed)
        if reason is None:
            raise
        return refuse(reason=reason)
    except ValidationError as exc:
        return refuse(reason=f"refused by the ticket checks: {'; '.join(exc.messages)}")


class MailNotHeld(Exception):
    """The mail was not refused for its sender's authentication, or its original is gone."""


def inbound_mail_accept_anyway(*, inbound: InboundMail, actor: Agent) -> InboundMail:
    """Take in a mail held because its sender failed authentication, as if it had passed: a
    lead of the mailbox's team (or an admin) read it and vouches for it, on the audit log. The
    refused row stays on record; the returned row is the new outcome (accepted, or refused for
    another reason, such as a duplicate when it was accepted before)."""
    team_id = inbound.mailbox.queue.team_id if inbound.mailbox is not None else None
    if not config_editable_by(agent=actor, team_id=team_id):
        raise PermissionDenied("Only a lead of the mailbox's team or an admin can accept it.")
    if inbound.status != InboundStatus.REFUSED or not inbound.reason.startswith(
        UNAUTHENTICATED_PREFIX
    ):
        raise MailNotHeld("Only a mail refused for its sender's authentication can be accepted.")
    if not inbound.original:
        raise MailNotHeld("The original of this mail is not kept.")
    with inbound.original.open("rb") as original:
        raw = original.read()
    with transaction.atomic():
        outcome = mail_receive(
            raw=raw, source=inbound.source, mailbox=inbound.mailbox, sender_trusted=True
        )
        audit_record(
            kind="inbound_mail.accepted_anyway",
            actor=actor,
            ticket=outcome.ticket,
            obj=inbound,
            data={"outcome": outcome.pk, "status": outcome.status, "reason": outcome.reason},
        )
    return outcome


def _duplicate_reason(*, parsed: ParsedMail) -> str | None:
    if InboundMail.objects.filter(
        message_id_header=parsed.message_id, status=InboundStatus.ACCEPTED
    ).exists():
        return f"duplicate: Message-ID {parsed.message_id} was already taken"
    return None


def _refusal_reason(*, parsed: ParsedMail) -> str | None:
    if parsed.noise is not None:
        return parsed.noise
    if Mailbox.objects.filter(address__iexact=parsed.sender).exists():
        return "sent from a KimonDesk mailbox address (a mail loop)"
    return _duplicate_reason(parsed=parsed)


def _storage_name(*, raw: bytes) -> str:
    return f"{hashlib.sha256(raw).hexdigest()[:32]}.eml"


def _mail_accept(*, raw: bytes, parsed: ParsedMail, source: str, mailbox: Mailbox) -> InboundMail:
    stored: list[str] = []
    try:
        with transaction.atomic():
            ticket = mail_thread_ticket(parsed=parsed, mailbox=mailbox)
            body = parsed.text or NO_TEXT
            if ticket is not None:
                message = services.message_add(
                    ticket=ticket, author_type=AuthorType.CUSTOMER, body=body
                )
            else:
                ticket = services.ticket_create(
                    subject=parsed.subject or NO_SUBJECT,
                    customer=_customer_for_sender(parsed=parsed),
                    body=body,
                    queue=mailbox.queue,
                )
                message = Message.objects.filter(ticket=ticket).earliest("pk")
            inbound = InboundMail(
                mailbox=mailbox,
                source=source,
                status=InboundStatus.ACCEPTED,
                message_id_header=parsed.message_id,
                sender=parsed.sender,
                subject=parsed.subject,
                size=len(raw),
                ticket=ticket,
                message=message,
                skipped=list(parsed.skipped),
            )
            inbound.original.save(_storage_name(raw=raw), ContentFile(raw), save=False)
            stored.append(inbound.original.name)
            inbound.save()
            for attachment in parsed.attachments:
                row = MailAttachment(
                    inbound_mail=inbound,
                    message=message,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=len(attachment.content),
                )
                row.file.save(attachment.filename, ContentFile(attachment.content), save=False)
                stored.append(row.file.name)
                row.save()
    except BaseException:
        # The rows were rolled back: the files written for them go too.
        for name in stored:
            default_storage.delete(name)
        raise
    logger.info(
        "mail %s taken as message %s on ticket #%s",
        inbound.pk,
        getattr(message, "pk", None),
        ticket.pk,
        extra={"mailbox": mailbox.pk, "source": source},
    )
    return inbound


def _customer_for_sender(*, parsed: ParsedMail) -> Customer:
    """The customer with the sender's address (the oldest, if several), or a new one."""
    existing = Customer.objects.filter(email__iexact=parsed.sender).order_by("pk").first()
    if existing is not None:
        return existing
    external_id = f"email:{parsed.sender}"
    if len(external_id) > 100:
        external_id = f"email-sha256:{hashlib.sha256(parsed.sender.encode()).hexdigest()}"
    customer, _ = Customer.objects.get_or_create(
        external_id=external_id,
        defaults={"name": parsed.sender_name or parsed.sender, "email": parsed.sender},
    )
    return customer


def _refusal_record(
    *,
    raw: bytes | None,
    source: str,
    mailbox: Mailbox | None,
    reason: str,
    parsed: ParsedMail | None = None,
    size: int | None = None,
) -> InboundMail:
    inbound = InboundMail(
        mailbox=mailbox,
        source=source,
        status=InboundStatus.REFUSED,
        reason=reason[:300],
        message_id_header=parsed.message_id if parsed else "",
        sender=parsed.sender if parsed else "",
        subject=parsed.subject if parsed else "",
        size=size if size is not None else len(raw or b""),
    )
    if raw is not None:
        inbound.original.save(_storage_name(raw=raw), ContentFile(raw), save=False)
    try:
        inbound.save()
    except BaseException:
        if inbound.original:
            default_storage.delete(inbound.original.name)
        raise
    logger.info(
        "mail refused: %s",
        reason,
        extra={"mailbox": getattr(mailbox, "pk", None), "source": source, "inbound": inbound.pk},
    )
    return inbound
