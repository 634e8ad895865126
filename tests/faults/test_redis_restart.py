"""Redis restarted mid-run: writes keep working, pushes resume, pages catch up, nothing is lost."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from escalations.engine.evaluate import evaluations_missed_requeue
from escalations.models import Escalation, EventEvaluation
from tickets import services as ticket_services
from tickets.models import TicketEvent

from .drills import ANGRY, Socket, http, session_for, socket_reopen, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

FORM = {
    "tried": "Reset the password twice.",
    "diagnosis": "The account is locked at the provider.",
    "authority_needed": "A lead can unlock provider accounts.",
}


def test_a_redis_restart_delays_escalations_and_pushes_but_loses_none(fault_stack, escalating):
    # given one web process and one cluster on a private Redis; the lead watches ticket 2's page
    # and their notifications on the web process
    drill = escalating(8)
    t1, t2, t3, *probe_tickets = drill.tickets
    stack = fault_stack(web=1, workers=1)
    web = f"127.0.0.1:{stack.web_ports[0]}"
    lead, junior = session_for(drill.lead), session_for(drill.junior)
    notifications = Socket(f"ws://{web}/ws/notifications/", session=lead).__enter__()
    page = Socket(f"ws://{web}/ws/tickets/{t2.pk}/", session=lead).__enter__()
    try:
        ticket_services.message_add(ticket=t1, author_type="customer", body=ANGRY)
        assert notifications.next(timeout=10, kind="escalation.assigned")["ticket"] == t1.pk

        # when Redis stops: an agent escalates ticket 2 on the web process, and an angry
        # customer message arrives on ticket 3 (its evaluation task cannot be queued)
        stack.stop_redis()
        down_at = time.monotonic()
        reply = http(f"http://{web}/tickets/{t2.pk}/escalate/", session=junior, form=FORM)
        assert reply.status == 302, reply.body[:300]
        ticket_services.message_add(ticket=t3, author_type="customer", body=ANGRY)
        old_sockets_closed = wait_until(
            lambda: notifications.closed.is_set() and page.closed.is_set(),
            timeout=15,
            what="the web process closed the sockets of the lost channel layer",
        )
        # and Redis comes back (empty: what it held is gone)
        stack.start_redis()
        up_at = time.monotonic()
        notifications.close()
        page.close()

        # then the pages reconnect (retrying as the page script does) and catch up on the
        # escalation they missed
        notifications, notification_tries = socket_reopen(
            f"ws://{web}/ws/notifications/", session=lead, within=60
        )
        page, page_tries = socket_reopen(f"ws://{web}/ws/tickets/{t2.pk}/", session=lead, within=60)
        reconnected = time.monotonic() - up_at
        missed = http(f"http://{web}/tickets/{t2.pk}/live/?since=0", session=lead)
        assert missed.status == 200
        t2_escalation = Escalation.objects.get(ticket=t2)
        assert [e["escalation"] for e in missed.json()["events"]] == [t2_escalation.pk]

        # and live pushes resume: the page keeps its socket open (reopening it whenever the web
        # process drops it) and an escalation made by the cluster reaches it
        probes = iter(probe_tickets)
        while True:
            probe = next(probes)
            ticket_services.message_add(ticket=probe, author_type="customer", body=ANGRY)
            try:
                event = notifications.next(timeout=20, kind="escalation.assigned")
            except AssertionError:
                notifications.close()
                notifications, tries = socket_reopen(
                    f"ws://{web}/ws/notifications/", session=lead, within=30
                )
                notification_tries += tries
                continue
            assert event["ticket"] == probe.pk
            break
        pushes_resumed = time.monotonic() - up_at
        probes_used = probe_tickets.index(probe) + 1

        # and the receipts sweep evaluates ticket 3's message, whose task was never queued
        event3 = TicketEvent.objects.get(ticket=t3, kind="message_added")
        assert not EventEvaluation.objects.filter(event=event3).exists()
        assert evaluations_missed_requeue(now=timezone.now(), grace=timedelta(seconds=1)) == [
            event3.pk
        ]
        assert notifications.next(timeout=30, kind="escalation.assigned")["ticket"] == t3.pk
        all_escalated = time.monotonic() - up_at
    finally:
        notifications.close()
        page.close()
    per_ticket = dict(
        Escalation.objects.values_list("ticket_id")
        .annotate(n=Count("id"))
        .values_list("ticket_id", "n")
    )
    escalated = [t1, t2, t3, *probe_tickets[:probes_used]]
    assert per_ticket == {t.pk: 1 for t in escalated}
    print(
        f"\n[drill redis] down {up_at - down_at:.1f} s; the web process closed the old sockets "
        f"{old_sockets_closed:.1f} s after the stop; after the restart: sockets reopened in "
        f"{reconnected:.1f} s ({notification_tries} and {page_tries} tries), pushes resumed in "
        f"{pushes_resumed:.1f} s ({probes_used} probe escalations), the escalation whose task "
        f"was lost made {all_escalated:.1f} s after the restart (sweep run at once)"
    )
