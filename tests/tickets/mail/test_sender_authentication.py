"""Sender authentication: a mail whose sender failed DMARC (or SPF with no passing DKIM) at the
mailbox's own server is held as refused, not added to the customer's ticket; only that server's
topmost ``Authentication-Results`` header counts; a lead of the team can accept it anyway, on
the audit log."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from escalations.models import AuditEvent
from tests import factories
from tickets.mail.authentication import (
    SenderAuthentication,
    authentication_results_parse,
    sender_authentication,
)
from tickets.mail.inbound import MailNotHeld, inbound_mail_accept_anyway, mail_receive
from tickets.mail.models import InboundMail
from tickets.models import Message, Ticket

from .conftest import make_mail

pytestmark = pytest.mark.django_db

MX = "mx.help.example.com"
FORGED_FAIL = f"{MX}; spf=fail smtp.mailfrom=customer.example; dkim=none; dmarc=fail (p=reject)"
PASS = f"{MX} 1; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=customer.example; dkim=pass"


def _reply(ticket, results: list[str], message_id: str = "<reply.2@customer.example>") -> bytes:
    """A reply on ``ticket`` with ``results`` as its Authentication-Results headers, top down."""
    mail = make_mail(
        subject=f"Re: My invoice is wrong [KD#{ticket.pk}]",
        body="Please refund me now, or I cancel.",
        message_id=message_id,
        headers={"In-Reply-To": "<first.1@customer.example>"},
    )
    head = b"".join(f"Authentication-Results: {value}\n".encode() for value in results)
    return head + mail


@pytest.fixture
def checked_mailbox(mailbox):
    mailbox.authserv_id = MX
    mailbox.save(update_fields=["authserv_id"])
    return mailbox


@pytest.fixture
def ticket(checked_mailbox):
    first = mail_receive(raw=make_mail(), source="test", mailbox=checked_mailbox)
    assert first.status == "accepted"
    return first.ticket


@pytest.mark.parametrize(
    ("header", "results", "failed"),
    [
        (FORGED_FAIL, {"spf": "fail", "dkim": "none", "dmarc": "fail"}, True),
        (PASS, {"spf": "pass", "dkim": "pass"}, False),
        (f"{MX}; dmarc=pass; spf=fail", {"dmarc": "pass", "spf": "fail"}, False),
        (f"{MX}; spf=softfail; dkim=fail", {"spf": "softfail", "dkim": "fail"}, True),
        (f"{MX}; spf=fail; dkim=pass", {"spf": "fail", "dkim": "pass"}, False),
        (f"{MX}; none", {}, False),
        (f"{MX.upper()} (ours); SPF=Fail (a (nested) note) smtp.mailfrom=x; dkim=none",
         {"spf": "fail", "dkim": "none"}, True),
    ],
)  # fmt: skip
def test_a_header_reads_as_its_verdicts(header, results, failed):
    parsed = authentication_results_parse(header)
    assert parsed == SenderAuthentication(authserv_id=MX, results=results)
    assert parsed.failed is failed


def test_only_the_topmost_header_of_the_mailboxs_server_counts():
    forged_pass_below = [FORGED_FAIL, PASS]
    relay_first = ["relay.example.net; dmarc=pass", FORGED_FAIL]
    assert sender_authentication(headers=forged_pass_below, authserv_id=MX).failed
    assert sender_authentication(headers=relay_first, authserv_id=MX).failed
    assert sender_authentication(headers=[PASS, FORGED_FAIL], authserv_id=MX).failed is False
    assert sender_authentication(headers=[FORGED_FAIL], authserv_id="") is None
    assert sender_authentication(headers=["relay.example.net; dmarc=fail"], authserv_id=MX) is None
    assert authentication_results_parse(" ; spf=fail") is None


def test_a_forged_reply_is_held_and_never_reaches_the_ticket(ticket, checked_mailbox):
    before = (Ticket.objects.count(), Message.objects.count())
    held = mail_receive(raw=_reply(ticket, [FORGED_FAIL]), source="test", mailbox=checked_mailbox)
    assert (held.status, held.reason) == (
        "refused",
        f"sender not authenticated at {MX}: dmarc=fail, spf=fail, dkim=none",
    )
    assert held.ticket_id is None
    assert held.original
    assert (Ticket.objects.count(), Message.objects.count()) == before


def test_an_authenticated_reply_continues_the_ticket(ticket, checked_mailbox):
    taken = mail_receive(raw=_reply(ticket, [PASS]), source="test", mailbox=checked_mailbox)
    assert (taken.status, taken.ticket_id) == ("accepted", ticket.pk)


def test_without_a_named_server_the_headers_are_not_trusted(ticket, checked_mailbox):
    checked_mailbox.authserv_id = ""
    checked_mailbox.save(update_fields=["authserv_id"])
    taken = mail_receive(raw=_reply(ticket, [FORGED_FAIL]), source="test", mailbox=checked_mailbox)
    assert (taken.status, taken.ticket_id) == ("accepted", ticket.pk)


def test_a_lead_accepts_a_held_mail_anyway_on_the_audit_log(ticket, checked_mailbox, lead):
    held = mail_receive(raw=_reply(ticket, [FORGED_FAIL]), source="test", mailbox=checked_mailbox)
    outcome = inbound_mail_accept_anyway(inbound=held, actor=lead)
    assert (outcome.status, outcome.ticket_id) == ("accepted", ticket.pk)
    assert Message.objects.filter(ticket=ticket, body="Please refund me now, or I cancel.").exists()
    audit = AuditEvent.objects.get(kind="inbound_mail.accepted_anyway")
    assert (audit.actor_id, audit.ticket_id, audit.object_id) == (lead.pk, ticket.pk, str(held.pk))
    assert audit.data == {"outcome": outcome.pk, "status": "accepted", "reason": ""}
    # the held row stays on record, and a second acceptance is a duplicate
    assert InboundMail.objects.get(pk=held.pk).status == "refused"
    again = inbound_mail_accept_anyway(inbound=held, actor=lead)
    assert again.status == "refused"
    assert again.reason.startswith("duplicate")


def test_only_a_lead_of_the_team_or_an_admin_accepts_and_only_held_mail(
    ticket, checked_mailbox, junior
):
    held = mail_receive(raw=_reply(ticket, [FORGED_FAIL]), source="test", mailbox=checked_mailbox)
    other_lead = factories.LeadFactory(team=factories.TeamFactory())
    for agent in (junior, other_lead):
        with pytest.raises(PermissionDenied):
            inbound_mail_accept_anyway(inbound=held, actor=agent)
    accepted = InboundMail.objects.get(ticket=ticket)
    with pytest.raises(MailNotHeld):
        inbound_mail_accept_anyway(inbound=accepted, actor=factories.AdminFactory())
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_the_console_action_accepts_held_mail_for_the_teams_lead(ticket, checked_mailbox, lead):
    held = mail_receive(raw=_reply(ticket, [FORGED_FAIL]), source="test", mailbox=checked_mailbox)
    client = Client()
    client.force_login(lead)
    response = client.post(
        "/admin/mail/inboundmail/",
        {"action": "accept_anyway", "_selected_action": [held.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert f"accepted: ticket #{ticket.pk}" in response.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_the_mailbox_form_takes_a_host_name_only(checked_mailbox, admin_user):
    client = Client()
    client.force_login(admin_user)
    url = f"/admin/mail/mailbox/{checked_mailbox.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="authserv_id"' in page
    assert f'value="{MX}"' in page
    response = client.post(
        url,
        {
            "queue": checked_mailbox.queue_id,
            "address": checked_mailbox.address,
            "enabled": "on",
            "imap_port": 993,
            "imap_security": "ssl",
            "imap_folder": "INBOX",
            "authserv_id": "mx.example.com; spf=pass",
        },
    )
    assert response.status_code == 200
    assert "A host name such as mx.example.com" in response.content.decode()
