"""Receiver feedback in a real Chromium: one click on the pinned summary, with and without JS."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from escalations.models import AuditEvent, EscalationFeedback
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie

pytestmark = [pytest.mark.browser]


@pytest.fixture
def escalation(transactional_db, queue, junior, senior):
    ticket = factories.TicketFactory(subject="Where is my invoice?", queue=queue, assignee=senior)
    return factories.EscalationFactory(
        ticket=ticket, from_agent=junior, to_agent=senior, trigger="sentiment_negative"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_receiver_judges_the_escalation_in_one_click(live_url, escalation, senior, javascript):
    ARTIFACTS.mkdir(exist_ok=True)
    cookie = session_cookie(senior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
        )
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{escalation.ticket_id}/")
        page.select_option("#pinned select[name=reason]", "customer_not_upset")
        page.click("#pinned button.feedback-no")
        expect(page.locator("#pinned .feedback-given")).to_contain_text(
            "Not needed: Customer was not upset"
        )
        suffix = "js" if javascript else "nojs"
        page.locator("#pinned").screenshot(path=str(ARTIFACTS / f"feedback-given-{suffix}.png"))
        browser.close()

    row = EscalationFeedback.objects.get()
    assert (row.escalation_id, row.needed, row.reason, row.author_id) == (
        escalation.pk,
        False,
        "customer_not_upset",
        senior.pk,
    )
    assert AuditEvent.objects.filter(kind="escalation_feedback_given").count() == 1


def test_the_escalating_junior_sees_no_feedback_buttons(live_url, escalation, junior):
    cookie = session_cookie(junior, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{escalation.ticket_id}/")
        expect(page.locator("#pinned .pinned-summary")).to_have_count(1)
        buttons = page.locator("#pinned .feedback-form").count()
        browser.close()

    assert buttons == 0
    assert EscalationFeedback.objects.count() == 0
