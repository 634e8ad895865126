"""A reply's mail delivery state reaches the open ticket page live under the process layout of
``make run``: the web server queues the mail, the ``qcluster`` process sends it, and the badge
beside the reply turns from queued to sent without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tests.browser.test_live_process_layout import _api, _open_ticket_page, _token
from tickets.mail.models import Mailbox, OutboundMail

pytestmark = [pytest.mark.browser, pytest.mark.qcluster]


@pytest.fixture
def mailed_ticket(transactional_db, queue, junior):
    Mailbox.objects.create(queue=queue, address="support@help.example.com")
    customer = factories.CustomerFactory(name="Anna Kunde", email="anna@customer.example")
    return factories.TicketFactory(
        subject="Charged twice", queue=queue, customer=customer, assignee=junior, status="open"
    )


def test_the_delivery_badge_turns_to_sent_without_a_reload(
    make_run_url, mailed_ticket, junior, senior
):
    cookie, token = session_cookie(senior, make_run_url), _token(junior)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = _open_ticket_page(browser, make_run_url, cookie, mailed_ticket)
        # when the holder replies through the API (the web process queues the mail)
        reply = _api(
            f"{make_run_url}/api/v1/tickets/{mailed_ticket.pk}/messages/",
            token,
            {"author_type": "agent", "body": "We refunded the second charge."},
        )
        # then the reply appears on the other agent's page and its badge says it was emailed
        badge = page.locator(f"#message-{reply['id']} .mail-delivery")
        expect(badge).to_have_text("emailed", timeout=10_000)
        expect(badge).to_have_attribute("data-delivery-state", "sent")
        same_page = page.evaluate("() => window.__loadedOnce === true")
        page.screenshot(path=str(ARTIFACTS / "mail-delivery-live.png"), full_page=True)
        browser.close()
    assert same_page is True
    assert OutboundMail.objects.get().state == "sent"
