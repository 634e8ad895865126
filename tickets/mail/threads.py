"""Which ticket a received mail continues: reads only, no writes.

A mail continues a ticket when it answers a mail of that ticket (``In-Reply-To``/``References``
naming a Message-ID KimonDesk received or sent), carries the ticket's token in its subject
(``[KD#123]``), or was sent to the plus-address of the ticket (``support+123@…``). Whichever
finds it, the ticket must belong to the customer with the sender's address and not be closed:
anybody else's mail, or mail on a closed ticket, opens a new ticket instead.
"""

from __future__ import annotations

import re

from tickets.models import Status, Ticket

from .models import InboundMail, InboundStatus, Mailbox, OutboundMail
from .parsing import ParsedMail

_SUBJECT_TOKEN = re.compile(r"\[KD#(\d{1,12})\]")


def ticket_subject_token(*, ticket_id: int) -> str:
    return f"[KD#{ticket_id}]"


def _plus_ticket_id(*, mailbox: Mailbox, recipients: tuple[str, ...]) -> int | None:
    local, domain = mailbox.address.lower().split("@", 1)
    pattern = re.compile(rf"{re.escape(local)}\+(\d{{1,12}})@{re.escape(domain)}")
    for recipient in recipients:
        match = pattern.fullmatch(recipient)
        if match:
            return int(match.group(1))
    return None


def mailbox_for_recipients(*, recipients: tuple[str, ...]) -> Mailbox | None:
    """The enabled mailbox a mail was sent to (its address, or a plus-address of it)."""
    wanted = set(recipients)
    for recipient in recipients:
        local, _, domain = recipient.partition("@")
        if "+" in local:
            wanted.add(f"{local.split('+', 1)[0]}@{domain}")
    if not wanted:
        return None
    return (
        Mailbox.objects.select_related("queue__team")
        .filter(enabled=True, address__in=sorted(wanted))
        .order_by("pk")
        .first()
    )


def mail_thread_ticket(*, parsed: ParsedMail, mailbox: Mailbox) -> Ticket | None:
    """The open ticket of this sender that the mail continues, or ``None`` for a new ticket."""
    candidates: list[int] = []
    ancestors = [*reversed(parsed.in_reply_to), *reversed(parsed.references)]
    if ancestors:
        received = dict(
            InboundMail.objects.filter(
                message_id_header__in=ancestors, status=InboundStatus.ACCEPTED, ticket__isnull=False
            ).values_list("message_id_header", "ticket_id")
        )
        sent = dict(
            OutboundMail.objects.filter(message_id_header__in=ancestors).values_list(
                "message_id_header", "message__ticket_id"
            )
        )
        candidates += [
            ticket_id
            for mid in ancestors
            if (ticket_id := received.get(mid) or sent.get(mid)) is not None
        ]
    token = _SUBJECT_TOKEN.search(parsed.subject)
    if token:
        candidates.append(int(token.group(1)))
    plus = _plus_ticket_id(mailbox=mailbox, recipients=parsed.recipients)
    if plus is not None:
        candidates.append(plus)
    if not candidates:
        return None
    tickets = {
        ticket.pk: ticket
        for ticket in Ticket.objects.select_related("customer", "queue")
        .filter(pk__in=set(candidates), customer__email__iexact=parsed.sender)
        .exclude(status=Status.CLOSED)
    }
    return next((tickets[pk] for pk in candidates if pk in tickets), None)
