"""The customer panel's "last sentiment" in a real Chromium: a new customer message, once scored,
changes it without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright
from rest_framework.authtoken.models import Token

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import services

pytestmark = [pytest.mark.browser]

ANGRY = "This is the third time I write. I want to cancel my account and talk to a lawyer."


@pytest.fixture
def ticket(transactional_db, queue, customer, junior):
    ticket = factories.TicketFactory(queue=queue, customer=customer, assignee=junior)
    services.message_add(ticket=ticket, author_type="customer", body="Thanks, that is great!")
    return ticket


def test_the_last_sentiment_follows_a_new_customer_message(live_url, ticket, junior):
    ARTIFACTS.mkdir(exist_ok=True)
    cookie = session_cookie(junior, live_url)
    token = Token.objects.create(user=junior).key
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        expect(page.locator("#ticket-page[data-caught-up]")).to_have_count(1)
        mood = page.locator("#customer-last-sentiment .sentiment")
        expect(mood).to_have_text("Positive")
        page.evaluate("window.__sameDocument = true")

        # An integration posts the customer's next message while the page is open.
        posted = context.request.post(
            f"{live_url}/api/v1/tickets/{ticket.pk}/messages/",
            headers={"Authorization": f"Token {token}"},
            data={"author_type": "customer", "body": ANGRY},
        )
        assert posted.status == 201

        expect(mood).to_have_text("Negative")
        expect(mood).to_have_class("sentiment sentiment-negative")
        expect(page.locator("#customer-last-sentiment time.when")).to_have_text("just now")
        assert page.evaluate("window.__sameDocument") is True
        page.locator("#customer-panel").screenshot(path=str(ARTIFACTS / "customer-panel-live.png"))
        browser.close()
