"""The ticket page: visibility, composers and controls through the services, kept input on
errors, the pinned summary, the live catch-up endpoint and constant query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalations.models import Escalation
from tests import factories
from tickets import realtime, services
from tickets.models import EventKind, Message, Note, RefundRequest, TicketEvent


@pytest.fixture
def ticket(queue, junior):
    ticket = factories.TicketFactory(subject="Invoice twice", queue=queue, assignee=junior)
    factories.MessageFactory(ticket=ticket, body="I was charged twice.")
    return ticket


@pytest.fixture
def outsider(db):
    return factories.AgentFactory(username="outsider", team=factories.TeamFactory(name="Billing"))


def _events(ticket, kind):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind).values_list("data", flat=True))


@pytest.mark.django_db
def test_ticket_page_requires_sign_in(client, ticket):
    response = client.get(reverse("ticket_detail", args=[ticket.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["junior", "senior", "lead", "admin_user"])
def test_ticket_page_renders_for_the_team_and_admins(client, ticket, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("ticket_detail", args=[ticket.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Invoice twice" in body
    assert "I was charged twice." in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["ticket_detail", "ticket_escalate", "ticket_live", "ticket_history_lines"],
    ids=["page", "escalate", "live", "history"],
)
def test_junior_of_another_team_gets_404(client, ticket, outsider, name):
    client.force_login(outsider)

    response = client.get(reverse(name, args=[ticket.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_the_history_lines_are_the_cards_for_the_agent_and_need_a_sign_in(client, ticket, senior):
    services.ticket_update(ticket=ticket, actor=senior, priority="urgent")
    url = reverse("ticket_history_lines", args=[ticket.pk])

    anonymous = client.get(url)
    client.force_login(senior)
    lines = client.get(url)
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert anonymous.status_code == 302
    assert lines.status_code == 200
    body = lines.content.decode()
    assert f"{senior} set priority Normal → Urgent" in body
    assert f'<div id="ticket-history-lines">{body}</div>' in page


@pytest.mark.django_db
def test_junior_of_another_team_cannot_post_a_reply(client, ticket, outsider):
    client.force_login(outsider)

    response = client.post(reverse("ticket_reply", args=[ticket.pk]), {"body": "Hi"})

    assert response.status_code == 404
    assert Message.objects.filter(ticket=ticket, author_type="agent").count() == 0


@pytest.mark.django_db
def test_reply_composer_adds_an_agent_message_through_the_service(client, ticket, junior):
    client.force_login(junior)

    response = client.post(
        reverse("ticket_reply", args=[ticket.pk]), {"body": "Refund is on its way."}
    )

    assert response.status_code == 302
    reply = Message.objects.get(ticket=ticket, author_type="agent")
    assert (reply.body, reply.author_agent) == ("Refund is on its way.", junior)
    ticket.refresh_from_db()
    assert ticket.first_response_at == reply.created_at
    assert _events(ticket, EventKind.MESSAGE_ADDED)[0]["message"] == reply.pk


@pytest.mark.django_db
def test_note_composer_adds_an_internal_note(client, ticket, junior):
    client.force_login(junior)

    client.post(reverse("ticket_note", args=[ticket.pk]), {"body": "Customer is a reseller."})

    note = Note.objects.get(ticket=ticket)
    assert (note.body, note.author, note.kind) == ("Customer is a reseller.", junior, "note")
    assert Message.objects.filter(ticket=ticket, author_type="agent").count() == 0
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert 'class="entry note note-note"' in page


@pytest.mark.django_db
def test_blank_reply_is_refused_and_nothing_is_written(client, ticket, junior):
    client.force_login(junior)

    response = client.post(reverse("ticket_reply", args=[ticket.pk]), {"body": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Message.objects.filter(ticket=ticket, author_type="agent").count() == 0


@pytest.mark.django_db
def test_refund_error_keeps_what_the_agent_typed(client, ticket, junior):
    client.force_login(junior)

    response = client.post(
        reverse("ticket_refund", args=[ticket.pk]),
        {"amount": "-5", "currency": "EUR", "reason": "Double charge in March"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "Double charge in March" in body
    assert 'value="-5"' in body
    assert RefundRequest.objects.count() == 0


@pytest.mark.django_db
def test_refund_form_records_a_refund_request(client, ticket, junior):
    client.force_login(junior)

    client.post(
        reverse("ticket_refund", args=[ticket.pk]),
        {"amount": "120.50", "currency": "EUR", "reason": "Double charge"},
    )

    refund = RefundRequest.objects.get(ticket=ticket)
    assert (refund.amount, refund.currency, refund.requested_by) == (
        Decimal("120.50"),
        "EUR",
        junior,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("currency", ["GBP", "JPY"])
def test_refund_form_offers_the_team_currency_first(client, ticket, junior, currency):
    junior.team.default_currency = currency
    junior.team.save(update_fields=["default_currency"])
    client.force_login(junior)

    response = client.get(reverse("ticket_detail", args=[ticket.pk]))

    assert response.context["refund_form"]["currency"].value() == currency
    assert f'<option value="{currency}" selected>' in response.content.decode()


@pytest.mark.django_db
def test_controls_change_status_priority_and_assignee(client, ticket, junior, senior):
    client.force_login(junior)

    client.post(
        reverse("ticket_controls", args=[ticket.pk]),
        factories.ticket_controls_data(
            ticket, status="pending", priority="high", assignee=senior.pk
        ),
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("pending", "high", senior)
    assert _events(ticket, EventKind.ASSIGNED) == [
        {"from": junior.pk, "to": senior.pk, "reason": "manual"}
    ]


@pytest.mark.django_db
def test_controls_refuse_an_assignee_outside_the_team(client, ticket, junior, outsider):
    client.force_login(junior)

    response = client.post(
        reverse("ticket_controls", args=[ticket.pk]),
        factories.ticket_controls_data(ticket, assignee=outsider.pk),
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee == junior
    assert _events(ticket, EventKind.ASSIGNED) == []


@pytest.mark.django_db
def test_tags_are_saved(client, ticket, junior):
    client.force_login(junior)

    client.post(reverse("ticket_tags", args=[ticket.pk]), {"tags": "Billing, vip"})

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "vip"]


@pytest.mark.django_db
def test_adding_the_escalate_tag_leads_to_the_escalate_form(client, ticket, junior):
    client.force_login(junior)

    response = client.post(reverse("ticket_tags", args=[ticket.pk]), {"tags": "vip, escalate"})

    assert response.status_code == 302
    assert response["Location"] == reverse("ticket_escalate", args=[ticket.pk]) + "?via_tag=1"
    assert list(ticket.tags.values_list("name", flat=True)) == ["vip"]
    form = client.get(response["Location"]).context["form"]
    assert form.initial["via_tag"] is True


@pytest.mark.django_db
def test_ticket_page_pins_the_latest_escalation_with_an_acknowledge_button(
    client, ticket, junior, senior
):
    older = factories.EscalationFactory(ticket=ticket, to_agent=junior)
    note = factories.NoteFactory(
        ticket=ticket, kind="escalation_summary", pinned=True, body="Tried: refund. Needs: lead."
    )
    latest = factories.EscalationFactory(ticket=ticket, to_agent=senior, summary_note=note)
    client.force_login(senior)

    response = client.get(reverse("ticket_detail", args=[ticket.pk]))

    body = response.content.decode()
    pinned = body[body.index('id="pinned"') : body.index('class="ticket-grid"')]
    assert f'data-escalation-id="{latest.pk}"' in pinned
    assert f'data-escalation-id="{older.pk}"' not in pinned
    assert reverse("escalation_acknowledge_page", args=[latest.pk]) in pinned
    assert f'data-last-escalation="{latest.pk}"' in body


@pytest.mark.django_db
def test_acknowledge_button_is_not_offered_to_a_junior_who_is_not_the_receiver(
    client, ticket, junior, senior
):
    escalation = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    client.force_login(junior)

    body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert reverse("escalation_acknowledge_page", args=[escalation.pk]) not in body
    assert "Waiting for" in body


@pytest.mark.django_db
def test_live_endpoint_returns_only_escalations_after_since(client, ticket, senior):
    seen = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    missed = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    client.force_login(senior)

    response = client.get(reverse("ticket_live", args=[ticket.pk]), {"since": seen.pk})

    assert response.status_code == 200
    data = response.json()
    assert [e["escalation"] for e in data["events"]] == [missed.pk]
    event = data["events"][0]
    assert (event["type"], event["ticket"]) == ("escalation.summary", ticket.pk)
    assert f'data-escalation-id="{missed.pk}"' in event["pinned_html"]
    assert 'class="sla sla-none"' in data["sla_html"]
    assert data["state"] == {
        "status": "open",
        "priority": "normal",
        "assignee": ticket.assignee_id,
        "seen_status": "open",
        "seen_priority": "normal",
        "seen_assignee": ticket.assignee_id,
        "version": 1,
    }
    assert str(ticket.assignee) in data["meta_html"]


@pytest.mark.django_db
def test_live_endpoint_does_not_pin_an_escalation_older_than_the_pinned_one(client, ticket, senior):
    # Given the page pins the newest escalation by time, and a row with a higher id but an
    # earlier time (committed late, or imported history) plus a truly newer one
    pinned = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    older = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    newer = factories.EscalationFactory(ticket=ticket, to_agent=senior)
    now = timezone.now()
    Escalation.objects.filter(pk=pinned.pk).update(created_at=now - timedelta(hours=1))
    Escalation.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=2))
    Escalation.objects.filter(pk=newer.pk).update(created_at=now)
    client.force_login(senior)

    # When the page catches up from the pinned one
    data = client.get(reverse("ticket_live", args=[ticket.pk]), {"since": pinned.pk}).json()

    # Then only the newer one is pinned; the older one stays in the history
    assert [e["escalation"] for e in data["events"]] == [newer.pk]
    assert f'data-escalation-id="{older.pk}"' in data["history_html"]


@pytest.mark.django_db
def test_live_endpoint_refuses_anonymous_and_bad_since(client, ticket, senior):
    anonymous = client.get(reverse("ticket_live", args=[ticket.pk]))
    client.force_login(senior)
    bad = client.get(reverse("ticket_live", args=[ticket.pk]), {"since": "x"})

    assert anonymous.status_code == 302
    assert (bad.status_code, bad.json()) == (400, {"since": ["Must be an escalation id."]})


def _grow_ticket(ticket, agent, n):
    factories.MessageFactory.create_batch(n, ticket=ticket)
    factories.MessageFactory.create_batch(n, ticket=ticket, author_type="agent", author_agent=agent)
    factories.NoteFactory.create_batch(n, ticket=ticket, author=agent)
    factories.RefundRequestFactory.create_batch(n, ticket=ticket, requested_by=agent)
    for _ in range(n):
        factories.EscalationFactory(ticket=ticket, to_agent=agent, from_agent=agent)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ticket_detail", "ticket_live", "ticket_history_lines"])
def test_ticket_page_query_count_does_not_grow_with_messages_and_notes(
    client, ticket, senior, name, django_assert_num_queries
):
    client.force_login(senior)
    _grow_ticket(ticket, senior, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(name, args=[ticket.pk]))
    _grow_ticket(ticket, senior, 6)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse(name, args=[ticket.pk]))

    assert response.status_code == 200
    if name == "ticket_detail":
        assert len(response.context["timeline"]) == 1 + 9 * 3


@pytest.mark.django_db
def test_acknowledged_escalation_shows_who_acknowledged(client, ticket, senior):
    factories.EscalationFactory(
        ticket=ticket, to_agent=senior, acknowledged_at=timezone.now(), acknowledged_by=senior
    )
    client.force_login(senior)

    body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert f"Acknowledged by {senior}" in body
    assert "ack-button" not in body


@pytest.fixture
def pushes(monkeypatch):
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "push_many", lambda pairs: sent.extend(pairs))
    return sent


@pytest.mark.django_db
def test_an_sla_crossing_is_pushed_to_open_ticket_pages_after_commit(
    ticket, pushes, django_capture_on_commit_callbacks
):
    crossing = {"metric": "first_response", "from": "green", "to": "amber", "clock": 1}

    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.ticket_event_record(ticket=ticket, kind=EventKind.SLA_STATE_CHANGED, data=crossing)
    before_commit = list(pushes)
    for callback in pending:
        callback()

    assert before_commit == []
    to_page = [event for group, event in pushes if group == f"ticket.{ticket.pk}"]
    assert [(e["type"], e["event"], e["changes"]) for e in to_page] == [
        ("ticket.updated", "sla_state_changed", {})
    ]


@pytest.mark.django_db
def test_a_note_from_the_page_is_pushed_to_the_ticket_group_after_commit(
    client, ticket, junior, pushes, django_capture_on_commit_callbacks
):
    client.force_login(junior)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ticket_note", args=[ticket.pk]), {"body": "Checked the ledger."})

    assert [(group, event["type"], event["note"]["body"]) for group, event in pushes] == [
        (f"ticket.{ticket.pk}", "note.created", "Checked the ledger.")
    ]


@pytest.mark.django_db
def test_sla_clock_explains_why_it_is_amber(client, ticket, junior):
    from escalations.models import SLAClock, SLAClockEntry

    now = timezone.now()
    clock = SLAClock.objects.create(
        ticket=ticket,
        metric="first_response",
        policy=factories.SLAPolicyFactory(),
        target_minutes=60,
        state="amber",
        started_at=now - timezone.timedelta(minutes=50),
        checkpoint_at=now,
        elapsed_seconds=3000,
        due_at=now + timezone.timedelta(minutes=10),
    )
    SLAClockEntry.objects.create(clock=clock, kind="amber", at=now, text="Amber at 75%.")
    client.force_login(junior)

    body = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert "Why is it amber?" in body
    assert "first response amber: 50 min of 60 min used" in body
    assert "Amber at 75%." in body
    # Each clock: its summary, then its own numbered lines (numbering starts again per clock).
    ledger = body[body.index('<ul class="ledger">') :]
    ledger = ledger[: ledger.index("</ul>")]
    assert ledger.count('<li class="ledger-clock">') == 1
    assert ledger.index('<p class="ledger-summary">first response amber') < ledger.index(
        '<ol><li class="ledger-amber">'
    )
    assert 'class="sla sla-amber"' in body


@pytest.mark.django_db
def test_a_newer_version_without_a_visible_change_does_not_stop_the_save(client, ticket, junior):
    # given the page was rendered, then the customer wrote (a ticket write: the version moved,
    # but status, priority and assignee are as the page shows them)
    client.force_login(junior)
    data = factories.ticket_controls_data(ticket, priority="high")
    services.message_add(ticket=ticket, author_type="customer", body="Any news?")
    assert ticket.version == 2

    response = client.post(reverse("ticket_controls", args=[ticket.pk]), data)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.version) == ("open", "high", 3)


@pytest.mark.django_db
def test_a_stale_save_shows_what_changed_and_by_whom_and_keeps_the_agents_choice(
    client, ticket, junior, lead
):
    # given agent A's page shows Normal; the lead sets Urgent
    client.force_login(junior)
    data = factories.ticket_controls_data(ticket, status="pending")
    services.ticket_update(ticket=ticket, actor=lead, priority="urgent")
    status_events = len(_events(ticket, EventKind.STATUS_CHANGED))

    # when A changes only the status and saves
    response = client.post(reverse("ticket_controls", args=[ticket.pk]), data)

    # then nothing is written, the notice names the change and its author, A's choice is kept
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.version) == ("open", "urgent", 2)
    assert len(_events(ticket, EventKind.STATUS_CHANGED)) == status_events
    body = response.content.decode()
    assert "Not saved: this ticket changed after you opened it." in body
    assert f"Priority: Normal → <strong>Urgent</strong>, by {lead}" in body
    form = response.context["controls_form"]
    assert (form.data["status"], form.data["priority"]) == ("pending", "urgent")
    assert (form.data["version"], form.data["seen_priority"]) == ("2", "urgent")

    # and when A re-applies (Save again), only the status is written: Urgent stays
    response = client.post(reverse("ticket_controls", args=[ticket.pk]), form.data)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.version) == ("pending", "urgent", 3)


@pytest.mark.django_db
def test_controls_of_another_teams_ticket_are_a_404_and_write_nothing(client, ticket, outsider):
    client.force_login(outsider)

    response = client.post(
        reverse("ticket_controls", args=[ticket.pk]),
        factories.ticket_controls_data(ticket, priority="urgent"),
    )

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.version) == ("normal", 1)
    assert _events(ticket, EventKind.PRIORITY_CHANGED) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("version", "0"), ("version", "abc"), ("seen_status", "bogus"), ("seen_assignee", "-3")],
)
def test_controls_with_a_bad_hidden_field_are_a_400_and_write_nothing(
    client, ticket, junior, field, value
):
    client.force_login(junior)
    data = factories.ticket_controls_data(ticket, priority="urgent")
    data[field] = value

    response = client.post(reverse("ticket_controls", args=[ticket.pk]), data)

    assert response.status_code == 400
    assert list(response.context["controls_form"].errors) == [field]
    assert f"This form is out of date ({field}:" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.version) == ("normal", 1)


@pytest.mark.django_db
def test_a_fresh_acknowledgement_reads_just_now_with_the_exact_time_on_hover(client, senior, queue):
    ticket = factories.TicketFactory(queue=queue, assignee=senior)
    acknowledged = timezone.now()
    factories.EscalationFactory(
        ticket=ticket, to_agent=senior, acknowledged_at=acknowledged, acknowledged_by=senior
    )
    client.force_login(senior)

    html = client.get(f"/tickets/{ticket.pk}/").content.decode()

    exact = timezone.localtime(acknowledged).strftime("%a %d %b %Y, %H:%M %Z")
    assert (
        f'<time class="when" datetime="{acknowledged.isoformat()}" title="{exact}">just now</time>'
        in html
    )
    assert "0 minutes ago" not in html
