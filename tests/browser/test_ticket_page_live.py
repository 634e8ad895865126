"""A real Chromium on the ticket page: live messages, notes, changes, refunds, acknowledgements
and presence arrive without a reload, and never disturb what the agent is typing or editing.

Pushes are sent from the test process through ``tickets.realtime``, in the shapes of the live
event contract; they reach the page's server over a channel layer shared between processes, so
those tests run in the PostgreSQL + Redis pass. Presence needs only the page's own server.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import realtime
from tickets.models import NoteKind, Tag, Ticket

pytestmark = [pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SOCKET_OPEN = (
    "() => !!(window.KimonDesk && KimonDesk.ticket && KimonDesk.ticket.ws"
    " && KimonDesk.ticket.ws.readyState === 1)"
)
HOSTILE = '<img src=x onerror="window.__pwned=1">Still charged twice.\nPlease look again.'


@pytest.fixture
def ticket(transactional_db, queue, junior):
    return factories.TicketFactory(
        subject="Charged twice for March", queue=queue, assignee=junior, status="open"
    )


def _in_thread(fn, *args):
    """Outside Playwright's event loop (the channel layer's ``async_to_sync`` needs that)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def _push(ticket_id, event):
    _in_thread(realtime.push_to_ticket, ticket_id, event)


def _person(agent):
    return {"id": agent.pk, "name": str(agent)}


def _open_page(browser, live_url, cookie, ticket, viewport=LAPTOP):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(f"{live_url}/tickets/{ticket.pk}/")
    page.wait_for_function(SOCKET_OPEN, timeout=5000)
    # The catch-up that follows the socket's open has answered: later pushes are not undone by it
    page.wait_for_function("() => !!document.getElementById('ticket-page').dataset.caughtUp")
    page.evaluate("() => { window.__loadedOnce = true; }")
    return context, page


def _message_created(ticket, message_id):
    return {
        "type": "message.created",
        "ticket": ticket.pk,
        "message": {
            "id": message_id,
            "author_type": "customer",
            "author": None,
            "body": HOSTILE,
            "sentiment": {"label": "negative", "score": -0.62, "reasons": ["churn risk"]},
            "created_at": "2026-12-06T13:02:00+00:00",
        },
    }


def _note_created(ticket, note_id, author):
    return {
        "type": "note.created",
        "ticket": ticket.pk,
        "note": {
            "id": note_id,
            "kind": "note",
            "author": _person(author),
            "body": "Refund approved up to 120 EUR.",
            "pinned": False,
            "created_at": "2026-12-06T13:03:00+00:00",
        },
    }


def _ticket_updated(ticket, actor, junior):
    return {
        "type": "ticket.updated",
        "ticket": ticket.pk,
        "version": 7,
        "event": "priority_changed",
        "actor": _person(actor),
        "changes": {"priority": {"from": "normal", "to": "urgent"}},
        "ticket_fields": {
            "status": "open",
            "status_display": "Open",
            "priority": "urgent",
            "priority_display": "Urgent",
            "assignee": _person(junior),
            "queue": {"id": ticket.queue_id, "name": "General"},
            "tags": ["billing", "refund"],
        },
        "sla": {
            "state": "red",
            "first_response_due_at": "2026-12-06T12:00:00+00:00",
            "remaining_seconds": -3600,
        },
    }


def _refund_created(ticket):
    return {
        "type": "refund.created",
        "ticket": ticket.pk,
        "refund": {
            "id": 9001,
            "amount": "119.00",
            "currency": "EUR",
            "reason": "Duplicate <b>charge</b>",
            "created_at": "2026-12-06T13:04:00+00:00",
        },
    }


def _set_priority_and_tags(ticket_id):
    """What the lead's save wrote, before its push (the page's catch-up reads it back)."""
    try:
        ticket = Ticket.objects.get(pk=ticket_id)
        Ticket.objects.filter(pk=ticket_id).update(priority="urgent")
        ticket.tags.set([Tag.objects.create(name="billing"), Tag.objects.create(name="refund")])
    finally:
        connection.close()


def _pending_escalation(ticket, junior, lead):
    note = factories.NoteFactory(
        ticket=ticket,
        kind=NoteKind.ESCALATION_SUMMARY,
        pinned=True,
        body="Tried: resent the invoice. Diagnosis: duplicate charge. Needs: refund authority.",
    )
    return factories.EscalationFactory(
        ticket=ticket, from_agent=junior, to_agent=lead, initiated_by=junior, summary_note=note
    )


@pytest.mark.postgres
def test_live_events_appear_once_without_a_reload_and_keep_what_the_agent_is_editing(
    live_url, ticket, junior, senior, lead
):
    escalation = _pending_escalation(ticket, junior, lead)
    cookies = {a.pk: session_cookie(a, live_url) for a in (senior, lead)}
    connection.close()  # the server and the pushes' thread use their own connections
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Given the senior is writing a reply and has picked a new priority, unsaved,
        _, editing = _open_page(browser, live_url, cookies[senior.pk], ticket)
        editing.locator("#id_reply_body").fill("Hi, I have asked billing to refund")
        editing.locator("#id_priority").select_option("high")
        editing.locator("#id_tags").fill("billing, vip")
        # and the lead has the same page open, untouched
        _, watching = _open_page(browser, live_url, cookies[lead.pk], ticket)
        expect(editing.locator("#presence .viewer")).to_have_text([str(lead)], timeout=3000)

        # When a customer message (twice: catch-up may repeat), a note, a priority change by
        # the lead, a refund and the acknowledgement are pushed
        _push(ticket.pk, _message_created(ticket, 501))
        _push(ticket.pk, _message_created(ticket, 501))
        _push(ticket.pk, _note_created(ticket, 601, lead))
        _in_thread(_set_priority_and_tags, ticket.pk)
        _push(ticket.pk, _ticket_updated(ticket, lead, junior))
        _push(ticket.pk, _refund_created(ticket))
        _push(
            ticket.pk,
            {
                "type": "escalation.acknowledged",
                "ticket": ticket.pk,
                "escalation": escalation.pk,
                "by": _person(lead),
                "at": "2026-12-06T13:05:00+00:00",
            },
        )

        # Then both pages show them, once each, as text
        for page in (editing, watching):
            message = page.locator("#message-501")
            expect(message).to_have_count(1, timeout=2000)
            expect(message.locator(".entry-body")).to_have_text(
                '<img src=x onerror="window.__pwned=1">Still charged twice.Please look again.'
            )
            expect(message.locator(".entry-kind")).to_have_text(ticket.customer.name)
            expect(message.locator(".sentiment-negative")).to_have_attribute("title", "churn risk")
            expect(page.locator("#note-601 .entry-body")).to_have_text(
                "Refund approved up to 120 EUR.", timeout=2000
            )
            expect(page.locator("#ticket-meta .prio")).to_have_text("Urgent", timeout=2000)
            expect(page.locator("#ticket-meta .prio")).to_have_class("prio prio-urgent")
            expect(page.locator("#ticket-tags .tag")).to_have_text(["billing", "refund"])
            expect(page.locator("#ticket-sla .sla")).to_have_class("sla sla-red")
            expect(page.locator("#refund-9001")).to_contain_text(
                "119.00 EUR: Duplicate <b>charge</b>", timeout=2000
            )
            expect(
                page.locator(f'#pinned [data-escalation-id="{escalation.pk}"] .acked')
            ).to_contain_text(f"Acknowledged by {lead}", timeout=2000)
        # the editing agent keeps the reply being written and the choices not yet saved,
        # and is told who changed what beside each form
        assert editing.locator("#id_reply_body").input_value() == (
            "Hi, I have asked billing to refund"
        )
        assert editing.locator("#id_priority").input_value() == "high"
        assert editing.locator("#id_tags").input_value() == "billing, vip"
        expect(editing.locator("#controls-changed")).to_have_text(
            f"Changed by {lead}: priority Normal → Urgent. Your unsaved edits are kept."
        )
        expect(editing.locator("#tags-changed")).to_be_hidden()
        # while the untouched page takes the new values into its forms
        assert watching.locator("#id_priority").input_value() == "urgent"
        assert watching.locator("#id_tags").input_value() == "billing, refund"
        expect(watching.locator("#controls-changed")).to_be_hidden()
        assert [p.locator("#timeline img").count() for p in (editing, watching)] == [0, 0]
        # A snapshot older than the one shown (delivered late) changes nothing
        stale = _ticket_updated(ticket, lead, junior)
        stale["version"] = 5
        stale["ticket_fields"] = {
            **stale["ticket_fields"],
            "priority": "low",
            "priority_display": "Low",
        }
        _push(ticket.pk, stale)
        _push(ticket.pk, _message_created(ticket, 503))
        expect(watching.locator("#message-503")).to_have_count(1, timeout=2000)
        expect(watching.locator("#ticket-meta .prio")).to_have_text("Urgent")
        assert watching.locator("#id_priority").input_value() == "urgent"
        outcome = [
            p.evaluate("() => [window.__loadedOnce === true, window.__pwned === undefined]")
            for p in (editing, watching)
        ]
        editing.screenshot(path=str(ARTIFACTS / "ticket-live-laptop.png"), full_page=True)
        _, phone = _open_page(browser, live_url, cookies[senior.pk], ticket, viewport=PHONE)
        _push(ticket.pk, _message_created(ticket, 502))
        expect(phone.locator("#message-502")).to_have_count(1, timeout=2000)
        expect(phone.locator("#presence .viewer")).to_have_text([str(lead)], timeout=3000)
        phone.screenshot(path=str(ARTIFACTS / "ticket-live-phone.png"), full_page=True)
        browser.close()

    assert outcome == [[True, True], [True, True]]


def test_presence_shows_who_else_is_here_and_who_is_typing_and_clears_when_they_leave(
    live_url, ticket, senior, lead
):
    cookies = {a.pk: session_cookie(a, live_url) for a in (senior, lead)}
    connection.close()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _, mine = _open_page(browser, live_url, cookies[senior.pk], ticket)
        expect(mine.locator("#presence")).to_be_hidden()

        # When the lead opens the ticket, then the senior sees them, and they see the senior
        lead_context, theirs = _open_page(browser, live_url, cookies[lead.pk], ticket)
        expect(mine.locator("#presence .viewer")).to_have_text([str(lead)], timeout=3000)
        expect(theirs.locator("#presence .viewer")).to_have_text([str(senior)], timeout=3000)

        # When the lead types a reply, the senior sees it, and sees it end when the reply is sent
        theirs.locator("#id_reply_body").press_sequentially("On it", delay=20)
        expect(mine.locator("#presence .viewer-typing")).to_have_text([str(lead)], timeout=3000)
        expect(mine.locator("#typing-line")).to_have_text(
            f"{lead} is typing a reply…", timeout=3000
        )
        expect(theirs.locator("#typing-line")).to_be_hidden()
        expect(mine.locator("#presence .viewer-typing")).to_have_count(0, timeout=8000)
        expect(mine.locator("#typing-line")).to_be_hidden()

        # When the lead closes the tab, the senior's page no longer lists them
        lead_context.close()
        expect(mine.locator("#presence")).to_be_hidden(timeout=3000)
        expect(mine.locator("#presence .viewer")).to_have_count(0)
        browser.close()


def _customer_writes(ticket_id, body):
    try:
        return factories.MessageFactory(ticket_id=ticket_id, body=body).pk
    finally:
        connection.close()


def test_a_message_missed_while_the_socket_was_down_appears_on_reconnect(live_url, ticket, senior):
    cookie = session_cookie(senior, live_url)
    connection.close()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context, page = _open_page(browser, live_url, cookie, ticket)
        page.locator("#id_reply_body").fill("Draft that must survive")

        # Given the page's socket dropped and cannot reconnect for a while
        context.set_offline(True)
        page.evaluate("() => KimonDesk.ticket.ws.close()")
        page.wait_for_function(f"() => !({SOCKET_OPEN})()", timeout=2000)

        # When the customer writes meanwhile
        missed = _in_thread(_customer_writes, ticket.pk, "Any news? <script>x()</script>")
        seen_while_down = page.locator(f"#message-{missed}").count()
        context.set_offline(False)

        # Then the page reconnects and shows it, once, as text, with the draft untouched
        expect(page.locator(f"#message-{missed} .entry-body")).to_have_text(
            "Any news? <script>x()</script>", timeout=12000
        )
        page.wait_for_function(SOCKET_OPEN, timeout=5000)
        page.evaluate("() => KimonDesk.catchUp(0)")
        page.wait_for_timeout(500)
        copies = page.locator(f"#message-{missed}").count()
        draft = page.locator("#id_reply_body").input_value()
        loaded_once = page.evaluate("() => window.__loadedOnce === true")
        browser.close()

    assert (seen_while_down, copies, draft, loaded_once) == (
        0,
        1,
        "Draft that must survive",
        True,
    )
