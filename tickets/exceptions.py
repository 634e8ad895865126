"""Domain errors of the ticket services (the API and pages map them to a 409 / a notice)."""

from __future__ import annotations


class TicketVersionConflict(Exception):
    """A write based on a version of the ticket that is no longer current: someone else changed
    it since the writer read it. Nothing was written."""

    def __init__(self, *, ticket_id: int, expected: int, current: int) -> None:
        super().__init__(
            f"Ticket {ticket_id} changed since you read it (you had version {expected}, "
            f"it is now {current})."
        )
        self.ticket_id = ticket_id
        self.expected = expected
        self.current = current
