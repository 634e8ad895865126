"""Two teams and every role, one team-A ticket with an escalation, for the security tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.base import ContentFile

from tests import factories
from tickets.mail.models import InboundMail, InboundStatus, MailAttachment
from tickets.models import Agent, SavedView, Ticket

ROLES = ("admin", "lead_a", "senior_a", "junior_a", "junior_b")
# Apps whose rows a form may write (sessions: sign-in and sign-out).
OWN_APPS = ("tickets", "escalations", "reports", "sessions", "notifications", "mail")


@dataclass
class World:
    agents: dict[str, Agent]
    ticket_a: Ticket
    escalation_id: int
    notification_id: int
    view_id: int
    macro_id: int
    personal_macro_id: int
    attachment_id: int

    def ids(self) -> dict[str, Any]:
        """Values for the URL parameters of the site's pages."""
        return {
            "ticket_id": self.ticket_a.pk,
            "escalation_id": self.escalation_id,
            "notification_id": self.notification_id,
            "view_id": self.view_id,
            "macro_id": self.macro_id,
            "personal_macro_id": self.personal_macro_id,
            "attachment_id": self.attachment_id,
            "agent_id": self.agents["junior_a"].pk,
            "table": "rates",
        }


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in counters live in the cache: no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    team_a = factories.TeamFactory(name="Alpha")
    team_b = factories.TeamFactory(name="Bravo")
    agents = {
        "admin": factories.AdminFactory(username="admin"),
        "lead_a": factories.LeadFactory(username="lead_a", team=team_a),
        "senior_a": factories.SeniorFactory(username="senior_a", team=team_a),
        "junior_a": factories.AgentFactory(username="junior_a", team=team_a),
        "junior_b": factories.AgentFactory(username="junior_b", team=team_b),
    }
    queue_a = factories.QueueFactory(name="Alpha general", team=team_a)
    factories.QueueFactory(name="Bravo general", team=team_b)
    ticket_a = factories.TicketFactory(
        subject="Alpha invoice", queue=queue_a, assignee=agents["junior_a"]
    )
    message = factories.MessageFactory(ticket=ticket_a, body="I was charged twice.")
    # The customer's mail came with the invoice: a file only agents who see the ticket may fetch
    inbound = InboundMail.objects.create(
        source="imap",
        status=InboundStatus.ACCEPTED,
        message_id_header="<alpha-invoice@customer.example>",
        ticket=ticket_a,
        message=message,
    )
    attachment = MailAttachment.objects.create(
        inbound_mail=inbound,
        message=message,
        file=ContentFile(b"Invoice 1042: 49.00 EUR, charged twice", name="invoice.txt"),
        filename="invoice.txt",
        content_type="text/plain",
        size=38,
    )
    escalation = factories.EscalationFactory(
        ticket=ticket_a, from_agent=agents["junior_a"], to_agent=agents["senior_a"]
    )
    notification = factories.NotificationFactory(agent=agents["junior_a"], ticket=ticket_a)
    view = SavedView.objects.create(owner=agents["junior_a"], page="team", name="Alpha view")
    macro = factories.MacroFactory(team=team_a, name="Alpha refund", set_status="pending")
    personal = factories.MacroFactory(team=None, owner=agents["junior_a"], name="My sign-off")
    return World(
        agents=agents,
        ticket_a=ticket_a,
        escalation_id=escalation.pk,
        notification_id=notification.pk,
        view_id=view.pk,
        macro_id=macro.pk,
        personal_macro_id=personal.pk,
        attachment_id=attachment.pk,
    )


def row_counts() -> dict[str, int]:
    """Rows of every model of the site's own apps: a write anywhere changes one of them."""
    return {
        model._meta.label: model._default_manager.count()
        for app in OWN_APPS
        for model in apps.get_app_config(app).get_models()
    }
