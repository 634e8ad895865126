"""Reads of the mail channel for pages."""

from __future__ import annotations

from tickets.models import Agent
from tickets.selectors import tickets_visible_to

from .models import MailAttachment


def mail_attachment_for_agent(*, agent: Agent, attachment_id: int) -> MailAttachment:
    """An attachment of a ticket the agent may see; ``MailAttachment.DoesNotExist`` otherwise."""
    return MailAttachment.objects.get(
        pk=attachment_id, message__ticket__in=tickets_visible_to(agent=agent)
    )
