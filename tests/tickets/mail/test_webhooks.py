"""Providers' inbound webhooks through django-anymail: payloads as the providers send them,
with valid and forged signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from tickets.mail.models import InboundMail
from tickets.models import Message, Ticket

from .conftest import SUPPORT, make_mail

pytestmark = pytest.mark.django_db

BASIC = "hook-user:hook-password"
SIGNING_KEY = "mailgun-signing-key"


@pytest.fixture
def anymail_configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def basic_auth(credentials: str = BASIC) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def mailgun_form(raw: bytes, *, key: str = SIGNING_KEY) -> dict[str, str]:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "recipient": SUPPORT,
        "sender": "anna@customer.example",
        "body-mime": raw.decode(),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }


def postmark_payload() -> dict:
    """Postmark's inbound JSON (its documented example, trimmed)."""
    return {
        "FromName": "Anna Kunde",
        "MessageStream": "inbound",
        "From": "anna@customer.example",
        "FromFull": {"Email": "anna@customer.example", "Name": "Anna Kunde", "MailboxHash": ""},
        "To": SUPPORT,
        "ToFull": [{"Email": SUPPORT, "Name": "", "MailboxHash": ""}],
        "CcFull": [],
        "BccFull": [],
        "OriginalRecipient": SUPPORT,
        "Subject": "Postmark says hi",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "Date": "Fri, 1 Aug 2026 16:45:32 -04:00",
        "TextBody": "My export is empty since yesterday.",
        "HtmlBody": "<p>My export is empty since yesterday.</p>",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Return-Path", "Value": "<anna@customer.example>"},
            {"Name": "Message-ID", "Value": "<pm.1@customer.example>"},
        ],
        "Attachments": [],
    }


def test_mailgun_signed_mail_opens_a_ticket(mailbox, anymail_configured):
    # (a provider sends no CSRF token: the webhook must not need one)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/mail/inbound/mailgun/", mailgun_form(make_mail()), **basic_auth())
    assert response.status_code == 200
    inbound = InboundMail.objects.get()
    assert (inbound.status, inbound.source, inbound.mailbox_id) == (
        "accepted",
        "mailgun",
        mailbox.pk,
    )
    assert Ticket.objects.get().subject == "My invoice is wrong"
    assert Message.objects.get().body == "Hello, I was charged twice for December."


@pytest.mark.parametrize(
    ("form_key", "auth"),
    [
        pytest.param("forged-key", BASIC, id="forged-signature"),
        pytest.param(SIGNING_KEY, "hook-user:wrong", id="wrong-basic-auth"),
    ],
)
def test_mailgun_forged_requests_are_refused_and_write_nothing(
    client, mailbox, anymail_configured, form_key, auth
):
    response = client.post(
        "/mail/inbound/mailgun/", mailgun_form(make_mail(), key=form_key), **basic_auth(auth)
    )
    assert response.status_code == 400
    assert (InboundMail.objects.count(), Ticket.objects.count()) == (0, 0)


def test_postmark_parsed_payload_opens_a_ticket_with_the_original_message_id(
    client, mailbox, anymail_configured
):
    response = client.post(
        "/mail/inbound/postmark/",
        json.dumps(postmark_payload()),
        content_type="application/json",
        **basic_auth(),
    )
    assert response.status_code == 200
    inbound = InboundMail.objects.get()
    assert (inbound.status, inbound.source, inbound.message_id_header, inbound.sender) == (
        "accepted",
        "postmark",
        "<pm.1@customer.example>",
        "anna@customer.example",
    )
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.queue_id) == ("Postmark says hi", mailbox.queue_id)
    assert Message.objects.get().body == "My export is empty since yesterday."
    # and the same webhook delivered again makes no second message
    client.post(
        "/mail/inbound/postmark/",
        json.dumps(postmark_payload()),
        content_type="application/json",
        **basic_auth(),
    )
    assert Message.objects.count() == 1
    assert InboundMail.objects.filter(status="refused").count() == 1


def test_postmark_without_credentials_is_refused(client, mailbox, anymail_configured):
    response = client.post(
        "/mail/inbound/postmark/", json.dumps(postmark_payload()), content_type="application/json"
    )
    assert response.status_code == 400
    assert InboundMail.objects.count() == 0


def test_webhooks_answer_404_until_a_webhook_secret_is_configured(client, mailbox, settings):
    settings.ANYMAIL = {}
    response = client.post(
        "/mail/inbound/postmark/", json.dumps(postmark_payload()), content_type="application/json"
    )
    assert response.status_code == 404
    assert InboundMail.objects.count() == 0


def test_an_auto_reply_by_webhook_is_recorded_as_refused(client, mailbox, anymail_configured):
    raw = make_mail(headers={"Auto-Submitted": "auto-replied"})
    response = client.post("/mail/inbound/mailgun/", mailgun_form(raw), **basic_auth())
    assert response.status_code == 200
    assert list(InboundMail.objects.values_list("status", "reason")) == [
        ("refused", "auto-submitted mail (Auto-Submitted: auto-replied)")
    ]
    assert Ticket.objects.count() == 0


def test_a_provider_without_its_signing_key_answers_404(client, mailbox, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC}
    response = client.post("/mail/inbound/mailgun/", mailgun_form(make_mail()), **basic_auth())
    assert response.status_code == 404
    assert InboundMail.objects.count() == 0
