"""The IMAP poller against a real Dovecot: held mails become tickets and replies; a churn threat
in the thread escalates; one bad mail or one unreachable mailbox never stops the rest."""

from __future__ import annotations

import pytest
from imap_tools import AND, MailBoxUnencrypted

from escalations.models import Escalation
from tests import factories
from tickets.mail.imap import mailbox_poll, mailboxes_poll
from tickets.mail.models import InboundMail, Mailbox
from tickets.mail.tasks import mailbox_polls_enqueue
from tickets.models import Message, Ticket

from .conftest import SUPPORT, free_port, make_mail

pytestmark = pytest.mark.django_db

NEUTRAL = "Hello, could you send me a copy of my December invoice?"


@pytest.fixture
def imap_mailbox(mailbox, imap_server):
    mailbox.imap_host = imap_server["host"]
    mailbox.imap_port = imap_server["port"]
    mailbox.imap_security = "none"
    mailbox.imap_username = imap_server["username"]
    mailbox.imap_password = imap_server["password"]
    mailbox.save()
    return mailbox


def hold(server, *mails: bytes) -> None:
    """Deliver mails into the server's INBOX, unseen."""
    with MailBoxUnencrypted(server["host"], server["port"]).login(
        server["username"], server["password"]
    ) as client:
        for raw in mails:
            client.append(raw, "INBOX", flag_set=())


def unseen(server) -> int:
    with MailBoxUnencrypted(server["host"], server["port"]).login(
        server["username"], server["password"]
    ) as client:
        return len(client.uids(AND(seen=False)))


def test_held_mails_become_a_ticket_and_its_replies_and_a_churn_threat_escalates(
    imap_server, imap_mailbox, junior, senior, team, django_capture_on_commit_callbacks
):
    # given a sentiment rule, and a first mail, an auto-reply and a churn-threat reply held
    target = factories.TargetFactory(kind="agent", agent=senior, team=team)
    factories.RuleFactory(name="Churn", trigger_kind="sentiment_negative", target=target)
    hold(
        imap_server,
        make_mail(body=NEUTRAL),
        make_mail(
            sender="anna@customer.example",
            message_id="<ooo@customer.example>",
            subject="Out of office",
            headers={"Auto-Submitted": "auto-replied"},
            body="I am away until Monday.",
        ),
        make_mail(
            message_id="<second@customer.example>",
            subject="Re: My invoice is wrong",
            headers={"In-Reply-To": "<first.1@customer.example>"},
            body="Still charged twice. This is useless, I am switching to a competitor "
            "and will cancel my account.",
        ),
    )
    # when the periodic task queues the mailbox's poll (run at once: the test broker is sync)
    with django_capture_on_commit_callbacks(execute=True):
        queued = mailbox_polls_enqueue()
    # then all three are on record: one ticket with two customer messages, the auto-reply refused
    assert queued == 1
    assert InboundMail.objects.count() == 3
    ticket = Ticket.objects.get()
    assert ticket.queue_id == imap_mailbox.queue_id
    assert list(ticket.messages.values_list("author_type", flat=True)) == ["customer", "customer"]
    assert list(InboundMail.objects.order_by("pk").values_list("status", "reason")) == [
        ("accepted", ""),
        ("refused", "auto-submitted mail (Auto-Submitted: auto-replied)"),
        ("accepted", ""),
    ]
    # and the churn threat (not the neutral first mail) escalated the ticket through the rules
    first, reply = ticket.messages.order_by("pk")
    assert (first.sentiment, reply.sentiment) == ("neutral", "negative")
    assert "churn threat: 'cancel my account'" in reply.sentiment_reasons
    escalation = Escalation.objects.get()
    assert (escalation.ticket_id, escalation.trigger) == (ticket.pk, "sentiment_negative")
    assert escalation.evidence["message"] == reply.pk
    # and every mail is flagged seen, so the next poll takes nothing
    assert unseen(imap_server) == 0
    assert mailboxes_poll() == 0
    imap_mailbox.refresh_from_db()
    assert (imap_mailbox.last_poll_error, imap_mailbox.last_polled_at is not None) == ("", True)


def test_a_mail_that_fails_stays_unseen_and_the_others_are_taken(
    imap_server, imap_mailbox, monkeypatch
):
    hold(
        imap_server,
        make_mail(message_id="<poison@customer.example>", subject="poison"),
        make_mail(
            message_id="<fine@customer.example>", subject="fine", sender="bob@customer.example"
        ),
    )
    import tickets.mail.imap as imap_module

    real = imap_module.mail_receive

    def flaky(*, raw, source, mailbox):
        if b"poison" in raw:
            raise RuntimeError("a bug hit by this one mail")
        return real(raw=raw, source=source, mailbox=mailbox)

    monkeypatch.setattr(imap_module, "mail_receive", flaky)
    assert mailbox_poll(mailbox=imap_mailbox) == 1
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["fine"]
    assert unseen(imap_server) == 1
    # once the bug is gone, the next poll takes it
    monkeypatch.setattr(imap_module, "mail_receive", real)
    assert mailbox_poll(mailbox=imap_mailbox) == 1
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["fine", "poison"]


def test_the_same_mail_held_twice_makes_one_message(imap_server, imap_mailbox):
    hold(imap_server, make_mail(), make_mail())
    assert mailbox_poll(mailbox=imap_mailbox) == 2
    assert Message.objects.count() == 1
    assert list(InboundMail.objects.values_list("status", flat=True).order_by("pk")) == [
        "accepted",
        "refused",
    ]


def test_a_wrong_password_or_a_dead_server_is_recorded_and_other_mailboxes_still_poll(
    imap_server, imap_mailbox, team, caplog
):
    # given a second mailbox whose server is down and a third with a wrong password
    dead = Mailbox.objects.create(
        queue=factories.QueueFactory(name="Dead", team=team),
        address="dead@help.example.com",
        imap_host="127.0.0.1",
        imap_port=free_port(),
        imap_security="none",
        imap_username="x",
        imap_password="dead-secret-value",
    )
    wrong = Mailbox.objects.create(
        queue=factories.QueueFactory(name="Wrong", team=team),
        address="wrong@help.example.com",
        imap_host=imap_server["host"],
        imap_port=imap_server["port"],
        imap_security="none",
        imap_username="support",
        imap_password="not-the-password",
    )
    hold(imap_server, make_mail())
    # when every mailbox is polled
    assert mailboxes_poll() == 1
    # then the good one took its mail, and the others say why they could not poll
    assert Ticket.objects.get().queue_id == imap_mailbox.queue_id
    dead.refresh_from_db()
    wrong.refresh_from_db()
    assert dead.last_poll_error == (
        f"ConnectionRefusedError: could not poll 127.0.0.1:{dead.imap_port}"
    )
    assert wrong.last_poll_error == (
        "IMAP login or command refused by the server (MailboxLoginError)"
    )
    # and no password reached the log
    assert "not-the-password" not in caplog.text
    assert "dead-secret-value" not in caplog.text


def test_a_private_imap_host_is_refused_unless_private_networks_are_allowed(imap_mailbox, settings):
    settings.KIMONDESK = {**settings.KIMONDESK, "OUTBOUND_PRIVATE_NETWORKS": False}
    assert mailbox_poll(mailbox=imap_mailbox) == 0
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_poll_error == (
        "Refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address."
    )
    assert Ticket.objects.count() == 0


def test_the_support_address_is_the_mailbox_address(imap_mailbox):
    assert imap_mailbox.address == SUPPORT
    assert "imap-secret" not in repr(imap_mailbox)
