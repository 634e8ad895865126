"""One way to show a time on agent pages (``{% when %}``, in the agent's team zone) and one
"time left": the header badge and the pinned summary speak of the same clock, from one selector."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from escalations.models import SLAClock
from escalations.services import escalation_create_manual
from escalations.sla.selectors import sla_clock_shown, sla_summary
from tests import factories
from tickets import services
from tickets.templatetags.workspace_ui import exact_time, when

HANDOFF = {
    "tried": "Resent the invoice.",
    "diagnosis": "Duplicate charge.",
    "authority_needed": "Refund above my limit.",
}
# Anything that looks like another date format than {% when %}'s: "2026-12-06 11:02", "Dec 6,
# 11:02", "Dec. 6, 2026, 11:08 a.m.", "5 minutes ago" (Django's timesince).
OTHER_FORMATS = re.compile(
    r"\b20\d\d-\d\d-\d\d \d\d:\d\d|\b[A-Z][a-z]{2}\.? \d{1,2}, \d\d:\d\d|\b[ap]\.m\.|\bminutes ago"
)


@pytest.fixture
def berlin(team):
    team.timezone = "Europe/Berlin"
    team.save(update_fields=["timezone"])
    return team


def _clock(ticket, metric, state, due_in_minutes, **extra):
    now = timezone.now()
    return SLAClock.objects.create(
        ticket=ticket,
        metric=metric,
        policy=factories.SLAPolicyFactory(),
        target_minutes=600,
        state=state,
        started_at=now - timedelta(minutes=30),
        checkpoint_at=now,
        elapsed_seconds=1800,
        due_at=now + timedelta(minutes=due_in_minutes) if due_in_minutes is not None else None,
        **extra,
    )


def test_when_reads_a_datetime_or_an_iso_string_in_the_active_zone():
    moment = datetime(2026, 12, 6, 15, 5, tzinfo=ZoneInfo("UTC"))

    with timezone.override(ZoneInfo("Europe/Berlin")):
        from_datetime = when(moment)
        from_string = when(moment.isoformat())
        exact = exact_time(moment)

    assert exact == "Sun 06 Dec 2026, 16:05 CET"
    assert from_datetime == from_string
    assert from_datetime.startswith(
        f'<time class="when" datetime="2026-12-06T15:05:00+00:00" title="{exact}">'
    )
    assert when(None) == '<span class="muted">—</span>'


@pytest.mark.django_db
def test_agent_pages_show_every_time_one_way_in_the_teams_zone(
    client, berlin, queue, customer, junior, senior
):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    services.message_add(ticket=ticket, author_type="customer", body="Charged twice.")
    services.note_add(ticket=ticket, body="Checked the bank.", author=junior)
    escalation = escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)
    services.refund_request_create(
        ticket=ticket, amount="12.00", currency="EUR", reason="Twice", actor=senior
    )
    client.force_login(senior)

    pages = {
        "ticket": client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode(),
        "queue": client.get(reverse("queue_team")).content.decode(),
        "notifications": client.get(reverse("notification_list")).content.decode(),
    }

    with timezone.override(ZoneInfo("Europe/Berlin")):
        exact = exact_time(escalation.created_at)
    assert exact.endswith(" CET")
    for name, html in pages.items():
        assert 'data-timezone="Europe/Berlin"' in html, name
        assert OTHER_FORMATS.findall(html) == [], name
        times = re.findall(r"<time\b[^>]*>", html)
        assert times, name
        assert all('class="when"' in t and "title=" in t for t in times), (name, times)
        assert all(t.endswith(' CET">') for t in times), (name, times)
    # The summary (its header), the history, the timeline and the refund all read the same way.
    assert pages["ticket"].count(f'title="{exact}"') >= 3
    assert f'title="{exact}"' in pages["notifications"]


@pytest.mark.django_db
def test_the_shown_clock_is_the_running_one_due_first(queue):
    ticket = factories.TicketFactory(queue=queue)
    resolution = _clock(ticket, "resolution", "green", 90)
    first = _clock(ticket, "first_response", "amber", 240)
    paused = _clock(ticket, "next_response", "paused", None, paused_at=timezone.now())

    assert sla_clock_shown([first, resolution, paused]) == resolution
    assert sla_clock_shown([first, paused]) == first
    assert sla_clock_shown([paused]) == paused
    summary = sla_summary(ticket=ticket)
    assert (summary["metric"], summary["state"], summary["due_at"]) == (
        "resolution",
        "green",
        resolution.due_at,
    )


@pytest.mark.django_db
def test_the_header_badge_and_the_pinned_summary_count_the_same_clock(
    client, berlin, queue, junior, senior
):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)
    # Escalated first, clocks set after: the summary must not show a copy from escalation time.
    resolution = _clock(ticket, "resolution", "green", 125)
    _clock(ticket, "first_response", "amber", 300)
    client.force_login(senior)

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    header = re.search(r'<span id="ticket-sla">(.*?)</span></span>', html, re.S).group(1)
    line = re.search(r'<p class="summary-sla">(.*?)</p>', html, re.S).group(1)
    due = resolution.due_at.isoformat()
    for badge in (header, line):
        assert f'data-due="{due}"' in badge
        assert 'title="SLA (resolution): On track"' in badge
        assert re.search(r'<span class="sla-left">2h [45]m left', badge)
    left = r'<span class="sla-left">([^<]*)'
    assert re.search(left, header).group(1) == re.search(left, line).group(1)
    assert line.startswith('SLA: <span class="sla-metric">Resolution</span>, due ')
    with timezone.override(ZoneInfo("Europe/Berlin")):
        # Exact, not relative: the badge beside it shows the time left.
        assert (
            f'<time class="exact" datetime="{due}">{exact_time(resolution.due_at)}</time>' in line
        )
    assert "8 h 0 min" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        pytest.param("Asia/Tokyo", "Asia/Tokyo", id="the-teams-zone"),
        pytest.param("Not/AZone", "UTC", id="a-bad-name-falls-back-to-utc"),
        pytest.param(None, "UTC", id="no-team"),
    ],
)
def test_every_page_is_shown_in_the_agents_team_zone(client, team, zone, shown):
    agent = factories.AgentFactory(team=team if zone else None)
    if zone:
        team.timezone = zone
        team.save(update_fields=["timezone"])
    client.force_login(agent)

    for url in (reverse("queue_mine"), reverse("notification_list")):
        assert f'data-timezone="{shown}"' in client.get(url).content.decode()


@pytest.mark.django_db
def test_the_summary_note_gives_the_due_time_in_the_teams_zone(berlin, queue, junior, senior):
    ticket = factories.TicketFactory(queue=queue, assignee=junior)
    resolution = _clock(ticket, "resolution", "green", 125)

    escalation = escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)

    due = resolution.due_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M %Z")
    sla_line = escalation.summary_note.body.splitlines()[-1]
    assert sla_line.startswith(f"SLA: resolution green, due {due}, ")
    assert due.endswith((" CET", " CEST"))
