"""Polling mailboxes over IMAP (imap-tools): each unseen mail goes through ``mail_receive``.

Per poll and mailbox: log in, take at most ``MAIL_POLL_BATCH_MAX`` unseen mails (oldest first),
hand each to ``mail_receive`` on its own (one transaction per mail), and flag it seen once it is
on record, taken or refused. A mail that raises is logged, left unseen and tried again next
poll; the others go on. A mailbox that cannot be reached records the error on itself (never the
password) and the other mailboxes are polled all the same. The Message-ID check makes a mail
flagged too late (a crash between the commit and the flag) count once.
"""

from __future__ import annotations

import imaplib
import logging
import ssl

from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.consts import MailMessageFlags
from imap_tools.errors import ImapToolsError

from escalations.outbound import OutboundRefused, outbound_host_check
from kimondesk.bounds import MAIL_POLL_BATCH_MAX

from .inbound import mail_receive
from .models import Mailbox, MailboxSecurity

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 30


def _client(mailbox: Mailbox) -> BaseMailBox:
    host, port = mailbox.imap_host, mailbox.imap_port
    if mailbox.imap_security == MailboxSecurity.SSL:
        return MailBox(host, port, timeout=IMAP_TIMEOUT_SECONDS)
    if mailbox.imap_security == MailboxSecurity.STARTTLS:
        return MailBoxStartTls(host, port, timeout=IMAP_TIMEOUT_SECONDS)
    return MailBoxUnencrypted(host, port, timeout=IMAP_TIMEOUT_SECONDS)


def _raw_message(client: BaseMailBox, uid: str) -> bytes | None:
    """The mail exactly as the server holds it; ``BODY.PEEK`` leaves it unseen."""
    status, data = client.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def mailbox_poll(*, mailbox: Mailbox) -> int:
    """Poll one mailbox once; returns how many mails were put on record (taken or refused)."""
    handled = 0
    error = ""
    try:
        outbound_host_check(host=mailbox.imap_host, port=mailbox.imap_port)
        with _client(mailbox).login(
            mailbox.imap_username, mailbox.imap_password, initial_folder=mailbox.imap_folder
        ) as client:
            uids = client.uids(AND(seen=False))[:MAIL_POLL_BATCH_MAX]
            for uid in uids:
                if _one_mail_take(client=client, mailbox=mailbox, uid=uid):
                    handled += 1
    except OutboundRefused as exc:
        error = f"Refused: {exc}"
    except (ImapToolsError, imaplib.IMAP4.error) as exc:
        # The server's words may repeat the login: only the kind of failure is kept.
        error = f"IMAP login or command refused by the server ({type(exc).__name__})"
    except (TimeoutError, OSError, ssl.SSLError) as exc:
        error = f"{type(exc).__name__}: could not poll {mailbox.imap_host}:{mailbox.imap_port}"
    if error:
        logger.warning(
            "mailbox %s not polled: %s", mailbox.pk, error, extra={"mailbox": mailbox.pk}
        )
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_poll_error=error[:500]
    )
    return handled


def _one_mail_take(*, client: BaseMailBox, mailbox: Mailbox, uid: str) -> bool:
    try:
        raw = _raw_message(client, uid)
        if raw is None:
            return False
        mail_receive(raw=raw, source="imap", mailbox=mailbox)
    except (OSError, imaplib.IMAP4.abort):
        raise  # the connection is gone: the rest of the batch waits for the next poll
    except Exception:
        logger.exception(
            "mail %s of mailbox %s could not be taken; it stays unseen for the next poll",
            uid,
            mailbox.pk,
            extra={"mailbox": mailbox.pk},
        )
        return False
    client.flag(uid, MailMessageFlags.SEEN, True)
    return True


def mailboxes_to_poll() -> list[int]:
    """The enabled mailboxes with an IMAP host and user."""
    return list(
        Mailbox.objects.filter(enabled=True)
        .exclude(imap_host="")
        .exclude(imap_username="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def mailbox_poll_by_id(*, mailbox_id: int) -> int:
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None or not mailbox.polls_imap:
        return 0
    return mailbox_poll(mailbox=mailbox)


def mailboxes_poll() -> int:
    """Poll every mailbox in this process, one after the other; one unreachable mailbox never
    stops the others."""
    total = 0
    for mailbox_id in mailboxes_to_poll():
        try:
            total += mailbox_poll_by_id(mailbox_id=mailbox_id)
        except Exception:
            logger.exception("mailbox %s poll failed; the others go on", mailbox_id)
    return total
