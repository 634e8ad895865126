"""Two web processes on the database outbox (no Redis): a push made while serving a request on
one reaches sockets connected to the other. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import time

import pytest

from escalations.models import Escalation
from tests import factories
from tests.browser.conftest import _asgi_server, _test_database_url
from tests.faults.drills import Socket, http, session_for


@pytest.fixture(scope="module")
def two_web_servers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    with (
        _asgi_server(
            database_url=database_url, log_name="outbox-web1.log", LIVE_LAYER="outbox"
        ) as one,
        _asgi_server(
            database_url=database_url, log_name="outbox-web2.log", LIVE_LAYER="outbox"
        ) as two,
    ):
        yield one, two


@pytest.mark.django_db(transaction=True)
def test_an_escalation_made_on_server_one_reaches_the_leads_sockets_on_server_two(
    two_web_servers, queue, junior, lead
):
    # given the lead's notification socket and the ticket's page socket on server 2
    one, two = two_web_servers
    ticket = factories.TicketFactory(subject="Locked out", queue=queue, assignee=junior)
    lead_session = session_for(lead)
    ws_two = two.replace("http://", "ws://")
    with (
        Socket(f"{ws_two}/ws/notifications/", session=lead_session) as notifications,
        Socket(f"{ws_two}/ws/tickets/{ticket.pk}/", session=lead_session) as page,
    ):
        # when the junior escalates through server 1's form, then adds a note there
        started = time.monotonic()
        reply = http(
            f"{one}/tickets/{ticket.pk}/escalate/",
            session=session_for(junior),
            form={
                "tried": "Reset the password twice.",
                "diagnosis": "The account is locked at the provider.",
                "authority_needed": "A lead can unlock provider accounts.",
            },
        )
        assert reply.status == 302, reply.body[:500]
        assigned = notifications.next(timeout=2, kind="escalation.assigned")
        summary = page.next(timeout=2, kind="escalation.summary")
        took = time.monotonic() - started
        reply = http(
            f"{one}/tickets/{ticket.pk}/notes/",
            session=session_for(junior),
            form={"body": "Provider ticket PRV-12 opened."},
        )
        assert reply.status == 302, reply.body[:500]
        note = page.next(timeout=2, kind="note.created")

    # then the escalation arrived on server 2 within 2 s, and so did the note
    escalation = Escalation.objects.get()
    assert (assigned["ticket"], assigned["escalation"]) == (ticket.pk, escalation.pk)
    assert (summary["ticket"], summary["escalation"]) == (ticket.pk, escalation.pk)
    assert note["note"]["body"] == "Provider ticket PRV-12 opened."
    assert note["note"]["author"] == {"id": junior.pk, "name": str(junior)}
    assert took < 2.0, took
