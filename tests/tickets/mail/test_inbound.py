"""Received mail through ``mail_receive``: new tickets, replies on the same ticket, and what is
refused (with the reason, and nothing else written)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from escalations.models import Escalation
from tests import factories
from tickets.mail import inbound as inbound_module
from tickets.mail.inbound import mail_receive
from tickets.mail.models import InboundMail, MailAttachment
from tickets.models import Customer, Message, Ticket, TicketEvent

from .conftest import SUPPORT, make_mail

pytestmark = pytest.mark.django_db


def receive(raw: bytes, mailbox=None, callbacks=None):
    if callbacks is None:
        return mail_receive(raw=raw, source="test", mailbox=mailbox)
    with callbacks(execute=True):
        return mail_receive(raw=raw, source="test", mailbox=mailbox)


def nothing_written_but_refusal(before_tickets: int, before_messages: int) -> None:
    assert Ticket.objects.count() == before_tickets
    assert Message.objects.count() == before_messages
    assert MailAttachment.objects.count() == 0


def test_a_new_mail_opens_a_ticket_in_the_mailbox_queue_for_a_new_customer(mailbox):
    # when a stranger writes to the support address
    inbound = receive(make_mail(), mailbox)
    # then one ticket in the mailbox's queue, for a customer made from the address
    assert (inbound.status, inbound.reason) == ("accepted", "")
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.queue_id, ticket.status) == (
        "My invoice is wrong",
        mailbox.queue_id,
        "new",
    )
    customer = Customer.objects.get()
    assert (customer.email, customer.name, customer.external_id) == (
        "anna@customer.example",
        "Anna Kunde",
        "email:anna@customer.example",
    )
    message = Message.objects.get()
    assert (message.author_type, message.body) == (
        "customer",
        "Hello, I was charged twice for December.",
    )
    assert (inbound.ticket_id, inbound.message_id, inbound.message_id_header) == (
        ticket.pk,
        message.pk,
        "<first.1@customer.example>",
    )
    # and the original is kept byte for byte
    with default_storage.open(inbound.original.name, "rb") as f:
        assert f.read() == make_mail()
    assert list(TicketEvent.objects.values_list("kind", flat=True)) == [
        "ticket_created",
        "message_added",
    ]


def test_a_known_customer_is_found_by_address_whatever_its_case(mailbox):
    known = factories.CustomerFactory(email="Anna@Customer.example", name="Anna K.")
    receive(make_mail(), mailbox)
    assert Ticket.objects.get().customer_id == known.pk
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("how", "reply_kwargs"),
    [
        pytest.param(
            "in_reply_to",
            {"headers": {"In-Reply-To": "<first.1@customer.example>"}},
            id="in-reply-to",
        ),
        pytest.param(
            "references",
            {"headers": {"References": "<zzz@elsewhere> <first.1@customer.example>"}},
            id="references",
        ),
        pytest.param("token", {"subject": "Re: My invoice [KD#{id}]"}, id="subject-token"),
        pytest.param("plus", {"to": "support+{id}@help.example.com"}, id="plus-address"),
    ],
)
def test_a_reply_adds_a_customer_message_to_the_same_ticket(mailbox, how, reply_kwargs):
    # given a ticket opened by mail
    receive(make_mail(), mailbox)
    ticket = Ticket.objects.get()
    # when the customer answers, found by one threading clue only
    kwargs = {
        k: v.format(id=ticket.pk) if isinstance(v, str) else v for k, v in reply_kwargs.items()
    }
    kwargs.setdefault("subject", "Something else entirely")
    receive(
        make_mail(message_id="<second.2@customer.example>", body="Any news?", **kwargs), mailbox
    )
    # then the ticket has a second customer message, and no ticket was opened
    assert Ticket.objects.count() == 1
    assert list(ticket.messages.values_list("author_type", "body")) == [
        ("customer", "Hello, I was charged twice for December."),
        ("customer", "Any news?"),
    ]


def test_a_token_of_someone_elses_ticket_opens_a_new_ticket(mailbox):
    receive(make_mail(), mailbox)
    theirs = Ticket.objects.get()
    receive(
        make_mail(
            sender="mallory@evil.example",
            subject=f"Re: [KD#{theirs.pk}]",
            message_id="<m@evil.example>",
            headers={"In-Reply-To": "<first.1@customer.example>"},
            body="Let me in",
        ),
        mailbox,
    )
    assert Ticket.objects.count() == 2
    assert theirs.messages.count() == 1


def test_quoted_history_and_signature_are_stripped_and_html_becomes_text(mailbox):
    body = (
        "The second charge is still there.\n\nBest regards,\nAnna\n\n"
        "On Mon, 1 Dec 2026 at 10:00, Acme Support <support@help.example.com> wrote:\n"
        "> We are looking into it.\n> Acme"
    )
    receive(make_mail(body=body), mailbox)
    assert Message.objects.get().body == "The second charge is still there."
    receive(
        make_mail(
            message_id="<html@customer.example>",
            subject="HTML only",
            body="",
            html="<html><head><style>p{}</style><script>alert(1)</script></head>"
            "<body><p>Hello <b>team</b>,</p><p>see &amp; fix &lt;this&gt;</p></body></html>",
        ),
        mailbox,
    )
    html_message = Message.objects.get(ticket__subject="HTML only")
    assert html_message.body == "Hello team,\n\nsee & fix <this>"


def test_an_unknown_charset_is_read_not_refused(mailbox):
    raw = (
        b"From: anna@customer.example\r\nTo: support@help.example.com\r\n"
        b"Subject: =?x-unknown?q?Rechnung?=\r\nMessage-ID: <cs@customer.example>\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\nGr\xfc\xdfe, falsche Rechnung\r\n"
    )
    inbound = receive(raw, mailbox)
    assert inbound.status == "accepted"
    assert Message.objects.get().body == "Grüße, falsche Rechnung"
    assert Ticket.objects.get().subject == "=?x-unknown?q?Rechnung?="


def test_attachments_are_kept_within_bounds_and_the_rest_is_noted(mailbox, settings):
    # given a mail with a PDF, an executable and an attachment over the size bound
    big = b"x" * (inbound_module_bound() + 1)
    raw = make_mail(
        attachments=[
            ("invoice.pdf", "application/pdf", b"%PDF-1.4 invoice"),
            ("tool.exe", "application/x-msdownload", b"MZ..."),
            ("scan.png", "image/png", big),
        ]
    )
    inbound = receive(raw, mailbox)
    # then the PDF is stored through the storage API, the others are listed as left out
    attachment = MailAttachment.objects.get()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "invoice.pdf",
        "application/pdf",
        16,
    )
    with default_storage.open(attachment.file.name, "rb") as f:
        assert f.read() == b"%PDF-1.4 invoice"
    assert attachment.message_id == inbound.message_id
    assert inbound.skipped == [
        "tool.exe: type application/x-msdownload is not accepted",
        f"scan.png: {len(big)} bytes is over the {inbound_module_bound()}-byte limit",
    ]


def inbound_module_bound() -> int:
    from kimondesk.bounds import MAIL_ATTACHMENT_MAX_BYTES

    return MAIL_ATTACHMENT_MAX_BYTES


def test_a_mail_over_the_size_bound_is_refused_whole(mailbox, monkeypatch):
    monkeypatch.setattr(inbound_module, "MAIL_RAW_MAX_BYTES", 1000)
    inbound = receive(make_mail(body="x" * 2000), mailbox)
    assert (inbound.status, inbound.reason) == (
        "refused",
        f"mail of {len(make_mail(body='x' * 2000))} bytes is over the 1000-byte limit",
    )
    assert not inbound.original
    nothing_written_but_refusal(0, 0)


@pytest.mark.parametrize(
    ("headers", "sender", "reason"),
    [
        (
            {"Auto-Submitted": "auto-replied"},
            None,
            "auto-submitted mail (Auto-Submitted: auto-replied)",
        ),
        ({"Precedence": "bulk"}, None, "bulk or list mail (Precedence: bulk)"),
        ({"Precedence": "list"}, None, "bulk or list mail (Precedence: list)"),
        ({"Precedence": "junk"}, None, "bulk or list mail (Precedence: junk)"),
        ({"X-Autoreply": "yes"}, None, "auto-reply (X-Autoreply)"),
        ({"List-Id": "<news.customer.example>"}, None, "mailing-list mail (List-Id)"),
        ({}, "MAILER-DAEMON@mx.customer.example", "bounce (sent by the mail system)"),
        ({}, SUPPORT, "sent from a KimonDesk mailbox address (a mail loop)"),
    ],
    ids=[
        "auto-submitted",
        "bulk",
        "list",
        "junk",
        "x-autoreply",
        "list-id",
        "mailer-daemon",
        "own-address",
    ],
)
def test_machine_mail_never_opens_a_ticket(mailbox, headers, sender, reason):
    kwargs = {"sender": sender} if sender else {}
    inbound = receive(make_mail(headers=headers, **kwargs), mailbox)
    assert (inbound.status, inbound.reason) == ("refused", reason)
    nothing_written_but_refusal(0, 0)


def test_a_delivery_status_notification_is_refused(mailbox):
    raw = (
        b"From: Mail Delivery System <bounces@mx.example>\r\nTo: support@help.example.com\r\n"
        b"Subject: Undelivered Mail\r\nMessage-ID: <dsn@mx.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        b"--b\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b--\r\n"
    )
    inbound = receive(raw, mailbox)
    assert (inbound.status, inbound.reason) == ("refused", "delivery report (delivery-status)")
    nothing_written_but_refusal(0, 0)


def test_the_same_mail_twice_makes_one_message_and_a_record_of_the_second(mailbox):
    receive(make_mail(), mailbox)
    second = receive(make_mail(), mailbox)
    assert (second.status, second.reason) == (
        "refused",
        "duplicate: Message-ID <first.1@customer.example> was already taken",
    )
    assert (Ticket.objects.count(), Message.objects.count()) == (1, 1)
    assert list(InboundMail.objects.order_by("pk").values_list("status", flat=True)) == [
        "accepted",
        "refused",
    ]


def test_a_mail_without_message_id_is_recognised_by_its_bytes(mailbox):
    raw = make_mail(message_id=None)
    receive(raw, mailbox)
    assert receive(raw, mailbox).status == "refused"
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param(b"", "malformed mail: no headers", id="empty"),
        pytest.param(
            b"\x00\xff garbage without headers", "malformed mail: no headers", id="binary"
        ),
        pytest.param(
            b"Subject: hi\r\nMessage-ID: <x@y>\r\n\r\nbody",
            "no sender address (From)",
            id="no-from",
        ),
        pytest.param(
            b"From: not an address\r\nSubject: hi\r\n\r\nbody",
            "no sender address (From)",
            id="bad-from",
        ),
    ],
)
def test_unreadable_mail_is_refused_with_the_reason(mailbox, raw, reason):
    inbound = receive(raw, mailbox)
    assert (inbound.status, inbound.reason) == ("refused", reason)
    nothing_written_but_refusal(0, 0)


def test_broken_mime_boundaries_still_give_the_text(mailbox):
    raw = (
        b"From: anna@customer.example\r\nTo: support@help.example.com\r\nSubject: broken\r\n"
        b"Message-ID: <broken@customer.example>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain\r\n\r\nThe text survives.\r\n"
        b"--never-closed\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!"
    )
    inbound = receive(raw, mailbox)
    assert inbound.status == "accepted"
    assert Message.objects.get().body == "The text survives."


def test_a_failure_midway_leaves_nothing_half_written(mailbox, monkeypatch, media_root):
    # given storage that fails on the attachment (after the ticket and message were written)
    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(MailAttachment, "save", broken)
    raw = make_mail(attachments=[("invoice.pdf", "application/pdf", b"%PDF")])
    # when the mail is taken in, the error propagates (the poller leaves it for the next poll)
    with pytest.raises(OSError, match="disk full"):
        receive(raw, mailbox)
    # then no ticket, message, customer or mail row stays, and no file is left in storage
    assert (Ticket.objects.count(), Message.objects.count(), Customer.objects.count()) == (0, 0, 0)
    assert InboundMail.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_an_angry_reply_escalates_through_the_normal_rules(
    mailbox, junior, senior, team, django_capture_on_commit_callbacks
):
    # given a ticket opened by mail, held by a junior, and a sentiment rule
    target = factories.TargetFactory(kind="agent", agent=senior, team=team)
    factories.RuleFactory(name="Churn", trigger_kind="sentiment_negative", target=target)
    receive(
        make_mail(body="Hello, could you send me a copy of my December invoice?"),
        mailbox,
        django_capture_on_commit_callbacks,
    )
    ticket = Ticket.objects.get()
    assert Escalation.objects.count() == 0
    # when the customer threatens to leave in a reply
    receive(
        make_mail(
            message_id="<angry@customer.example>",
            headers={"In-Reply-To": "<first.1@customer.example>"},
            body="This is useless. I am switching to a competitor and will cancel my account.",
        ),
        mailbox,
        django_capture_on_commit_callbacks,
    )
    # then the message is negative and the rule escalated the ticket
    assert ticket.messages.latest("pk").sentiment == "negative"
    escalation = Escalation.objects.get()
    assert (escalation.ticket_id, escalation.trigger) == (ticket.pk, "sentiment_negative")


def test_mail_to_no_mailbox_is_refused(mailbox):
    inbound = receive(make_mail(to="someone@else.example"))
    assert (inbound.status, inbound.reason, inbound.mailbox_id) == (
        "refused",
        "not sent to the address of an enabled mailbox",
        None,
    )
    nothing_written_but_refusal(0, 0)


def test_attachments_are_listed_on_the_ticket_page_and_downloaded_by_who_may_see_it(
    client, mailbox, junior
):
    receive(make_mail(attachments=[("invoice.pdf", "application/pdf", b"%PDF-1.4 x")]), mailbox)
    attachment = MailAttachment.objects.get()
    ticket = Ticket.objects.get()
    url = f"/mail/attachments/{attachment.pk}/"
    client.force_login(junior)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["Content-Type"] == "application/octet-stream"
    # an agent of another team gets nothing
    outsider = factories.AgentFactory(username="outsider", team=factories.TeamFactory(name="Other"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_reply_to_a_closed_ticket_opens_a_new_one(mailbox):
    receive(make_mail(), mailbox)
    closed = Ticket.objects.get()
    Ticket.objects.filter(pk=closed.pk).update(status="closed")
    receive(
        make_mail(
            message_id="<late@customer.example>",
            subject=f"Re: My invoice is wrong [KD#{closed.pk}]",
            headers={"In-Reply-To": "<first.1@customer.example>"},
            body="It happened again this month.",
        ),
        mailbox,
    )
    new = Ticket.objects.exclude(pk=closed.pk).get()
    assert (new.subject, new.customer_id, new.status) == (
        f"Re: My invoice is wrong [KD#{closed.pk}]",
        closed.customer_id,
        "new",
    )
    assert closed.messages.count() == 1
