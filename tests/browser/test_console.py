"""The console in a real Chromium, on freshly seeded demo data.

One test walks every step: the live server caches content-type ids the admin's log entries point
at, and a database flush between tests would leave that cache stale, so the steps share one
seeded database."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from escalations.models import Rule
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tickets.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser]

REFUND_RULE = "Billing: large refunds to refund specialists"


@pytest.fixture
def seeded(transactional_db):
    call_command("seed_demo", tickets=20, customers=10, stdout=StringIO(), stderr=StringIO())


def _sign_in(browser, live_url, username):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="My tickets")).to_be_visible()
    return page


def _lead_signs_in_and_edits_a_rule(live_url):
    # Given the demo data, untouched since seeding
    rule = Rule.objects.get(name=REFUND_RULE)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # When the billing lead signs in and follows "Rules & SLAs" to the refund rule
        page = _sign_in(browser, live_url, "billing-lead")
        page.get_by_role("link", name="Rules & SLAs").click()
        expect(page.locator("#site-name")).to_have_text("KimonDesk console")
        page.screenshot(path=str(ARTIFACTS / "console-index-lead.png"), full_page=True)
        page.locator("#content-main").get_by_role("link", name="Rules", exact=True).click()
        page.get_by_role("link", name=REFUND_RULE).click()

        # And raises the refund threshold and saves
        page.locator('input[name="tp__refund_threshold__amount"]').fill("800.00")
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        page.screenshot(path=str(ARTIFACTS / "console-rule-saved.png"), full_page=True)
        browser.close()

    # Then the rule has the new threshold
    rule.refresh_from_db()
    assert rule.trigger_params == {"amount": "800.00", "currency": "EUR"}


def _junior_is_told_the_console_is_not_theirs(live_url):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _sign_in(browser, live_url, "billing-junior1")

        response = page.goto(f"{live_url}/admin/")

        status = response.status if response else None
        heading = page.get_by_role("heading", level=1).inner_text()
        has_console_link = page.get_by_role("link", name="Rules & SLAs").count()
        page.screenshot(path=str(ARTIFACTS / "console-no-access-junior.png"), full_page=True)
        browser.close()

    assert status == 403
    assert heading == "The console is for team leads and admins"
    assert has_console_link == 0


def _sentiment_threshold_is_set(live_url):
    # Given the billing lead's seeded sentiment rule, without a score threshold
    rule = Rule.objects.get(name="Billing: angry customer to the lead")
    assert rule.trigger_params == {}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _sign_in(browser, live_url, "billing-lead")

        # When they open the rule, see the sentiment parameter and set it
        page.goto(f"{live_url}/admin/escalations/rule/{rule.pk}/change/")
        field = page.get_by_label("Strongest score that fires")
        expect(field).to_be_visible()
        expect(page.get_by_label("Refund threshold")).to_be_hidden()
        field.fill("-0.6")
        page.screenshot(path=str(ARTIFACTS / "console-rule-form-sentiment.png"), full_page=True)
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
        browser.close()

    # Then the rule fires only at -0.6 or below
    rule.refresh_from_db()
    assert rule.trigger_params == {"max_score": -0.6}


def _calendar_error_reads_in_words(live_url):
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _sign_in(browser, live_url, "billing-lead")

        # When the lead adds a calendar whose only span starts and ends at the same time
        page.goto(f"{live_url}/admin/escalations/calendar/add/")
        page.get_by_label("Name:").fill("Weekend desk")
        page.get_by_label("Timezone:").fill("Europe/Berlin")
        page.locator('select[name="hours-0-weekday"]').select_option(label="Saturday")
        page.locator('input[name="hours-0-start"]').fill("10:00")
        page.locator('input[name="hours-0-end"]').fill("10:00")
        page.get_by_role("button", name="Save", exact=True).click()

        # Then the error names the span and says what to do, with no database wording
        expect(page.locator(".errorlist").first).to_be_visible()
        errors = page.locator(".errornote, .errorlist").all_inner_texts()
        page.screenshot(path=str(ARTIFACTS / "console-calendar-error.png"), full_page=True)
        browser.close()

    text = " ".join(errors)
    assert "Span 1: start and end are equal; use 00:00-00:00 for all day." in text
    assert "Constraint" not in text


def _history_shows_names_and_a_sentence(live_url):
    rule = Rule.objects.get(name=REFUND_RULE)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _sign_in(browser, live_url, "billing-lead")

        # When the lead opens the history of the rule whose threshold they raised
        page.goto(f"{live_url}/admin/escalations/rule/{rule.pk}/change/")
        page.get_by_role("link", name="History").click()

        # Then the change reads as a sentence, by name, with the date in the team's zone
        sentence = page.locator(".kd-history-sentence").first.inner_text()
        when = page.locator(".kd-audit-event h2 time").first.inner_text()
        body = page.locator("#content-main").inner_text()
        page.screenshot(path=str(ARTIFACTS / "console-rule-history.png"), full_page=True)
        browser.close()

    assert sentence == "Maria Keller raised the refund threshold from 500.00 EUR to 800.00 EUR"
    assert when.endswith(("CET", "CEST"))
    assert "rule.changed" not in body
    assert "'amount'" not in body


def test_console_journey_on_fresh_demo_data(live_url, seeded):
    # A junior is told the console is not theirs; the billing lead signs in, raises the refund
    # threshold, reads the history in words, sets the sentiment rule's threshold, and gets a
    # calendar error in words.
    _junior_is_told_the_console_is_not_theirs(live_url)
    _lead_signs_in_and_edits_a_rule(live_url)
    _history_shows_names_and_a_sentence(live_url)
    _sentiment_threshold_is_set(live_url)
    _calendar_error_reads_in_words(live_url)
