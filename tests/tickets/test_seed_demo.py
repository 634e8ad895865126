"""``seed_demo``: realistic, backdated demo data, created once, with the logins printed."""

import itertools
import random
import re
import string
from datetime import UTC, datetime, time, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from escalations.engine.sentiment import sentiment_score_message
from escalations.models import (
    Calendar,
    ClockState,
    Escalation,
    EscalationFeedback,
    ExchangeRate,
    OpeningHours,
    Rule,
    SLAClock,
    SLAPolicy,
    SLATarget,
    Target,
)
from escalations.sla.services import sla_next_crossing_at
from reports.selectors import month_windows, refunds_not_compared, team_zone
from tickets.demo import (
    AGENT_AFTER_ANGER,
    AGENT_AFTER_ANGER_GERMAN,
    ANGRY,
    ANGRY_GERMAN,
    CUSTOMER_THANKS,
    DEMO_PASSWORD,
    DEMO_PING_PONG_OCCURRENCE,
    REFUND_ASKS,
    SUBJECTS,
    SUBJECTS_GERMAN,
    THREAD_LINES,
    TOPIC_BY_QUEUE,
    _demo_thread_build,
    _Router,
    demo_customer_writes_german,
    demo_data_seed,
)
from tickets.models import (
    OPEN_STATUSES,
    Agent,
    AuthorType,
    Customer,
    CustomerTierChange,
    EventKind,
    Message,
    Queue,
    RefundRequest,
    Role,
    Sentiment,
    Status,
    Team,
    Ticket,
    TicketEvent,
)
from tickets.notifications.models import Notification
from tickets.signals import ticket_event_recorded

pytestmark = pytest.mark.django_db

COUNTED = (
    Team,
    Agent,
    Queue,
    Customer,
    CustomerTierChange,
    Ticket,
    Message,
    RefundRequest,
    TicketEvent,
    Target,
    Rule,
    Calendar,
    OpeningHours,
    SLAPolicy,
    SLATarget,
    Notification,
)
LOGINS = (
    "admin",
    "billing-lead",
    "technical-lead",
    "accounts-lead",
    "billing-senior1",
    "billing-junior1",
)


def seed(**options) -> str:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", tickets=60, customers=20, stdout=out, stderr=err, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_a_demo_rule_seeded_under_its_former_name_is_not_made_again():
    seed()
    renamed = Rule.objects.get(name="Technical: first response at risk on high and urgent tickets")
    renamed.name = "Technical: first response at risk for urgent tickets"
    renamed.save(update_fields=["name"])
    rules = Rule.objects.count()

    seed()

    assert Rule.objects.count() == rules
    assert not Rule.objects.filter(name__contains="on high and urgent tickets").exists()


def test_seed_demo_twice_creates_nothing_the_second_time():
    # Given a first run
    first_output = seed()
    after_first = counts()

    # When it runs again
    second_output = seed()

    # Then nothing was added, and both runs print the logins
    assert counts() == after_first
    assert after_first["Team"] == 3
    assert after_first["Agent"] == 19
    assert after_first["Customer"] == 20
    assert after_first["Ticket"] == 60
    assert "Demo data created:" in first_output
    assert "Demo data already present: nothing to create." in second_output
    for output in (first_output, second_output):
        for username in LOGINS:
            assert f"  {username} " in output
        assert output.count(DEMO_PASSWORD) == len(LOGINS)


def test_seeded_logins_sign_in_with_the_printed_password():
    seed()

    for username in LOGINS:
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None, (
            username
        )
    admin = Agent.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff) == (True, True)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("billing-lead", 200),
        ("technical-lead", 200),
        ("accounts-lead", 200),
        ("billing-senior1", 403),
        ("billing-junior1", 403),
    ],
)
def test_seeded_logins_open_the_console_by_role(client, username, status):
    # Given the demo data, seeded with no hand-set staff flags
    seed()

    # When the agent signs in with the printed password and opens the console
    signed_in = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    response = client.get("/admin/escalations/rule/")

    # Then leads and the admin get it; others are told the console is not for them
    assert response.status_code == status


def test_teams_have_a_lead_two_seniors_three_juniors_and_worked_queues():
    seed()

    for team in Team.objects.select_related("lead"):
        roles = sorted(team.agents.values_list("role", flat=True))
        assert roles == sorted([Role.LEAD, Role.SENIOR, Role.SENIOR] + [Role.JUNIOR] * 3)
        assert team.lead is not None
        assert team.lead.role == Role.LEAD
        assert team.lead.team_id == team.pk
        specialist = team.queues.get(specialist=True)
        assert sorted(specialist.members.values_list("role", flat=True)) == [
            Role.LEAD,
            Role.SENIOR,
            Role.SENIOR,
        ]
        for queue in team.queues.filter(specialist=False):
            assert queue.members.count() == 6


def test_history_is_backdated_and_consistent_with_the_tickets():
    now = timezone.now()
    seed()
    _history_assert_consistent(now)


@pytest.mark.parametrize("days_back", range(1, 15))
def test_history_is_consistent_whatever_the_day_it_is_seeded(days_back, monkeypatch):
    """The story depends on the clock (business hours, weekends, what is overdue), so a seed on
    another day draws other tickets: two weeks of days at shifting hours, each one seeded as if it
    were now for the whole process."""
    now = timezone.now() - timedelta(days=days_back, hours=days_back * 5)
    monkeypatch.setattr(timezone, "now", lambda: now)
    demo_data_seed(tickets=60, customers=20, now=now)
    _history_assert_consistent(now)


def _history_assert_consistent(now: datetime) -> None:
    tickets = Ticket.objects.all()
    oldest = min(t.created_at for t in tickets)
    assert oldest < now - timedelta(days=7)
    assert oldest >= now - timedelta(days=91)
    for ticket in tickets.prefetch_related("events", "messages"):
        events = list(ticket.events.all())
        assert events[0].kind == EventKind.TICKET_CREATED
        assert events[0].created_at == ticket.created_at
        assert all(e.created_at <= now for e in events)
        messages = list(ticket.messages.all())
        assert messages[0].author_type == "customer"
        # A conversation never says the same thing twice word for word.
        bodies = [m.body for m in messages]
        assert len(set(bodies)) == len(bodies), (ticket.pk, bodies)
        # A question subject quoted in a line ends its own sentence ("month? Could you").
        assert not [b for b in bodies if "?." in b], (ticket.pk, bodies)
        message_events = [e for e in events if e.kind == EventKind.MESSAGE_ADDED]
        assert [e.data["message"] for e in message_events] == [m.pk for m in messages]
        statuses = [e for e in events if e.kind == EventKind.STATUS_CHANGED]
        assert (statuses[-1].data["to"] if statuses else Status.NEW) == ticket.status
        if ticket.assignee_id is not None:
            # One assignment in the history; the receiver of an escalation that handed the ticket
            # on holds it since (the change the ``escalated`` event carries), unless they handed
            # it back to the agent it came from. A rule may fire on a ticket nobody held yet (an
            # angry first message on a new ticket), so the escalation is then its first assignment.
            changes = [
                (e.kind, change["to"])
                for e in events
                for kind, change in e.field_changes()
                if kind == EventKind.ASSIGNED
            ]
            assert [kind for kind, _ in changes] in (
                [EventKind.ASSIGNED],
                [EventKind.ASSIGNED, EventKind.ESCALATED],
                [EventKind.ASSIGNED, EventKind.ESCALATED, EventKind.ASSIGNED],
                [EventKind.ESCALATED],
                [EventKind.ESCALATED, EventKind.ASSIGNED],
            )
            assert changes[-1][1] == ticket.assignee_id
    # The model's automatic timestamps are back on after the backdated insert.
    assert Ticket._meta.get_field("created_at").auto_now_add is True
    assert Ticket._meta.get_field("updated_at").auto_now is True
    assert TicketEvent._meta.get_field("created_at").auto_now_add is True


def test_the_workflow_is_not_run_for_historical_data():
    recorded = mock.Mock()
    ticket_event_recorded.connect(recorded, weak=False, dispatch_uid="test-demo-history")
    try:
        seed()
    finally:
        ticket_event_recorded.disconnect(dispatch_uid="test-demo-history")

    assert recorded.call_count == 0
    assert TicketEvent.objects.filter(kind=EventKind.TICKET_CREATED).count() == 60


def test_demo_rules_targets_and_sla_policy_are_created():
    seed()

    assert sorted(set(Rule.objects.values_list("trigger_kind", flat=True))) == [
        "escalate_tag",
        "frt_amber",
        "refund_threshold",
        "sentiment_negative",
        "sla_breach",
        "tier_upgrade",
    ]
    refund_rule = Rule.objects.get(trigger_kind="refund_threshold")
    # The Berlin billing team's threshold is in its own currency
    assert refund_rule.trigger_params == {"amount": "500.00", "currency": "EUR"}
    assert dict(Team.objects.values_list("name", "default_currency")) == {
        "Billing": "EUR",
        "Technical": "GBP",
        "Accounts": "USD",
    }
    assert refund_rule.target is not None
    assert refund_rule.target.queue is not None
    assert refund_rule.target.queue.specialist is True
    assert Target.objects.filter(kind="team_lead").count() == 3
    policy = SLAPolicy.objects.get()
    assert policy.calendar is not None
    assert policy.calendar.timezone == "Europe/Berlin"
    assert sorted(policy.calendar.hours.values_list("weekday", "start", "end")) == [
        (day, time(9), time(17)) for day in range(5)
    ]
    assert sorted(policy.targets.values_list("metric", "priority", "minutes")) == [
        ("first_response", "high", 240),
        ("first_response", "low", 1440),
        ("first_response", "normal", 480),
        ("first_response", "urgent", 60),
        ("next_response", "high", 240),
        ("next_response", "low", 960),
        ("next_response", "normal", 480),
        ("next_response", "urgent", 120),
        ("resolution", "high", 960),
        ("resolution", "low", 4800),
        ("resolution", "normal", 2400),
        ("resolution", "urgent", 480),
    ]


def test_same_seed_and_clock_give_the_same_data():
    now = timezone.now()
    demo_data_seed(tickets=30, customers=10, now=now)
    first = list(Ticket.objects.order_by("id").values_list("subject", "status", "priority"))
    Ticket.objects.all().delete()

    demo_data_seed(tickets=30, customers=10, now=now)

    assert list(Ticket.objects.order_by("id").values_list("subject", "status", "priority")) == first


def test_progress_is_written_to_the_given_stream():
    progress = StringIO()

    demo_data_seed(tickets=20, customers=5, progress=progress)

    lines = progress.getvalue().splitlines()
    assert lines[0].startswith("Building")
    assert lines[0].endswith("20/20")
    assert [line.split()[0] for line in lines] == ["Building", "Tickets", "Messages", "Events"]


def test_seed_demo_volume_delegates_to_the_volume_generator(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "tickets.management.commands.seed_demo.call_command",
        lambda name, **kwargs: calls.append(name),
    )

    call_command("seed_demo", "--volume", stdout=StringIO())

    assert calls == ["seed_volume"]


def test_demo_escalations_and_feedback_once_so_rule_health_has_figures():
    seed()
    escalations, feedback = Escalation.objects.count(), EscalationFeedback.objects.count()
    seed()

    assert (Escalation.objects.count(), EscalationFeedback.objects.count()) == (
        escalations,
        feedback,
    )
    # The demo is dated back from the moment it is seeded, so the rules' backtest hits depend on
    # the hour of the run; what holds at any hour: every demo escalation is either fired by a
    # rule, a junior's manual one or the senior's hand-back that shows ping-pong (bumped to the
    # lead), both main kinds are there, and most carry the receiver's verdict.
    rule_fired = Escalation.objects.filter(rule__isnull=False).count()
    manual = Escalation.objects.filter(trigger="manual", initiated_by__role=Role.JUNIOR).count()
    hand_back = Escalation.objects.filter(
        trigger="manual",
        initiated_by__role=Role.SENIOR,
        occurrence__startswith=DEMO_PING_PONG_OCCURRENCE,
    ).count()
    assert escalations == rule_fired + manual + hand_back
    assert rule_fired > 0
    assert manual > 0
    assert escalations / 2 < feedback < escalations
    # Every judgement is by the escalation's receiver, and every reason fits its verdict.
    for row in EscalationFeedback.objects.select_related("escalation"):
        assert row.author_id == row.escalation.to_agent_id
        if row.needed:
            assert row.reason in ("", "needed_authority")
        else:
            assert row.reason != "needed_authority"


# The small demo's few refunds draw their currencies at random along a history that ends at the
# time it is seeded: at a fixed time, the same refunds every run.
SEEDED_AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_demo_exchange_rates_let_refunds_in_any_demo_currency_meet_the_threshold(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SEEDED_AT)
    # Given the demo, seeded twice
    seed()
    seed()

    # Then each pair of demo currencies has two dated shared rates, made once
    rates = ExchangeRate.objects.order_by("base", "quote", "valid_from")
    assert [(r.base, r.quote, r.team_id) for r in rates] == [
        ("GBP", "EUR", None),
        ("GBP", "EUR", None),
        ("USD", "EUR", None),
        ("USD", "EUR", None),
        ("USD", "GBP", None),
        ("USD", "GBP", None),
    ]
    today = timezone.now().date()
    assert {(today - r.valid_from).days for r in rates} == {45, 120}
    # And no demo refund of the last four months is left uncompared by the EUR threshold rule
    billing = Team.objects.get(name="Billing")
    refunds = RefundRequest.objects.filter(ticket__queue__team=billing)
    assert set(refunds.values_list("currency", flat=True)) == {"EUR", "GBP", "USD"}
    for window in month_windows(last=today, count=4, zone=team_zone(team=billing)):
        assert refunds_not_compared(team=billing, window=window) == 0
    # And every refund escalation in another currency carries its conversion
    for escalation in Escalation.objects.filter(trigger="refund_threshold"):
        evidence = escalation.evidence
        if evidence["currency"] == "EUR":
            assert "conversion" not in evidence
        else:
            assert evidence["conversion"]["converted_currency"] == "EUR"
            assert evidence["conversion"]["rate_date"] in {r.valid_from.isoformat() for r in rates}


def _thread(seed: int, *, now, customer, queue, agents):
    """One generated thread of ``queue``'s team, from its own random stream."""
    return _demo_thread_build(
        random.Random(seed),
        now=now,
        customer=customer,
        team=queue.team,
        queue=queue,
        agents=agents,
        router=_Router(),
    )


def test_a_german_writing_customer_writes_every_message_in_german():
    # Every twentieth demo customer writes German: their messages are not scored, as "de".
    now = timezone.now()
    agents = [Agent(username=f"agent{i}", first_name=f"Agent{i}") for i in range(4)]
    german = Customer(name="Acme (Alex)", external_id="demo-0020")
    english = Customer(name="Acme (Alex)", external_id="demo-0021")
    assert demo_customer_writes_german(german)
    assert not demo_customer_writes_german(english)
    scored: dict[str, set[tuple[str, str]]] = {"de": set(), "en": set()}
    for queue_name in SUBJECTS:
        queue = Queue(name=queue_name, team=Team(name="Billing"))
        for seed in range(40):
            for key, customer in (("de", german), ("en", english)):
                thread = _thread(seed, now=now, customer=customer, queue=queue, agents=agents)
                subjects = (SUBJECTS_GERMAN if key == "de" else SUBJECTS)[queue_name]
                assert any(_line_pattern(t).fullmatch(thread.ticket.subject) for t in subjects)
                for message in thread.messages:
                    if message.author_type == AuthorType.CUSTOMER:
                        score = sentiment_score_message(message.body)
                        scored[key].add((score.label == Sentiment.UNSCORED, score.language))
    assert scored["de"] == {(True, "de")}
    assert scored["en"] == {(False, "en")}


def test_the_team_answers_anger_with_an_apology_and_calm_messages_without_one():
    # An agent's "I understand how frustrating this is" belongs after an angry message, never
    # after a calm one.
    now = timezone.now()
    agents = [Agent(username=f"agent{i}", first_name=f"Agent{i}") for i in range(4)]
    angry = [_line_pattern(line) for line in (*ANGRY, *ANGRY_GERMAN)]
    apologies = {
        AGENT_AFTER_ANGER.format(first="Alex"),
        AGENT_AFTER_ANGER_GERMAN.format(first="Alex"),
    }
    answered_anger = 0
    for queue_name in SUBJECTS:
        queue = Queue(name=queue_name, team=Team(name="Billing"))
        for seed in range(150):
            for external_id in ("demo-0020", "demo-0021"):  # German, English
                customer = Customer(name="Acme (Alex)", external_id=external_id, tier="premium")
                thread = _thread(seed, now=now, customer=customer, queue=queue, agents=agents)
                for said, answer in itertools.pairwise(thread.messages):
                    if said.author_type != AuthorType.CUSTOMER:
                        continue
                    if answer.author_type != AuthorType.AGENT:
                        continue
                    was_angry = any(p.fullmatch(said.body) for p in angry)
                    assert (answer.body in apologies) == was_angry, (said.body, answer.body)
                    answered_anger += was_angry
                bodies = [m.body for m in thread.messages if m.author_type == AuthorType.AGENT]
                assert not any("frustrating" in body for body in bodies if body not in apologies), (
                    bodies
                )
    assert answered_anger > 50  # both languages' angry threads were drawn often enough


def test_no_generated_thread_reaches_past_now():
    """Every moment of a generated ticket (its messages, its events, its refund request) is in
    the past, however young the ticket: drawn for a refund queue on many random streams."""
    now = timezone.now()
    team = Team(name="Billing")
    queue = Queue(name="Refunds", team=team)
    customer = Customer(name="Acme (Alex)", external_id="demo-0001")
    agents = [Agent(username=f"agent{i}", first_name=f"Agent{i}") for i in range(4)]
    refunds = 0
    for seed in range(5000):
        thread = _thread(seed, now=now, customer=customer, queue=queue, agents=agents)
        moments = [m.created_at for m in thread.messages] + [e[0] for e in thread.events]
        moments += [ending[0] for ending in thread.ending]
        if thread.refund is not None:
            refunds += 1
            moments.append(thread.refund.created_at)
        assert max(moments) <= now, seed
    assert refunds > 1000  # the refund branch was taken often enough to mean something


def _line_pattern(template: str) -> re.Pattern[str]:
    """A template's lines as a pattern: each field stands for any text, and the full stop after a
    field is optional (a question subject ends its own sentence)."""
    parts: list[str] = []
    after_field = False
    for literal, field, _, _ in string.Formatter().parse(template):
        if after_field and literal.startswith("."):
            parts.append(r"\.?" + re.escape(literal[1:]))
        else:
            parts.append(re.escape(literal))
        after_field = field is not None
        if after_field:
            parts.append(".+?")
    return re.compile("".join(parts), re.S)


@pytest.mark.parametrize("queue_name", sorted(SUBJECTS))
def test_a_thread_speaks_of_what_its_ticket_is_about(queue_name):
    """Every line of a generated thread is one of its topic's (a fault, a bill, a refund, an
    account request): no screenshot of an error on an invoice question, no refund approved on an
    outage, as was seen on the demo's ticket pages."""
    assert set(TOPIC_BY_QUEUE) == set(SUBJECTS)
    now = timezone.now()
    team = Team(name="Billing")
    queue = Queue(name=queue_name, team=team)
    customer = Customer(name="Acme (Alex)", external_id="demo-0001")
    agents = [Agent(username=f"agent{i}", first_name=f"Agent{i}") for i in range(4)]
    anywhere = (*ANGRY, *REFUND_ASKS, *CUSTOMER_THANKS, AGENT_AFTER_ANGER)
    topics_seen = set()
    for seed in range(400):
        thread = _thread(seed, now=now, customer=customer, queue=queue, agents=agents)
        topic = "refund" if "refund" in thread.tags else TOPIC_BY_QUEUE[queue_name]
        topics_seen.add(topic)
        lines = THREAD_LINES[topic]
        allowed = [
            _line_pattern(template)
            for template in (
                lines.openers
                + lines.agent_first
                + lines.customer_followups
                + lines.agent_followups
                + anywhere
            )
        ]
        for message in thread.messages:
            assert any(p.fullmatch(message.body) for p in allowed), (seed, topic, message.body)
    # A billing team's invoice or payment ticket is sometimes a refund: both topics were drawn.
    assert TOPIC_BY_QUEUE[queue_name] in topics_seen


def test_every_topic_has_as_many_lines_of_each_kind_so_the_draws_stay_the_same():
    counts = {topic: tuple(map(len, lines)) for topic, lines in THREAD_LINES.items()}
    assert len(set(counts.values())) == 1, counts


def test_open_tickets_clocks_run_from_their_history_not_from_the_seed():
    """Each open demo ticket's clocks are those its history left: they started when the ticket
    was opened (or the customer last wrote), the old ones are late, each crossing is in the
    clock's ledger, and none is left for the sweeper to announce at the first start."""
    seeded_at = timezone.now()
    call_command("seed_demo", tickets=200, customers=40, stdout=StringIO(), stderr=StringIO())
    open_tickets = Ticket.objects.filter(status__in=OPEN_STATUSES)
    clocks = SLAClock.objects.filter(ticket__in=open_tickets).select_related("ticket")
    assert clocks.count() >= open_tickets.count()
    for clock in clocks.filter(metric__in=["first_response", "resolution"]):
        assert clock.started_at == clock.ticket.created_at, clock.pk
    late = clocks.filter(state=ClockState.RED)
    assert late.exists()
    for clock in late:
        assert clock.breach_crossed_at is not None
        assert clock.breach_crossed_at < seeded_at
        assert clock.ledger.filter(kind="red", at=clock.breach_crossed_at).count() == 1
    # What is due now was announced; the next crossing lies ahead.
    upcoming = sla_next_crossing_at()
    assert upcoming is None or upcoming > seeded_at
    # Every answered ticket's first-response clock was met when the agent first answered.
    answered = clocks.filter(metric="first_response", ticket__first_response_at__isnull=False)
    assert answered.exists()
    for clock in answered:
        assert (clock.state, clock.met_at) == (ClockState.MET, clock.ticket.first_response_at)
