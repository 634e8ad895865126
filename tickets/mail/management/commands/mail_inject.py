"""Inject a mail as if it had been received: a file (``--file mail.eml``, ``-`` for stdin) or a
sample customer mail built from the options. Goes through the same door as IMAP and webhooks."""

from __future__ import annotations

import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tickets.mail.inbound import mail_receive
from tickets.mail.models import InboundStatus, Mailbox


class Command(BaseCommand):
    help = "Take in one mail as if received (a file, or a sample customer mail)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="An RFC 5322 mail file; '-' reads standard input.")
        parser.add_argument("--to", help="The mailbox address (default: the first mailbox).")
        parser.add_argument("--from", dest="sender", default="jamie.customer@example.com")
        parser.add_argument("--name", default="Jamie Customer")
        parser.add_argument("--subject", default="My invoice is wrong")
        parser.add_argument(
            "--body",
            default="Hello, I was charged twice for December. Can you fix it, please?",
        )
        parser.add_argument("--in-reply-to", default="", help="A Message-ID this mail answers.")

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = self._mailbox(options.get("to"))
        if options.get("file"):
            path = options["file"]
            raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        else:
            mail = EmailMessage()
            mail["From"] = f"{options['name']} <{options['sender']}>"
            mail["To"] = mailbox.address
            mail["Subject"] = options["subject"]
            mail["Date"] = formatdate(localtime=False)
            mail["Message-ID"] = make_msgid(domain="example.com")
            if options["in_reply_to"]:
                mail["In-Reply-To"] = options["in_reply_to"]
                mail["References"] = options["in_reply_to"]
            mail.set_content(options["body"])
            raw = bytes(mail)
        inbound = mail_receive(raw=raw, source="inject", mailbox=mailbox)
        if inbound.status == InboundStatus.REFUSED:
            self.stdout.write(f"Refused: {inbound.reason}")
        else:
            self.stdout.write(
                f"Taken as message {inbound.message_id} on ticket #{inbound.ticket_id} "
                f"({mailbox.queue})."
            )

    def _mailbox(self, address: str | None) -> Mailbox:
        mailboxes = Mailbox.objects.select_related("queue__team").order_by("pk")
        mailbox = mailboxes.filter(address__iexact=address).first() if address else None
        mailbox = mailbox or (None if address else mailboxes.first())
        if mailbox is None:
            raise CommandError(
                "No mailbox: add one in the console (Mail, Mailboxes) or run seed_demo."
            )
        return mailbox
