"""Where ticket events enter the workflow engine (called by ``tickets.services``).

Inside the event's transaction: SLA clocks move. After commit: trigger evaluation is queued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tickets.models import TicketEvent


def ticket_event_recorded(*, event: TicketEvent) -> None:
    """Hook for every ``TicketEvent``. Engine and SLA parts register their steps here."""
    from escalations.engine.evaluate import evaluation_queue
    from escalations.sla.services import sla_clocks_apply_event

    sla_clocks_apply_event(event=event)
    evaluation_queue(event=event)
