"""One "time left" in a real Chromium: the header badge and the pinned summary's SLA line name the
same clock and tick to the same words; times read in the team's zone."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from escalations.models import SLAClock
from escalations.services import escalation_create_manual
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = [pytest.mark.browser]

HANDOFF = {
    "tried": "Re-sent the invoice twice and checked the payment log.",
    "diagnosis": "The card was charged twice by the billing sync.",
    "authority_needed": "A refund above my 50 EUR limit.",
}


@pytest.fixture
def ticket(transactional_db, team, queue, junior, senior):
    team.timezone = "Europe/Berlin"
    team.save(update_fields=["timezone"])
    ticket = factories.TicketFactory(subject="Charged twice", queue=queue, assignee=junior)
    escalation_create_manual(ticket=ticket, actor=junior, to_agent=senior, **HANDOFF)
    now = timezone.now()
    for metric, due_in in (("resolution", 125), ("first_response", 300)):
        SLAClock.objects.create(
            ticket=ticket,
            metric=metric,
            policy=factories.SLAPolicyFactory(),
            target_minutes=600,
            state="green",
            started_at=now - timedelta(minutes=30),
            checkpoint_at=now,
            elapsed_seconds=1800,
            due_at=now + timedelta(minutes=due_in),
        )
    return ticket


@pytest.mark.parametrize("width", [1280, 390], ids=["laptop", "phone"])
def test_the_badge_and_the_summary_tick_the_same_clock(live_url, ticket, senior, width):
    ARTIFACTS.mkdir(exist_ok=True)
    cookie = session_cookie(senior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#ticket-page[data-caught-up]")).to_have_count(1)
        line = page.locator("#pinned .summary-sla")
        expect(line.locator(".sla-metric")).to_have_text("Resolution")
        header_left = page.locator("#ticket-sla .sla-left")
        expect(header_left).to_have_text(re.compile(r"^2h [45]m left$"))
        assert line.locator(".sla-left").inner_text() == header_left.inner_text()
        dues = [
            datetime.fromisoformat(badge.get_attribute("data-due") or "")
            for badge in (line.locator(".sla"), page.locator("#ticket-sla .sla"))
        ]
        assert abs(dues[0] - dues[1]) < timedelta(milliseconds=1)
        # The due time is exact (the badge beside it says the time left), in the team's zone.
        due_text = line.locator(".sla-due time.exact").inner_text()
        assert due_text.endswith((" CET", " CEST"))
        assert "in " not in due_text
        line.screenshot(path=str(ARTIFACTS / f"pinned-sla-line-{width}.png"))
        browser.close()
