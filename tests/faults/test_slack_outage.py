"""The Slack endpoint down for 10 minutes: deliveries stay pending, are retried, none is lost.

Simulated time: ``django.utils.timezone.now`` is a clock the drill moves forward, so the real send
code and the due sweep (``escalations.tasks.deliveries_due_sweep``) run against a real HTTP
server that answers 503 until the simulated outage is over. The backoff settings are the defaults.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from escalations.models import DeliveryStatus, SlackDelivery, TargetKind
from escalations.tasks import deliveries_due_sweep
from tests import factories
from tests.fakes.slack_server import OK, FakeSlack, status
from tickets import services as ticket_services
from tickets.models import Role, Ticket

from .drills import ANGRY

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

OUTAGE = timedelta(minutes=10)
STEP = timedelta(seconds=5)


class SimulatedClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def fake_slack():
    server = FakeSlack(8595).start()
    yield server
    server.stop()


def test_a_ten_minute_slack_outage_delays_deliveries_and_loses_none(
    monkeypatch, settings, fake_slack, django_capture_on_commit_callbacks
):
    # given a rule posting escalations to Slack, and Slack answering 503 for 10 minutes
    settings.KIMONDESK = {**settings.KIMONDESK, "SLACK_TIMEOUT_SECONDS": 2}
    team = factories.TeamFactory(name="Drill team")
    junior = factories.AgentFactory(username="drill-junior", team=team, role=Role.JUNIOR)
    target = factories.TargetFactory(
        name="#escalations", kind=TargetKind.SLACK, slack_webhook_url=fake_slack.url, team=team
    )
    factories.RuleFactory(name="Angry → Slack", team=team, target=target, cooldown_minutes=0)
    queue = factories.QueueFactory(name="Drill inbox", team=team)
    customer = factories.CustomerFactory()
    clock = SimulatedClock(timezone.now())
    start = clock.current
    monkeypatch.setattr(timezone, "now", clock.now)
    fake_slack.fallback = lambda: status(503) if clock.current < start + OUTAGE else OK

    # when escalations happen at the start, 2 and 8 minutes into the outage, and the due sweep
    # runs every 5 simulated seconds for 20 minutes
    arrivals = {timedelta(0): 3, timedelta(minutes=2): 3, timedelta(minutes=8): 3}
    pending_seen: set[int] = set()
    sweeps = 0
    while clock.current < start + timedelta(minutes=20):
        for _ in range(arrivals.pop(clock.current - start, 0)):
            ticket = Ticket.objects.create(
                subject="Down", customer=customer, queue=queue, assignee=junior, status="open"
            )
            with django_capture_on_commit_callbacks(execute=True):
                ticket_services.message_add(ticket=ticket, author_type="customer", body=ANGRY)
        with django_capture_on_commit_callbacks(execute=True):
            sweeps += deliveries_due_sweep()
        statuses = dict(SlackDelivery.objects.values_list("pk", "status"))
        if clock.current < start + OUTAGE:
            # then, during the outage, every delivery is visible as pending
            assert set(statuses.values()) <= {DeliveryStatus.PENDING}
            pending_seen |= set(statuses)
        clock.current += STEP

    # then every delivery was sent exactly once after the outage, none failed
    deliveries = list(SlackDelivery.objects.order_by("created_at", "id"))
    assert len(deliveries) == 9
    assert pending_seen == {d.pk for d in deliveries}
    assert [d.status for d in deliveries] == [DeliveryStatus.SENT] * 9
    assert all(d.sent_at >= start + OUTAGE for d in deliveries)
    assert len(fake_slack.requests) == sum(d.attempts for d in deliveries)
    # and the retries followed the backoff: 30 s, then doubling, until Slack answered
    schedules = {
        d.pk: [
            int((a.created_at - d.created_at).total_seconds()) for a in d.attempt_log.order_by("id")
        ]
        for d in deliveries
    }
    expected = {
        timedelta(0): [0, 30, 90, 210, 450, 930],
        timedelta(minutes=2): [0, 30, 90, 210, 450, 930],
        timedelta(minutes=8): [0, 30, 90, 210],
    }
    for d in deliveries:
        assert schedules[d.pk] == expected[d.created_at - start], d.pk
    print(
        f"\n[drill slack] 9 deliveries through a 10 min outage: {sum(d.attempts for d in deliveries)} "
        f"attempts, all sent by +{max(d.sent_at - start for d in deliveries)}; "
        f"{sweeps} sends by the due sweep"
    )
