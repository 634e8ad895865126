"""A real Chromium against a live ASGI server: the escalation summary arrives without a reload."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from escalations.models import SLAClock, SLAClockEntry
from escalations.presentation import escalation_summary_event
from tests import factories
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, session_cookie
from tickets import realtime, services
from tickets.models import EventKind, NoteKind, Ticket

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

REFUSED_OR_OPEN = """(url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.close(); resolve("open"); };
  ws.onclose = () => resolve("refused");
})"""


@pytest.fixture
def outsider(transactional_db):
    return factories.AgentFactory(username="outsider", team=factories.TeamFactory(name="Billing"))


@pytest.fixture
def ticket(transactional_db, queue, junior):
    return factories.TicketFactory(subject="Charged twice for March", queue=queue, assignee=junior)


def _ws_url(live_url: str, path: str) -> str:
    return live_url.replace("http://", "ws://") + path


def test_junior_of_another_team_cannot_open_the_page_or_the_socket(
    live_url, ticket, junior, outsider
):
    outsider_cookie = session_cookie(outsider, live_url)
    member_cookie = session_cookie(junior, live_url)
    socket_url = _ws_url(live_url, f"/ws/tickets/{ticket.pk}/")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        outsider_context = browser.new_context()
        outsider_context.add_cookies([outsider_cookie])
        page = outsider_context.new_page()
        response = page.goto(f"{live_url}/tickets/{ticket.pk}/")
        page_status = response.status if response else None
        page.goto(f"{live_url}/queues/mine/")
        outsider_socket = page.evaluate(REFUSED_OR_OPEN, socket_url)

        member_context = browser.new_context()
        member_context.add_cookies([member_cookie])
        member_page = member_context.new_page()
        member_page.goto(f"{live_url}/queues/mine/")
        member_socket = member_page.evaluate(REFUSED_OR_OPEN, socket_url)
        browser.close()

    assert page_status == 404
    assert outsider_socket == "refused"
    assert member_socket == "open"


def _dress_up(ticket, junior, senior):
    """Messages, notes, an escalation with its summary and an amber SLA clock, for the screenshot."""
    factories.MessageFactory(
        ticket=ticket,
        body="Hello, I was charged twice for March. Please refund one of the payments.",
    )
    factories.MessageFactory(
        ticket=ticket,
        author_type="agent",
        author_agent=junior,
        body="Sorry about that! I'm checking with billing now.",
    )
    factories.NoteFactory(
        ticket=ticket, author=junior, body="Billing says both charges settled; refund needed."
    )
    factories.MessageFactory(
        ticket=ticket,
        body="It has been three days. I will switch to a competitor if this is not fixed today.",
        sentiment="negative",
    )
    note = factories.NoteFactory(
        ticket=ticket,
        author=junior,
        kind=NoteKind.ESCALATION_SUMMARY,
        pinned=True,
        body="Tried: resent the invoice, asked billing.\nDiagnosis: duplicate charge.\n"
        "Needs: refund authority over 100 EUR.",
    )
    factories.EscalationFactory(
        ticket=ticket,
        from_agent=junior,
        to_agent=senior,
        initiated_by=junior,
        summary_note=note,
        handoff_tried="Resent the invoice, asked billing.",
        handoff_diagnosis="Duplicate charge.",
        handoff_authority_needed="Refund authority over 100 EUR.",
    )
    factories.RefundRequestFactory(ticket=ticket, amount="119.00", currency="EUR", reason="Dup.")
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
    SLAClockEntry.objects.create(
        clock=clock, kind="started", at=clock.started_at, text="Started: 60 min first response."
    )
    SLAClockEntry.objects.create(
        clock=clock, kind="amber", at=now, text="Amber at 75% of the target (45 min)."
    )


def test_ticket_page_screenshots_at_desktop_and_phone_widths(live_url, ticket, junior, senior):
    _dress_up(ticket, junior, senior)
    cookie = session_cookie(senior, live_url)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        shots = {}
        for name, viewport in (("ticket-page", DESKTOP), ("ticket-page-phone", PHONE)):
            context = browser.new_context(viewport=viewport)
            context.add_cookies([cookie])
            page = context.new_page()
            page.goto(f"{live_url}/tickets/{ticket.pk}/")
            expect(page.locator("#pinned .pinned-summary")).to_have_count(1)
            expect(page.locator("#ticket-sla .sla-left")).to_contain_text("left")
            path = ARTIFACTS / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-first-screen.png"))
            shots[name] = path.stat().st_size
            page.goto(f"{live_url}/queues/escalated/")
            page.screenshot(path=str(ARTIFACTS / f"queue-{name}.png"), full_page=True)
            context.close()
        shortcuts = _try_shortcuts(browser, cookie, live_url, ticket.pk)
        browser.close()

    assert sorted(shots) == ["ticket-page", "ticket-page-phone"]
    assert shortcuts == {
        "r": "id_reply_body",
        "n": "id_note_body",
        "typed into the note": "an",
        "e": f"/tickets/{ticket.pk}/ id_tried",
    }


def _try_shortcuts(browser, cookie, live_url, ticket_id):
    context, page = _signed_in_page(browser, cookie)
    page.goto(f"{live_url}/tickets/{ticket_id}/")
    seen = {}
    page.keyboard.press("r")
    seen["r"] = page.evaluate("() => document.activeElement.id")
    page.locator("h1").click()
    page.keyboard.press("n")
    seen["n"] = page.evaluate("() => document.activeElement.id")
    page.keyboard.type("an")  # typing in a field never triggers a shortcut (a = acknowledge)
    seen["typed into the note"] = page.locator("#id_note_body").input_value()
    page.locator("h1").click()
    page.keyboard.press("e")  # the escalate drawer opens beside the conversation
    expect(page.locator("#id_tried")).to_be_focused()
    seen["e"] = page.evaluate("() => location.pathname + ' ' + document.activeElement.id")
    context.close()
    return seen


SOCKET_OPEN = "() => !!(window.KimonDesk && KimonDesk.ticket && KimonDesk.ticket.ws && KimonDesk.ticket.ws.readyState === 1)"
NOTIFICATIONS_OPEN = (
    "() => !!(KimonDesk.notifications.ws && KimonDesk.notifications.ws.readyState === 1)"
)


def _signed_in_page(browser, cookie, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport)
    context.add_cookies([cookie])
    return context, context.new_page()


def _escalate_through_the_form(page, live_url, ticket_id):
    """Agent A fills in the handoff and submits the escalate form (default target: the lead)."""
    page.goto(f"{live_url}/tickets/{ticket_id}/escalate/")
    page.get_by_label("What did you try?").fill("Resent the invoice; asked billing to check.")
    page.get_by_label("What do you think is going on?").fill("A duplicate charge in March.")
    page.get_by_label("What authority or expertise is needed?").fill("Refund over my limit.")
    page.get_by_role("button", name="Escalate").click()


def test_escalation_summary_appears_at_the_top_of_the_receivers_page_without_reload(
    live_url, ticket, junior, lead
):
    # Given agent B (the team lead) has the ticket page open, and agent A holds the ticket
    a_cookie, b_cookie = session_cookie(junior, live_url), session_cookie(lead, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _, b_page = _signed_in_page(browser, b_cookie)
        b_page.goto(f"{live_url}/tickets/{ticket.pk}/")
        b_page.wait_for_function(SOCKET_OPEN, timeout=5000)
        b_page.evaluate("() => { window.__loadedOnce = true; }")
        expect(b_page.locator("#pinned .pinned-summary")).to_have_count(0)
        _, a_page = _signed_in_page(browser, a_cookie)

        # When A escalates it through the form
        _escalate_through_the_form(a_page, live_url, ticket.pk)

        # Then B's page shows the summary at the top within 2 s, without a reload
        summary = b_page.locator("#pinned .pinned-summary").first
        expect(summary).to_be_visible(timeout=5000)
        expect(summary).to_contain_text("duplicate charge", ignore_case=True)
        expect(b_page.locator("#notifications .toast")).to_contain_text(
            f"#{ticket.pk}", timeout=2000
        )
        expect(b_page.locator("#pinned .ack-button")).to_be_visible(timeout=5000)
        expect(b_page.locator("#ticket-meta .assignee")).to_have_text(str(lead), timeout=5000)
        expect(b_page.locator("#id_assignee")).to_have_value(str(lead.pk), timeout=5000)
        reloaded = not b_page.evaluate("() => window.__loadedOnce === true")
        b_page.screenshot(path=str(ARTIFACTS / "ticket-page-live.png"), full_page=True)
        browser.close()

    assert reloaded is False


def test_page_catches_up_on_a_summary_missed_while_its_socket_was_down(
    live_url, ticket, junior, lead
):
    a_cookie, b_cookie = session_cookie(junior, live_url), session_cookie(lead, live_url)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        b_context, b_page = _signed_in_page(browser, b_cookie)
        b_page.goto(f"{live_url}/tickets/{ticket.pk}/")
        b_page.wait_for_function(SOCKET_OPEN, timeout=5000)
        _, a_page = _signed_in_page(browser, a_cookie)

        # Given B's socket dropped and B's browser cannot reconnect for a while
        b_context.set_offline(True)
        b_page.evaluate("() => KimonDesk.ticket.ws.close()")
        b_page.wait_for_function(f"() => !({SOCKET_OPEN})()", timeout=5000)

        # When A escalates during the outage
        _escalate_through_the_form(a_page, live_url, ticket.pk)
        a_page.wait_for_url(f"{live_url}/tickets/{ticket.pk}/")
        missed_while_down = b_page.locator("#pinned .pinned-summary").count()
        still_down = not b_page.evaluate(SOCKET_OPEN)
        b_context.set_offline(False)

        # Then the page reconnects and shows the summary it missed
        expect(b_page.locator("#pinned .pinned-summary")).to_have_count(1, timeout=12000)
        expect(b_page.locator("#pinned .pinned-summary")).to_contain_text(
            "duplicate charge", ignore_case=True
        )
        b_page.wait_for_function(SOCKET_OPEN, timeout=5000)
        browser.close()

    assert (missed_while_down, still_down) == (0, True)


def _in_thread(fn, *args):
    """Run outside Playwright's event loop (the channel layer's ``async_to_sync`` needs that)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result()


def _escalate_behind_the_pages_back(ticket, junior, lead):
    """Write an escalation and its summary note, as the engine would, from another thread."""
    try:
        note = factories.NoteFactory(
            ticket=ticket,
            kind=NoteKind.ESCALATION_SUMMARY,
            pinned=True,
            body="Tried: resent the invoice. Diagnosis: duplicate charge. Needs: refund authority.",
        )
        escalation = factories.EscalationFactory(
            ticket=ticket, from_agent=junior, to_agent=lead, summary_note=note
        )
        return escalation.pk, escalation_summary_event(escalation=escalation)
    finally:
        connection.close()


@pytest.mark.postgres
def test_pushed_events_reach_the_open_page_over_the_shared_channel_layer(
    live_url, ticket, junior, lead
):
    """The live path on its own: events pushed through ``tickets.realtime`` by another process
    reach the open page, which inserts the summary once, shows the toast and offers Acknowledge.
    Needs a channel layer shared between processes (Redis): the PostgreSQL + Redis pass has it."""
    _start_the_clock(ticket)
    cookie = session_cookie(lead, live_url)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=DESKTOP)
        context.add_cookies([cookie])
        page = context.new_page()
        page.goto(f"{live_url}/tickets/{ticket.pk}/")
        page.wait_for_function(SOCKET_OPEN, timeout=5000)
        page.wait_for_function(NOTIFICATIONS_OPEN, timeout=5000)
        page.evaluate("() => { window.__loadedOnce = true; }")

        escalation_id, summary = _in_thread(_escalate_behind_the_pages_back, ticket, junior, lead)
        assigned = {
            "type": "escalation.assigned",
            "ticket": ticket.pk,
            "escalation": escalation_id,
            "message": f"#{ticket.pk} escalated to you by {junior}",
        }
        _in_thread(realtime.push_to_ticket, ticket.pk, summary)
        _in_thread(realtime.push_to_ticket, ticket.pk, summary)
        _in_thread(realtime.push_many, [(realtime.agent_group(lead.pk), assigned)])

        pinned = page.locator(f'#pinned [data-escalation-id="{escalation_id}"]')
        expect(pinned).to_have_count(1, timeout=5000)
        expect(pinned).to_contain_text("duplicate charge", ignore_case=True)
        expect(page.locator("#notifications .toast")).to_contain_text(
            f"#{ticket.pk} escalated to you", timeout=2000
        )
        expect(page.locator("#pinned .ack-button")).to_be_visible(timeout=5000)

        # An SLA crossing, recorded as the sweep records it, recolours the badges
        _in_thread(_breach_the_clock, ticket.pk)
        expect(page.locator("#ticket-sla .sla")).to_have_class("sla sla-red", timeout=5000)
        expect(page.locator("#sla-clock .sla")).to_have_class("sla sla-red", timeout=5000)
        still_same_page = page.evaluate("() => window.__loadedOnce === true")
        browser.close()

    assert still_same_page is True


def _start_the_clock(ticket):
    now = timezone.now()
    SLAClock.objects.create(
        ticket=ticket,
        metric="first_response",
        policy=factories.SLAPolicyFactory(),
        target_minutes=60,
        state="amber",
        started_at=now - timezone.timedelta(minutes=50),
        checkpoint_at=now,
        due_at=now + timezone.timedelta(minutes=10),
    )


def _breach_the_clock(ticket_id):
    try:
        SLAClock.objects.filter(ticket_id=ticket_id).update(
            state="red", due_at=timezone.now() - timezone.timedelta(minutes=1)
        )
        services.ticket_event_record(
            ticket=Ticket.objects.get(pk=ticket_id),
            kind=EventKind.SLA_STATE_CHANGED,
            data={"metric": "first_response", "from": "amber", "to": "red"},
        )
    finally:
        connection.close()
