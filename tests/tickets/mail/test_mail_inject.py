"""``manage.py mail_inject``: a sample mail as if received, through the same door as IMAP."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from tickets.mail.models import InboundMail
from tickets.models import Ticket

from .conftest import make_mail

pytestmark = pytest.mark.django_db


def test_a_sample_mail_opens_a_ticket_and_a_reply_lands_on_it(mailbox):
    out = io.StringIO()
    call_command("mail_inject", stdout=out)
    ticket = Ticket.objects.get()
    assert out.getvalue() == (
        f"Taken as message {ticket.messages.get().pk} on ticket #{ticket.pk} ({mailbox.queue}).\n"
    )
    assert (ticket.subject, ticket.customer.email) == (
        "My invoice is wrong",
        "jamie.customer@example.com",
    )
    first = InboundMail.objects.get().message_id_header
    call_command("mail_inject", "--in-reply-to", first, "--body", "Any news?", stdout=io.StringIO())
    assert list(ticket.messages.values_list("body", flat=True)) == [
        "Hello, I was charged twice for December. Can you fix it, please?",
        "Any news?",
    ]


def test_a_file_is_injected_and_a_refusal_is_reported(mailbox, tmp_path):
    path = tmp_path / "ooo.eml"
    path.write_bytes(make_mail(headers={"Auto-Submitted": "auto-replied"}))
    out = io.StringIO()
    call_command("mail_inject", "--file", str(path), stdout=out)
    assert out.getvalue() == "Refused: auto-submitted mail (Auto-Submitted: auto-replied)\n"
    assert Ticket.objects.count() == 0


def test_without_a_mailbox_the_command_says_what_to_do(db):
    with pytest.raises(CommandError, match="No mailbox"):
        call_command("mail_inject", stdout=io.StringIO())
