"""The ticket domain's one published event: a ``TicketEvent`` was recorded.

``tickets.services.ticket_event_record`` sends ``ticket_event_recorded`` inside the write's
transaction; subscribers (the workflow engine, connected in ``EscalationsConfig.ready``) receive
``event=`` and run in that transaction. Tickets never import the workflow: the flow goes one way.
"""

from __future__ import annotations

from django.dispatch import Signal

ticket_event_recorded = Signal()
