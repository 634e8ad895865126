"""The SLA preview in a real Chromium: a lead drafts a stricter policy and sees which open
tickets' deadlines it would move, before saving anything."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from escalations.models import SLAPolicy
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_content_security_policy import RECORD_VIOLATIONS
from tickets.demo import DEMO_PASSWORD
from tickets.models import Agent, Queue
from tickets.services import ticket_create

pytestmark = [pytest.mark.browser]


@pytest.fixture
def seeded(transactional_db):
    call_command("seed_demo", tickets=5, customers=5, stdout=StringIO(), stderr=StringIO())


def test_sla_preview_lists_the_tickets_that_would_move(live_url, seeded):
    # Given the billing lead and a new, unanswered ticket in a billing queue
    lead = Agent.objects.get(username="billing-lead")
    queue = Queue.objects.filter(team_id=lead.team_id).order_by("pk").first()
    assert queue is not None
    ticket = ticket_create(
        subject="Preview me: charged twice",
        customer=factories.CustomerFactory(),
        queue=queue,
        body="I was charged twice for March.",
    )
    policies_before = SLAPolicy.objects.count()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        page.goto(f"{live_url}/login/")
        page.get_by_label("Username").fill("billing-lead")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("link", name="My tickets")).to_be_visible()

        # When the lead drafts a team policy ahead of the others: first response in 5 minutes
        page.goto(f"{live_url}/admin/escalations/slapolicy/add/")
        page.locator('input[name="name"]').fill("Billing rush")
        page.locator('select[name="team"]').select_option(str(lead.team_id))
        page.locator('input[name="order"]').fill("1")
        page.locator('select[name="targets-0-metric"]').select_option("first_response")
        page.locator('input[name="targets-0-minutes"]').fill("5")
        # And asks for a preview instead of saving
        with page.expect_popup() as popup:
            page.get_by_role("button", name="Preview", exact=True).click()
        preview = popup.value
        preview.wait_for_load_state()

        # Then the preview lists the ticket, its first response deadline and the move in words
        moves = preview.locator("#kd-sla-moves")
        expect(moves).to_be_visible()
        rows = moves.locator("tr", has_text="Preview me: charged twice")
        # (the demo policy's resolution target is not in the draft: that clock is listed too)
        row = rows.filter(has_text="First response")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("earlier")
        expect(rows.filter(has_text="Resolution")).to_contain_text("no longer due")
        expect(preview.locator("#kd-sla-preview-summary")).to_contain_text("would move")
        violations = preview.evaluate("() => window.__csp")
        preview.screenshot(path=str(ARTIFACTS / "console-sla-preview.png"), full_page=True)
        browser.close()

    # And the page keeps to the Content-Security-Policy, and nothing was saved
    assert violations == []
    assert SLAPolicy.objects.count() == policies_before
    assert ticket.sla_clocks.get(metric="first_response").target_minutes != 5
