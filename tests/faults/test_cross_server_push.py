"""A push published by web server 1 reaches sockets connected to web server 2 (channels-redis)."""

from __future__ import annotations

import time

import pytest

from escalations.models import Escalation

from .drills import Socket, http, session_for

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def test_an_escalation_made_on_server_one_is_pushed_to_the_lead_on_server_two(
    fault_stack, escalating
):
    # given two web processes sharing a Redis channel layer; the lead's notification socket and
    # the ticket's page socket are connected to server 2
    drill = escalating(1)
    ticket = drill.tickets[0]
    stack = fault_stack(web=2)
    one, two = (f"127.0.0.1:{port}" for port in stack.web_ports)
    lead_session = session_for(drill.lead)
    with (
        Socket(f"ws://{two}/ws/notifications/", session=lead_session) as notifications,
        Socket(f"ws://{two}/ws/tickets/{ticket.pk}/", session=lead_session) as page,
    ):
        # when the junior escalates the ticket through server 1's escalation form
        started = time.monotonic()
        reply = http(
            f"http://{one}/tickets/{ticket.pk}/escalate/",
            session=session_for(drill.junior),
            form={
                "tried": "Reset the password twice.",
                "diagnosis": "The account is locked at the provider.",
                "authority_needed": "A lead can unlock provider accounts.",
            },
        )
        assert reply.status == 302, reply.body[:500]

        # then both sockets on server 2 receive the push within 2 s
        assigned = notifications.next(timeout=2, kind="escalation.assigned")
        summary = page.next(timeout=2, kind="escalation.summary")
        took = time.monotonic() - started
    escalation = Escalation.objects.get()
    assert (assigned["ticket"], assigned["escalation"]) == (ticket.pk, escalation.pk)
    assert (summary["ticket"], summary["escalation"]) == (ticket.pk, escalation.pk)
    assert escalation.to_agent == drill.lead
    print(
        f"\n[drill cross-server] POST on server 1 → both pushes on server 2 in {took * 1000:.0f} ms"
    )
