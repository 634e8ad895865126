"""Domain errors of the escalation engine (the API maps them to HTTP statuses)."""

from __future__ import annotations


class EscalationConflict(Exception):
    """The request conflicts with the ticket's state (HTTP 409): nowhere to escalate, a hop
    back to an agent who already handed the ticket on, an acknowledged escalation, …"""

    def __init__(self, message: str, *, code: str = "conflict") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
