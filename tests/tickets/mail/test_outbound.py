"""Agents' replies leave by mail: queued with the message, sent after commit, threaded, retried;
notes and escalation summaries never leave."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from kimondesk.bounds import MAIL_SEND_ATTEMPTS_MAX
from tickets import services
from tickets.mail import outbound as outbound_module
from tickets.mail.inbound import mail_receive
from tickets.mail.models import OutboundMail
from tickets.mail.outbound import reply_mail_send
from tickets.mail.tasks import reply_mails_due_sweep
from tickets.models import Message, NoteKind, Ticket

from .conftest import SUPPORT, free_port, make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailed_ticket(mailbox):
    mail_receive(raw=make_mail(), source="test", mailbox=mailbox)
    return Ticket.objects.get()


def agent_reply(ticket, agent, body="We refunded the second charge.", callbacks=None):
    with callbacks(execute=True):
        return services.message_add(ticket=ticket, author_type="agent", body=body, author=agent)


def test_a_reply_is_sent_after_commit_threaded_from_the_queue_address(
    mailed_ticket, junior, django_capture_on_commit_callbacks
):
    # when an agent replies on a ticket that came by mail
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.message_add(
            ticket=mailed_ticket, author_type="agent", body="Refunded.", author=junior
        )
    # then the delivery is queued and nothing is sent before the commit
    outbound = OutboundMail.objects.get()
    assert (outbound.message_id, outbound.state, outbound.to_address) == (
        message.pk,
        "queued",
        "anna@customer.example",
    )
    assert mail.outbox == []
    # and after it, one mail, threaded on the customer's mail, from the queue's address
    for callback in callbacks:
        callback()
    outbound.refresh_from_db()
    assert (outbound.state, outbound.attempts, outbound.last_error) == ("sent", 1, "")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.from_email == f"Acme Support <{SUPPORT}>"
    assert sent.to == ["anna@customer.example"]
    assert sent.subject == f"Re: My invoice is wrong [KD#{mailed_ticket.pk}]"
    assert sent.body == "Refunded."
    assert sent.extra_headers == {
        "Message-ID": outbound.message_id_header,
        "In-Reply-To": "<first.1@customer.example>",
        "References": "<first.1@customer.example>",
    }


def test_the_customers_answer_to_the_reply_lands_on_the_ticket(
    mailbox, mailed_ticket, junior, django_capture_on_commit_callbacks
):
    agent_reply(mailed_ticket, junior, callbacks=django_capture_on_commit_callbacks)
    reply_id = OutboundMail.objects.get().message_id_header
    inbound = mail_receive(
        raw=make_mail(
            message_id="<third@customer.example>",
            subject="Re: whatever",
            headers={
                "In-Reply-To": reply_id,
                "References": f"<first.1@customer.example> {reply_id}",
            },
            body="Thanks!",
        ),
        source="test",
        mailbox=mailbox,
    )
    assert inbound.ticket_id == mailed_ticket.pk
    assert Ticket.objects.count() == 1
    # and the next reply references the whole thread, oldest first
    agent_reply(
        mailed_ticket, junior, body="You're welcome.", callbacks=django_capture_on_commit_callbacks
    )
    assert mail.outbox[-1].extra_headers["In-Reply-To"] == "<third@customer.example>"
    assert mail.outbox[-1].extra_headers["References"] == (
        f"<first.1@customer.example> {reply_id} <third@customer.example>"
    )


def test_notes_and_escalation_summaries_never_leave(
    mailed_ticket, junior, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.note_add(ticket=mailed_ticket, body="Customer seems upset", author=junior)
        services.note_add(
            ticket=mailed_ticket, body="Escalated", author=None, kind=NoteKind.ESCALATION_SUMMARY
        )
    assert OutboundMail.objects.count() == 0
    assert mail.outbox == []


def test_a_ticket_without_mailbox_or_address_sends_nothing(
    queue, customer, junior, django_capture_on_commit_callbacks
):
    ticket = services.ticket_create(subject="API ticket", customer=customer, body="Hi", queue=queue)
    agent_reply(ticket, junior, callbacks=django_capture_on_commit_callbacks)
    assert OutboundMail.objects.count() == 0
    assert mail.outbox == []


def test_the_page_and_the_api_reply_both_send(
    client, mailed_ticket, junior, django_capture_on_commit_callbacks
):
    client.force_login(junior)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ticket_reply", args=[mailed_ticket.pk]), {"body": "Page"})
    assert response.status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=junior).key}")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/tickets/{mailed_ticket.pk}/messages/",
            {"author_type": "agent", "body": "API"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert [m.body for m in mail.outbox] == ["Page", "API"]
    assert list(OutboundMail.objects.order_by("pk").values_list("state", flat=True)) == [
        "sent",
        "sent",
    ]


def test_a_failed_send_is_retried_later_and_marked_failed_at_the_end(
    mailed_ticket, junior, django_capture_on_commit_callbacks, settings
):
    # given a mail server that refuses connections
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    agent_reply(mailed_ticket, junior, callbacks=django_capture_on_commit_callbacks)
    outbound = OutboundMail.objects.get()
    # then the first try failed: still queued, with the reason and a later retry
    assert (outbound.state, outbound.attempts) == ("queued", 1)
    assert outbound.last_error.startswith("ConnectionRefusedError")
    assert outbound.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # and the sweep leaves it alone until it is due
    assert reply_mails_due_sweep() == 0
    # when every further try fails too
    for attempt in range(2, MAIL_SEND_ATTEMPTS_MAX + 1):
        OutboundMail.objects.filter(pk=outbound.pk).update(next_attempt_at=timezone.now())
        assert reply_mails_due_sweep() == 1
        outbound.refresh_from_db()
        assert outbound.attempts == attempt
    # then it is failed, with the reason, and no longer tried
    assert (outbound.state, outbound.next_attempt_at) == ("failed", None)
    assert outbound.last_error.startswith("ConnectionRefusedError")
    assert reply_mail_send(outbound_id=outbound.pk) is None
    assert OutboundMail.objects.get().attempts == MAIL_SEND_ATTEMPTS_MAX


def test_a_reply_waiting_for_the_server_goes_out_when_it_is_back(
    mailed_ticket, junior, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    agent_reply(mailed_ticket, junior, callbacks=django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundMail.objects.update(next_attempt_at=timezone.now())
    assert reply_mails_due_sweep() == 1
    assert OutboundMail.objects.get().state == "sent"
    assert len(mail.outbox) == 1


def test_sending_twice_sends_once(mailed_ticket, junior, django_capture_on_commit_callbacks):
    agent_reply(mailed_ticket, junior, callbacks=django_capture_on_commit_callbacks)
    outbound = OutboundMail.objects.get()
    assert reply_mail_send(outbound_id=outbound.pk) is None
    assert reply_mails_due_sweep() == 0
    assert len(mail.outbox) == 1


def test_a_claimed_reply_is_not_taken_by_a_second_worker(
    mailed_ticket, junior, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        services.message_add(ticket=mailed_ticket, author_type="agent", body="Hi", author=junior)
    outbound = OutboundMail.objects.get()
    now = timezone.now()
    assert outbound_module._claim(outbound_id=outbound.pk, now=now) is True
    assert outbound_module._claim(outbound_id=outbound.pk, now=now) is False


def test_the_ticket_page_shows_the_delivery_state_next_to_the_reply(
    client, mailed_ticket, junior, django_capture_on_commit_callbacks
):
    agent_reply(
        mailed_ticket, junior, body="Sent one", callbacks=django_capture_on_commit_callbacks
    )
    failed = agent_reply(
        mailed_ticket, junior, body="Failed one", callbacks=django_capture_on_commit_callbacks
    )
    OutboundMail.objects.filter(message=failed).update(
        state="failed", last_error="SMTPRecipientsRefused: 550 no such user"
    )
    client.force_login(junior)
    page = client.get(reverse("ticket_detail", args=[mailed_ticket.pk])).content.decode()
    first = Message.objects.get(body="Sent one")
    assert f'id="message-{first.pk}"' in page
    assert page.count('data-delivery-state="sent"') == 1
    assert page.count('data-delivery-state="failed"') == 1
    assert "email failed: SMTPRecipientsRefused: 550 no such user" in page


def test_a_real_smtp_server_receives_the_reply_with_threading_headers(
    smtp_server, mailed_ticket, junior, django_capture_on_commit_callbacks
):
    # when an agent replies and the backend is SMTP to a local server
    agent_reply(
        mailed_ticket, junior, body="Refund sent.", callbacks=django_capture_on_commit_callbacks
    )
    # then the server received one mail for the customer, from the queue address
    outbound = OutboundMail.objects.get()
    assert outbound.state == "sent"
    assert len(smtp_server) == 1
    envelope = smtp_server[0]
    assert (envelope.mail_from, envelope.rcpt_tos) == (SUPPORT, ["anna@customer.example"])
    received = email.message_from_bytes(envelope.content, policy=policy.default)
    # A long Message-ID may be folded onto its own line (RFC 5322): compare the ids themselves
    assert received["Message-ID"].strip() == outbound.message_id_header
    assert received["In-Reply-To"].strip() == "<first.1@customer.example>"
    assert received["References"].strip() == "<first.1@customer.example>"
    assert received["Subject"] == f"Re: My invoice is wrong [KD#{mailed_ticket.pk}]"
    assert received["From"] == f"Acme Support <{SUPPORT}>"
    assert received.get_content().strip() == "Refund sent."


def test_the_api_reads_the_delivery_state_of_each_message(
    mailed_ticket, junior, django_capture_on_commit_callbacks
):
    agent_reply(mailed_ticket, junior, body="Done.", callbacks=django_capture_on_commit_callbacks)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=junior).key}")
    results = api.get(f"/api/v1/tickets/{mailed_ticket.pk}/messages/").json()["results"]
    sent = OutboundMail.objects.get()
    assert [r["delivery"] for r in results] == [
        None,
        {
            "state": "sent",
            "to": "anna@customer.example",
            "attempts": 1,
            "last_error": "",
            "sent_at": sent.sent_at.isoformat().replace("+00:00", "Z"),
        },
    ]


def test_an_auto_reply_loop_stops_at_the_first_auto_reply(
    mailbox, mailed_ticket, junior, django_capture_on_commit_callbacks
):
    # given an agent's reply that went out
    agent_reply(mailed_ticket, junior, callbacks=django_capture_on_commit_callbacks)
    # when the customer's autoresponder answers it, again and again
    for n in range(3):
        reply_id = OutboundMail.objects.latest("pk").message_id_header
        with django_capture_on_commit_callbacks(execute=True):
            inbound = mail_receive(
                raw=make_mail(
                    message_id=f"<ooo.{n}@customer.example>",
                    subject="Automatic reply: Re: My invoice is wrong",
                    headers={"In-Reply-To": reply_id, "Auto-Submitted": "auto-replied"},
                    body="I am out of office until Monday.",
                ),
                source="test",
                mailbox=mailbox,
            )
        assert (inbound.status, inbound.ticket_id) == ("refused", None)
    # then no message was added and nothing more was sent: the loop never starts
    assert list(mailed_ticket.messages.values_list("author_type", flat=True)) == [
        "customer",
        "agent",
    ]
    assert (OutboundMail.objects.count(), len(mail.outbox)) == (1, 1)


def test_a_reply_goes_out_through_an_anymail_provider_backend(
    mailed_ticket, junior, django_capture_on_commit_callbacks, settings
):
    # given anymail's test backend standing in for a provider (e.g. Mailgun)
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    agent_reply(
        mailed_ticket, junior, body="Via provider.", callbacks=django_capture_on_commit_callbacks
    )
    outbound = OutboundMail.objects.get()
    assert outbound.state == "sent"
    sent = mail.outbox[0]
    params = sent.anymail_test_params
    assert (str(params["from"]), [str(to) for to in params["to"]], params["text_body"]) == (
        f"Acme Support <{SUPPORT}>",
        ["anna@customer.example"],
        "Via provider.",
    )
    assert params["extra_headers"] == {
        "Message-ID": outbound.message_id_header,
        "In-Reply-To": "<first.1@customer.example>",
        "References": "<first.1@customer.example>",
    }


def test_open_pages_are_told_the_delivery_state_after_each_commit(
    mailed_ticket, junior, django_capture_on_commit_callbacks, monkeypatch, settings
):
    pushed: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        "tickets.realtime.push_many",
        lambda pushes: pushed.extend(p for p in pushes if p[1]["type"] == "message.delivery"),
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    message = agent_reply(mailed_ticket, junior, callbacks=django_capture_on_commit_callbacks)
    # queued, then the failed first try (still queued, with the reason)
    assert [(group, e["delivery"]["state"], e["delivery"]["attempts"]) for group, e in pushed] == [
        (f"ticket.{mailed_ticket.pk}", "queued", 0),
        (f"ticket.{mailed_ticket.pk}", "queued", 1),
    ]
    assert pushed[0][1]["message"] == message.pk
    assert 'data-delivery-state="queued"' in pushed[0][1]["html"]
    assert "email retrying (1 tries)" in pushed[1][1]["html"]
    # when the server is back and the retry goes out
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundMail.objects.update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        reply_mails_due_sweep()
    assert pushed[-1][1]["delivery"]["state"] == "sent"
    assert ">emailed<" in pushed[-1][1]["html"]
