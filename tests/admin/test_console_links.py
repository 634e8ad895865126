"""A walk through the console as a team lead: every page it reaches from the index, and every
link on those pages, opens for the lead. Django links a read-only relation to that model's admin
page whoever reads it; for the admin-only ticket and agent pages that was a 403 behind a name."""

from __future__ import annotations

import re
from collections import deque

import pytest

from escalations.audit import audit_record, audit_snapshot
from escalations.models import SlackDelivery
from escalations.services import escalation_acknowledge, escalation_create_manual
from tests import factories
from tests.console_links import links_refused, page_links
from tests.tickets.mail.conftest import make_mail
from tickets.mail.inbound import mail_receive
from tickets.mail.models import Mailbox

pytestmark = pytest.mark.django_db

# Pages of one shape (a model's change pages, say) visited at most this many times.
PAGES_PER_SHAPE = 2
HANDOFF = {"tried": "Resent it", "diagnosis": "Stale VAT id", "authority_needed": "Credit note"}


@pytest.fixture
def console_rows(team_a, lead_a, junior_a, queue_a, rule_a, slack_target_a, policy_a):
    """One row of each kind a lead reads in the console, all of team A."""
    ticket = factories.TicketFactory(queue=queue_a, assignee=junior_a)
    escalation = escalation_create_manual(ticket=ticket, actor=junior_a, **HANDOFF)
    escalation_acknowledge(escalation=escalation, actor=lead_a)
    SlackDelivery.objects.create(
        target=slack_target_a, escalation=escalation, payload={"text": "hi"}
    )
    audit_record(kind="rule.updated", actor=lead_a, obj=rule_a, after=audit_snapshot(rule_a))
    mailbox = Mailbox.objects.create(queue=queue_a, address="billing@help.example.com")
    mail_receive(raw=make_mail(to="billing@help.example.com"), source="test", mailbox=mailbox)


def test_every_page_and_link_a_lead_reaches_opens(client, lead_a, console_rows):
    client.force_login(lead_a)
    to_visit = deque(["/admin/"])
    visited: set[str] = set()
    per_shape: dict[str, int] = {}
    refused: dict[str, dict[str, int]] = {}
    statuses: dict[str, int] = {}
    while to_visit:
        url = to_visit.popleft()
        shape = re.sub(r"\d+", "N", url)
        if url in visited or per_shape.get(shape, 0) >= PAGES_PER_SHAPE:
            continue
        visited.add(url)
        per_shape[shape] = per_shape.get(shape, 0) + 1
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if bad := links_refused(client, html, statuses):
            refused[url] = bad
        to_visit.extend(
            link
            for link in page_links(html)
            if link.startswith("/admin/") and not link.endswith(("/delete/", "/add/"))
        )

    # The walk reached the pages that name tickets and people.
    for page in ("escalation", "auditevent", "inboundmail", "slackdelivery"):
        assert any(re.search(rf"/{page}/\d+/change/", url) for url in visited), page
    assert refused == {}
