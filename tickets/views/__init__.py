"""Agent pages: thin adapters over ``tickets.selectors``, ``tickets.services`` and the engine."""

from .queues import (
    home,
    queue_escalated,
    queue_mine,
    queue_team,
    saved_view_create_page,
    saved_view_delete_page,
    tickets_bulk_update_page,
)
from .search import ticket_search_page
from .ticket import (
    escalation_acknowledge_page,
    escalation_feedback_page,
    escalation_question_page,
    ticket_controls,
    ticket_detail,
    ticket_escalate,
    ticket_history_lines,
    ticket_live,
    ticket_note,
    ticket_refund,
    ticket_reply,
    ticket_tags,
)

__all__ = [
    "escalation_acknowledge_page",
    "escalation_feedback_page",
    "escalation_question_page",
    "home",
    "queue_escalated",
    "queue_mine",
    "queue_team",
    "saved_view_create_page",
    "saved_view_delete_page",
    "ticket_controls",
    "ticket_detail",
    "ticket_escalate",
    "ticket_history_lines",
    "ticket_live",
    "ticket_note",
    "ticket_refund",
    "ticket_reply",
    "ticket_search_page",
    "ticket_tags",
    "tickets_bulk_update_page",
]
