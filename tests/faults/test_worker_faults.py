"""Workers killed mid-evaluation, and workers racing on the same events: each escalation once."""

from __future__ import annotations

import signal
import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone
from django_q.tasks import async_task

from escalations.engine.evaluate import evaluations_missed_requeue
from escalations.models import Escalation, EventEvaluation
from tickets import services as ticket_services
from tickets.models import TicketEvent

from .drills import ANGRY, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _escalations_per_ticket() -> dict[int, int]:
    rows = Escalation.objects.values("ticket_id").annotate(n=Count("id"))
    return {row["ticket_id"]: row["n"] for row in rows}


def _message_events():
    return TicketEvent.objects.filter(kind="message_added", data__author_type="customer")


def test_a_cluster_killed_mid_burst_loses_no_escalation_and_doubles_none(fault_stack, escalating):
    # given 200 tickets with a sentiment rule, and one cluster (2 workers) evaluating
    drill = escalating(200)
    stack = fault_stack(workers=1)

    # when 200 angry customer messages arrive and the cluster's process group is killed -9
    # while it is evaluating them (some escalations made, others in flight or queued)
    escalated_at_kill = None
    for i, ticket in enumerate(drill.tickets):
        ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
        if escalated_at_kill is None and i % 5 == 0 and Escalation.objects.count() >= 20:
            stack.kill("worker0", signal.SIGKILL)
            escalated_at_kill = Escalation.objects.count()
    if escalated_at_kill is None:
        wait_until(lambda: Escalation.objects.count() >= 20, timeout=60, what="20 escalations")
        stack.kill("worker0", signal.SIGKILL)
        escalated_at_kill = Escalation.objects.count()
    assert escalated_at_kill < 200
    restarted = time.monotonic()
    stack.start_worker(0)
    stack.wait_for_clusters(1)
    # The restarted cluster drains the queue; what the killed one had taken is gone from Redis.
    wait_until(lambda: stack.queue_length() == 0, timeout=60, what="the queue drained")
    unreceipted = _message_events().filter(evaluation__isnull=True).count()
    # then the receipts sweep (the minute schedule, run here at once with a 1 s grace) re-queues
    # the lost ones, and every ticket ends with exactly one escalation
    requeued = evaluations_missed_requeue(now=timezone.now(), grace=timedelta(seconds=1))
    wait_until(
        lambda: EventEvaluation.objects.count() == 200 and stack.queue_length() == 0,
        timeout=60,
        what="every event evaluated",
    )
    recovered = time.monotonic() - restarted
    per_ticket = _escalations_per_ticket()
    assert set(per_ticket) == {t.pk for t in drill.tickets}
    assert set(per_ticket.values()) == {1}
    assert Escalation.objects.filter(to_agent=drill.lead).count() == 200
    print(
        f"\n[drill kill-9] escalated before kill {escalated_at_kill}/200; unevaluated after "
        f"restart and drain {unreceipted}; sweep re-queued {len(requeued)}; all 200 escalated "
        f"once {recovered:.1f} s after restart"
    )


def test_two_clusters_racing_on_duplicate_tasks_escalate_each_ticket_once(fault_stack, escalating):
    # given two clusters (2 workers each) reading the same queue
    drill = escalating(60)
    fault_stack(workers=2, env={"Q_SAVE_LIMIT": "1000"})  # keep results: 180 are counted

    # when every event's evaluation is queued three times (once on commit, twice more at once)
    started = time.monotonic()
    for ticket in drill.tickets:
        ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
        event_id = _message_events().filter(ticket=ticket).values_list("pk", flat=True).get()
        async_task("escalations.tasks.ticket_event_evaluate", event_id)
        async_task("escalations.tasks.ticket_event_evaluate", event_id)

    # then all 180 tasks run, and each ticket is escalated exactly once
    from django_q.models import Success

    took = wait_until(
        lambda: (
            Success.objects.filter(func="escalations.tasks.ticket_event_evaluate").count() == 180
        ),
        timeout=90,
        what="180 evaluation tasks done",
    )
    per_ticket = _escalations_per_ticket()
    assert set(per_ticket) == {t.pk for t in drill.tickets}
    assert set(per_ticket.values()) == {1}
    assert EventEvaluation.objects.count() == 60
    results = sorted(
        Success.objects.filter(func="escalations.tasks.ticket_event_evaluate").values_list(
            "result", flat=True
        )
    )
    # Each task returns how many escalations it made: 60 made one, the 120 duplicates none.
    assert results == [0] * 120 + [1] * 60
    print(
        f"\n[drill race] 60 events x 3 tasks on 2 clusters: 60 escalations, 120 no-ops; "
        f"{time.monotonic() - started:.1f} s from first message, {took:.1f} s after the burst"
    )
