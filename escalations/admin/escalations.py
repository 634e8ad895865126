"""Escalations in the console: read-only (the engine writes them).

A lead reads one as the receiver did: the summary pinned on the ticket, the handoff, the
acknowledgement and the receiver's feedback; the stored data the engine decided on is folded
under "Stored data". People and the ticket are named, not linked to the admin-only agent and
ticket pages (a lead's link there was a 403): the ticket links to its workspace page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from escalations.admin.audit import json_shown
from escalations.engine.summary import EscalationSummary, sla_words
from escalations.feedback.models import EscalationFeedback
from escalations.models import Escalation
from escalations.selectors import escalation_audit_trail
from kimondesk.admin_mixins import ReadOnlyAdminMixin, TeamScopedAdminMixin, ticket_page_link

_EMPTY = "-"
# The audit kinds of an escalation, in words.
AUDIT_KIND_WORDS = {
    "escalation_created": "escalated",
    "ticket_reassigned": "ticket reassigned",
    "escalation_acknowledged": "acknowledged",
    "escalation_feedback_given": "feedback given",
    "escalation_feedback_changed": "feedback changed",
}


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, TeamScopedAdminMixin, admin.ModelAdmin):
    """What escalated, why and to whom; written by the engine only."""

    team_lookup = "ticket__queue__team"
    list_display = (
        "id",
        "ticket_link",
        "trigger",
        "rule_name",
        "from_agent",
        "to_agent",
        "to_queue",
        "created_at",
        "acknowledged_at",
    )
    list_filter = ("trigger", "rule")
    list_select_related = ("ticket", "from_agent", "to_agent", "to_queue__team")
    search_fields = ("rule_name", "ticket__subject")
    date_hierarchy = "created_at"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "ticket_link",
                    "trigger",
                    "fired_by",
                    "route",
                    "rule",
                    "target",
                    "created_at",
                )
            },
        ),
        ("What the receiver read", {"fields": ("summary_shown",)}),
        ("Acknowledgement and feedback", {"fields": ("acknowledgement", "receiver_feedback")}),
        ("Audit trail", {"fields": ("audit_trail",)}),
        (
            "Stored data",
            {
                "classes": ("collapse",),
                "description": "What the engine decided on, as stored.",
                "fields": (
                    "occurrence",
                    "parent",
                    "chain_position",
                    "evidence_data",
                    "sla_data",
                    "route_notes",
                ),
            },
        ),
    )
    readonly_fields = (
        "ticket_link",
        "fired_by",
        "route",
        "summary_shown",
        "acknowledgement",
        "receiver_feedback",
        "audit_trail",
        "evidence_data",
        "sla_data",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Escalation]:
        return (
            super()
            .get_queryset(request)
            .select_related(
                "ticket",
                "rule",
                "target",
                "initiated_by",
                "from_agent",
                "to_agent",
                "from_queue__team",
                "to_queue__team",
                "acknowledged_by",
                "acknowledged_on_behalf_of",
                "summary_note",
            )
        )

    @admin.display(description="Ticket", ordering="ticket_id")
    def ticket_link(self, escalation: Escalation) -> str:
        return ticket_page_link(escalation.ticket_id, escalation.ticket.subject)

    @admin.display(description="Escalated by")
    def fired_by(self, escalation: Escalation) -> str:
        if escalation.rule_name:
            return f"Rule “{escalation.rule_name}”"
        if escalation.initiated_by is not None:
            return f"{escalation.initiated_by} (by hand)"
        return _EMPTY

    @admin.display(description="Route")
    def route(self, escalation: Escalation) -> str:
        """From whom to whom, in the summary's words (a channel, a queue left unassigned);
        rows written before the summary was stored name the agents."""
        if escalation.summary:
            summary = EscalationSummary.from_dict(escalation.summary)
            return f"{summary.route_from} → {summary.route_to}"
        source = escalation.from_agent or "unassigned"
        return f"{source} → {escalation.to_agent or escalation.to_queue or 'nobody'}"

    @admin.display(description="Pinned summary")
    def summary_shown(self, escalation: Escalation) -> SafeString | str:
        """The summary as it is pinned on the ticket (the same template), or the summary note
        of rows written before the summary was stored as data."""
        summary = EscalationSummary.from_dict(escalation.summary) if escalation.summary else None
        if summary is None and escalation.summary_note is None:
            return _EMPTY
        html = render_to_string(
            "escalations/_summary.html",
            {"escalation": escalation, "note": escalation.summary_note, "summary": summary},
        )
        sla = summary.sla if summary is not None else ""
        return format_html(
            '<div class="console-summary">{}{}</div>',
            SafeString(html),
            format_html('<p class="console-summary-sla">{}</p>', sla) if sla else "",
        )

    @admin.display(description="Acknowledged")
    def acknowledgement(self, escalation: Escalation) -> str:
        if escalation.acknowledged_at is None:
            waiting_for = escalation.to_agent or escalation.to_queue or "the receiver"
            return f"Not yet: waiting for {waiting_for}."
        by = f" by {escalation.acknowledged_by}" if escalation.acknowledged_by else ""
        behalf = (
            f" on behalf of {escalation.acknowledged_on_behalf_of}"
            if escalation.acknowledged_on_behalf_of
            else ""
        )
        return f"{_console_time(escalation.acknowledged_at)}{by}{behalf}"

    @admin.display(description="Receiver's feedback")
    def receiver_feedback(self, escalation: Escalation) -> str:
        try:
            feedback = escalation.feedback
        except EscalationFeedback.DoesNotExist:
            return "None given."
        verdict = "Needed" if feedback.needed else "Not needed"
        reason = f": {feedback.get_reason_display()}" if feedback.reason else ""
        comment = f" “{feedback.comment}”" if feedback.comment else ""
        return f"{verdict}{reason}{comment} ({feedback.author})"

    @admin.display(description="Audit log")
    def audit_trail(self, escalation: Escalation) -> SafeString | str:
        """Its rows of the audit log, oldest first, each linked to the row itself."""
        rows = [
            format_html(
                '<li><a href="{}">{}</a>: {} by {}</li>',
                reverse("admin:escalations_auditevent_change", args=[event.pk]),
                _console_time(event.created_at),
                AUDIT_KIND_WORDS.get(event.kind, event.kind.replace("_", " ")),
                event.actor_label,
            )
            for event in escalation_audit_trail(escalation=escalation)
        ]
        if not rows:
            return _EMPTY
        return format_html('<ol class="console-audit-trail">{}</ol>', SafeString("".join(rows)))

    @admin.display(description="Evidence")
    def evidence_data(self, escalation: Escalation) -> str:
        return json_shown(escalation.evidence)

    @admin.display(description="SLA at the escalation")
    def sla_data(self, escalation: Escalation) -> str:
        if not escalation.sla_snapshot:
            return _EMPTY
        return f"{sla_words(escalation.sla_snapshot)} {json_shown(escalation.sla_snapshot)}"

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ["trigger"] if not request.user.is_superuser else super().get_list_filter(request)


def _console_time(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
