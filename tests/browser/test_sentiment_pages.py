"""A real Chromium: a German message reads "not scored (de)" on the ticket page, and rule health
counts it for the lead of its team only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import services

pytestmark = [pytest.mark.browser]

GERMAN = "Das ist eine Frechheit, ich warte seit drei Wochen auf meine Bestellung!"
ENGLISH = "This is useless. I want to cancel my account."


@pytest.fixture
def ticket(transactional_db, queue, junior):
    ticket = factories.TicketFactory(subject="Bestellung 4471", queue=queue, assignee=junior)
    services.message_add(ticket=ticket, author_type="customer", body=ENGLISH)
    services.message_add(ticket=ticket, author_type="customer", body=GERMAN)
    return ticket


def test_not_scored_badge_and_rule_health_count(live_url, ticket, junior, lead):
    outsider = factories.LeadFactory(username="other-lead", team=factories.TeamFactory())
    month = timezone.now().strftime("%Y-%m")
    cookies = {who: session_cookie(who, live_url) for who in (junior, lead, outsider)}
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([cookies[junior]])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#timeline .sentiment-unscored")).to_have_text(["not scored (de)"])
        expect(page.locator("#timeline .sentiment-negative")).to_have_text(["negative"])
        page.screenshot(path=str(ARTIFACTS / "sentiment-not-scored.png"), full_page=True)
        context.close()

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([cookies[lead]])
        page = context.new_page()
        page.goto(f"{live_url}/reports/rules/?team={lead.team_id}&month={month}")
        expect(page.locator(".unscored-count")).to_have_text("1 this month: 1 in German (de).")
        page.screenshot(path=str(ARTIFACTS / "rule-health-unscored.png"), full_page=True)
        context.close()

        context = browser.new_context()
        context.add_cookies([cookies[outsider]])
        page = context.new_page()
        response = page.goto(f"{live_url}/reports/rules/?team={lead.team_id}&month={month}")
        assert response is not None
        assert response.status == 404
        expect(page.locator(".unscored-count")).to_have_count(0)
        context.close()
        browser.close()
