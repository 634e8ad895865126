"""Where ticket events enter the workflow engine.

``EscalationsConfig.ready`` subscribes ``ticket_event_receive`` to the ticket domain's
``tickets.signals.ticket_event_recorded``. Inside the event's transaction: SLA clocks move. After
commit: trigger evaluation is queued. The engine writes back to tickets only through
``tickets.services`` and never re-enters here for its own escalation (one ``escalated`` event,
which no trigger listens to).
"""

from __future__ import annotations

from typing import Any

from escalations.engine.evaluate import evaluation_queue
from escalations.sla.services import sla_clocks_apply_event
from tickets.models import TicketEvent


def ticket_event_receive(*, event: TicketEvent, **_signal: Any) -> None:
    """Receiver of ``ticket_event_recorded`` for every ``TicketEvent``."""
    sla_clocks_apply_event(event=event)
    evaluation_queue(event=event)
