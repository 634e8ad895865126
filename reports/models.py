"""The coaching report's rollup: per team, month and agent, the aggregated rows of the month.

Kept current by ``reports.services``: every ticket event and escalation adds to it in the
transaction that records it (``agent_month_event_count``, ``agent_month_escalation_count``:
``INSERT … ON CONFLICT`` upserts). ``agent_month_cells_refresh`` recomputes a month from the
event log as a repair (the 15-minute django-q2 schedule, and the first view of a month never computed).
Every source row (ticket events, escalations) is appended with ``created_at`` = now, so a month
that has ended and was refreshed after its end does not change any more.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce


class CellKind(models.TextChoices):
    HANDLED = "handled", "Tickets handled"
    ESCALATIONS = "escalations", "Escalations"


class AgentMonthCell(models.Model):
    """How many tickets an agent handled, or escalations they made, in one month and ticket-mix
    cell (priority, customer tier, queue); escalation rows also carry the trigger and whether it
    was started by hand."""

    team = models.ForeignKey("tickets.Team", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month, in the team's timezone.")
    agent = models.ForeignKey("tickets.Agent", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=CellKind.choices)
    priority = models.CharField(max_length=10)
    tier = models.CharField(max_length=12)
    queue_id = models.BigIntegerField(null=True, blank=True)
    trigger = models.CharField(max_length=30, blank=True, default="")
    by_hand = models.BooleanField(default=False)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["team", "month"], name="report_cell_team_month_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=CellKind.values), name="report_cell_kind_valid"
            ),
            # One row per cell, so concurrent increments add to the same row.
            models.UniqueConstraint(
                F("team"),
                F("month"),
                F("agent"),
                F("kind"),
                F("priority"),
                F("tier"),
                Coalesce(F("queue_id"), Value(0)),
                F("trigger"),
                F("by_hand"),
                name="report_cell_unique_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.count} for agent {self.agent_id} in {self.month:%Y-%m}"


class AgentMonthTicket(models.Model):
    """A ticket counted as handled by an agent in a month, with the mix cell it was counted in:
    the rows that make "tickets handled" a count of distinct tickets when it is kept current
    one event at a time."""

    team = models.ForeignKey("tickets.Team", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    agent_id = models.BigIntegerField()
    ticket_id = models.BigIntegerField()
    priority = models.CharField(max_length=10)
    tier = models.CharField(max_length=12)
    queue_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month", "agent_id", "ticket_id"], name="report_ticket_unique"
            )
        ]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} by agent {self.agent_id} in {self.month:%Y-%m}"


class AgentMonthRefresh(models.Model):
    """When a team's month was last computed into ``AgentMonthCell``."""

    team = models.ForeignKey("tickets.Team", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="report_refresh_unique_month")
        ]

    def __str__(self) -> str:
        return f"team {self.team_id} {self.month:%Y-%m} at {self.refreshed_at:%Y-%m-%d %H:%M}"
