"""Two deliveries of the same mail at the same moment (an IMAP poll and a provider's webhook, or
two pollers): one message, one refusal, no half-written ticket. PostgreSQL only (row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tickets.mail.inbound import mail_receive
from tickets.mail.models import InboundMail
from tickets.models import Customer, Message, Ticket

from .conftest import make_mail


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_mail_delivered_twice_at_once_makes_one_message(mailbox):
    raw = make_mail()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(mail_receive(raw=raw, source="race", mailbox=mailbox).status)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(outcomes) == ["accepted", "refused"]
    assert (Ticket.objects.count(), Message.objects.count(), Customer.objects.count()) == (1, 1, 1)
    assert InboundMail.objects.get(status="refused").reason == (
        "duplicate: Message-ID <first.1@customer.example> was already taken"
    )
