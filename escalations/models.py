"""The workflow engine's data: rules, targets, SLA policies and clocks, escalations, audit.

Routing rules, escalation rules and SLA policies share one condition language (see
``escalations.engine.conditions``) and one registry of trigger kinds and targets.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from escalations.engine.targets import target_choices
from escalations.engine.triggers import escalation_trigger_choices
from escalations.outbound import outbound_url_validator
from kimondesk.bounds import HANDOFF_PART_MAX_CHARS, MINUTES_MAX
from tickets.currencies import CURRENCY_CHOICES, ISO_4217_CODES
from tickets.models import AppendOnlyModel, Priority, Tier, validate_currency


# --- Business-hours calendars --------------------------------------------------------------
class Calendar(models.Model):
    """Opening hours in a timezone, with public and custom holidays. No calendar means 24/7."""

    name = models.CharField(max_length=100, unique=True)
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="calendars"
    )
    timezone = models.CharField(max_length=64, default="UTC", help_text="IANA zone name.")
    holiday_country = models.CharField(
        max_length=2, blank=True, default="", help_text="ISO 3166 code; its public holidays close."
    )
    holiday_subdivision = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start = models.TimeField()
    end = models.TimeField(help_text="Exclusive; 00:00 means midnight at the end of the day.")

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


# --- Targets ---------------------------------------------------------------------------------
# Derived from the target registry (one class per kind, with its declared params).
TargetKind: Any = models.TextChoices(  # type: ignore[call-overload]
    "TargetKind", [(key.upper(), (key, label)) for key, label in target_choices()]
)


class Target(models.Model):
    """Where an escalation goes. Resolution happens when a rule fires, not when it is saved."""

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=12, choices=TargetKind.choices)
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_targets",
        help_text="The owning team (leads edit their own team's targets).",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    queue = models.ForeignKey(
        "tickets.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    slack_webhook_url = models.CharField(
        max_length=500, blank=True, default="", help_text="A secret: never shown back."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values), name="target_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="agent") | Q(agent__isnull=False), name="target_agent_needs_agent"
            ),
            models.CheckConstraint(
                condition=~Q(kind="queue") | Q(queue__isnull=False), name="target_queue_needs_queue"
            ),
            models.CheckConstraint(
                condition=~Q(kind="slack") | ~Q(slack_webhook_url=""),
                name="target_slack_needs_url",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Rules -----------------------------------------------------------------------------------
class RuleKind(models.TextChoices):
    ROUTING = "routing", "Routing rule"
    ESCALATION = "escalation", "Escalation rule"


class Rule(models.Model):
    """A workflow rule: when ``trigger_kind`` fires and every condition holds, act on target.

    ``trigger_kind`` is a registry key (``escalations.engine.registry``), never a class path.
    """

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=RuleKind.choices, default=RuleKind.ESCALATION)
    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text="The owning team; a team lead edits their own team's rules.",
    )
    enabled = models.BooleanField(default=True)
    order = models.IntegerField(default=100)
    trigger_kind = models.CharField(max_length=40)
    trigger_params = models.JSONField(default=dict, blank=True)
    conditions = models.JSONField(
        default=list, blank=True, help_text='A list of {"field", "op", "value"}; empty = all.'
    )
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.PROTECT, related_name="rules"
    )
    # Routing rules set these on ticket creation.
    route_queue = models.ForeignKey(
        "tickets.Queue", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    route_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cooldown_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MaxValueValidator(MINUTES_MAX)],
        help_text=(
            "The rule does not fire again on the same ticket within this time "
            f"(at most {MINUTES_MAX} minutes)."
        ),
    )
    ack_limit_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)],
        help_text=(
            "Unacknowledged after this long, the escalation goes one level up "
            f"(1 to {MINUTES_MAX} minutes)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        indexes = [
            models.Index(fields=["kind", "enabled", "trigger_kind"], name="rule_lookup_idx"),
        ]

    def __str__(self) -> str:
        return self.name


# --- SLA policies and clocks -----------------------------------------------------------------
class SLAMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class SLAPolicy(models.Model):
    name = models.CharField(max_length=150)
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policies"
    )
    enabled = models.BooleanField(default=True)
    order = models.IntegerField(default=100)
    conditions = models.JSONField(default=list, blank=True)
    calendar = models.ForeignKey(
        Calendar, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    amber_percent = models.PositiveSmallIntegerField(default=75)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(amber_percent__gte=1) & Q(amber_percent__lte=99),
                name="sla_policy_amber_percent_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SLATarget(models.Model):
    policy = models.ForeignKey(SLAPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=20, choices=SLAMetric.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices, null=True, blank=True)
    tier = models.CharField(max_length=12, choices=Tier.choices, null=True, blank=True)
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_MAX)]
    )

    class Meta:
        ordering = ["metric", "id"]
        verbose_name = "SLA target"
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="sla_target_minutes_positive"),
            models.CheckConstraint(
                condition=Q(metric__in=SLAMetric.values), name="sla_target_metric_valid"
            ),
        ]

    def __str__(self) -> str:
        """E.g. "First response, high priority, any tier: 60 min"."""
        priority = (
            f"{self.get_priority_display().lower()} priority" if self.priority else "any priority"
        )
        tier = f"{self.get_tier_display().lower()} tier" if self.tier else "any tier"
        return f"{self.get_metric_display()}, {priority}, {tier}: {self.minutes} min"


class SLASetupVersion(models.Model):
    """One row whose token every write to SLA policies, targets, calendars, opening hours or
    holidays replaces (in that write's transaction).

    Each process keeps the compiled SLA setup (``escalations.sla.selectors.sla_setup_load``)
    under the token it was read with, and reads the token with the ticket on every event: a
    policy edited in one process is seen by every other on its next write. The token is random,
    not a counter, so a rolled-back edit can never reuse the token of a setup that never was.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "SLA setup version"

    def __str__(self) -> str:
        return self.token


class ClockState(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Breached"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"


class SLAClock(models.Model):
    """One running SLA clock of a ticket, with its crossings precomputed as timestamps.

    ``amber_at``/``breach_at`` are wall-clock instants (UTC) at which the clock will cross, given
    the business calendar; they are recomputed on every event that moves the clock, so finding
    crossings is an indexed range query.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    metric = models.CharField(max_length=20, choices=SLAMetric.choices)
    policy = models.ForeignKey(
        SLAPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks"
    )
    target_minutes = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.GREEN)
    started_at = models.DateTimeField()
    # Business seconds consumed up to ``checkpoint_at``; the clock runs on from there unless paused.
    elapsed_seconds = models.FloatField(default=0)
    checkpoint_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    amber_at = models.DateTimeField(null=True, blank=True)
    breach_at = models.DateTimeField(null=True, blank=True)
    amber_crossed_at = models.DateTimeField(null=True, blank=True)
    breach_crossed_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    met_late = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SLA clock"
        constraints = [
            models.UniqueConstraint(fields=["ticket", "metric"], name="sla_clock_unique_metric"),
            models.CheckConstraint(
                condition=Q(state__in=ClockState.values), name="sla_clock_state_valid"
            ),
        ]
        indexes = [
            # The sweep's two crossing queries: partial indexes over running clocks only.
            models.Index(
                fields=["amber_at"], name="sla_clock_amber_due_idx", condition=Q(state="green")
            ),
            models.Index(
                fields=["breach_at"],
                name="sla_clock_breach_due_idx",
                condition=Q(state__in=["green", "amber"]),
            ),
            models.Index(fields=["state", "metric"], name="sla_clock_state_metric_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} of #{self.ticket_id}: {self.state}"


class SLAClockEntry(AppendOnlyModel):
    """The clock's ledger: why it stands where it stands ("paused 3 h in pending", …)."""

    clock = models.ForeignKey(SLAClock, on_delete=models.CASCADE, related_name="ledger")
    kind = models.CharField(max_length=30)
    at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "SLA ledger entry"
        verbose_name_plural = "SLA ledger entries"


class TaskLease(models.Model):
    """A named lease that one task chain holds at a time (the SLA sweeper holds ``sla-sweeper``).

    Taken and renewed by one conditional UPDATE (free, expired or already ours), so workers
    racing for it get exactly one winner on any database; an abandoned lease simply expires.
    """

    name = models.CharField(max_length=50, unique=True)
    holder = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    renewed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'}"


# --- Escalations -----------------------------------------------------------------------------
# Derived from the trigger registry (one class per kind) plus the two non-rule origins: a new
# trigger kind appears here, in the admin and in the API by registering its class.
TriggerKey: Any = models.TextChoices(  # type: ignore[call-overload]
    "TriggerKey", [(key.upper(), (key, label)) for key, label in escalation_trigger_choices()]
)


class Escalation(models.Model):
    """One escalation of one ticket; written with its summary note in one transaction.

    ``occurrence`` identifies the event that caused it (e.g. ``message:812``); the unique
    constraint on (ticket, rule, occurrence) is what makes a retried or raced evaluation a no-op.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="escalations"
    )
    trigger = models.CharField(max_length=30, choices=TriggerKey.choices)
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    rule_name = models.CharField(max_length=150, blank=True, help_text="Kept if the rule goes.")
    occurrence = models.CharField(max_length=100)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_initiated",
        help_text="The agent who escalated by hand; empty when a rule fired.",
    )
    from_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_handed_off",
    )
    to_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalations_received",
    )
    from_queue = models.ForeignKey(
        "tickets.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_queue = models.ForeignKey(
        "tickets.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="The escalation this one took one level up (e.g. not acknowledged in time).",
    )
    chain_position = models.PositiveSmallIntegerField(default=1)
    evidence = models.JSONField(default=dict, blank=True)
    handoff_tried = models.TextField(blank=True, max_length=HANDOFF_PART_MAX_CHARS)
    handoff_diagnosis = models.TextField(blank=True, max_length=HANDOFF_PART_MAX_CHARS)
    handoff_authority_needed = models.TextField(blank=True, max_length=HANDOFF_PART_MAX_CHARS)
    sla_snapshot = models.JSONField(default=dict, blank=True)
    route_notes = models.JSONField(
        default=list, blank=True, help_text="How the target was resolved (ping-pong bumps, …)."
    )
    summary = models.JSONField(
        default=dict,
        blank=True,
        help_text="The pinned summary as data (``EscalationSummary.as_dict``); empty on rows "
        "written before it existed, whose summary note is shown instead.",
    )
    summary_note = models.OneToOneField(
        "tickets.Note", null=True, blank=True, on_delete=models.SET_NULL, related_name="escalation"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The receiver, when a lead acknowledged the escalation for them.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "rule", "occurrence"],
                condition=Q(rule__isnull=False),
                name="escalation_once_per_rule_occurrence",
            ),
            models.UniqueConstraint(
                fields=["ticket", "trigger", "occurrence"],
                condition=Q(rule__isnull=True),
                name="escalation_once_per_manual_occurrence",
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=TriggerKey.values), name="escalation_trigger_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="escalation_ticket_time_idx"),
            models.Index(fields=["from_agent", "created_at"], name="escalation_from_time_idx"),
            models.Index(fields=["to_agent", "acknowledged_at"], name="escalation_to_ack_idx"),
            models.Index(fields=["rule", "created_at"], name="escalation_rule_time_idx"),
        ]

    def __str__(self) -> str:
        return f"Escalation {self.pk} of #{self.ticket_id} ({self.get_trigger_display()})"

    @property
    def is_manual(self) -> bool:
        return self.rule_id is None and self.trigger in (TriggerKey.MANUAL, TriggerKey.ESCALATE_TAG)

    @property
    def handoff_complete(self) -> bool:
        return all(
            v.strip()
            for v in (self.handoff_tried, self.handoff_diagnosis, self.handoff_authority_needed)
        )


class EventEvaluation(models.Model):
    """Receipt: this ticket event went through the rules.

    The task queue may lose a task (a worker killed mid-run with the Redis broker); events with no
    receipt are queued again by ``evaluations_missed_requeue``, and the escalation's unique
    constraint keeps a repeated evaluation from escalating twice.
    """

    event = models.OneToOneField(
        "tickets.TicketEvent", primary_key=True, on_delete=models.CASCADE, related_name="evaluation"
    )
    evaluated_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"evaluation of event {self.event_id}"


class OutcomeKind(models.TextChoices):
    ROUTED = "routed", "Routed by a routing rule"
    SUPPRESSED = "suppressed", "Rule-fired escalation not carried out"


class RuleOutcome(models.Model):
    """Idempotency record: what the engine decided once for a ticket, so a repeated evaluation
    (a retried task, a requeued event) does not decide it again.

    A ticket is routed once (``key`` empty); a refused rule-fired escalation is recorded once per
    rule and occurrence (``key`` ``<rule id>:<occurrence>``). Written in the transaction of the
    decision, beside its audit row; the audit log itself is never queried as a lock.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    key = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "key"], name="rule_outcome_once_per_ticket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} on #{self.ticket_id}"


# --- Audit log -------------------------------------------------------------------------------
class AuditEvent(AppendOnlyModel):
    """Append-only: refused by the ORM here and, on PostgreSQL, by a trigger in the database.

    Its references carry no database constraint: deleting an agent or a ticket must neither
    rewrite nor remove the trail, so rows keep the ids they were written with.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who acted, in words: an agent's name or 'rule: …'."
    )
    kind = models.CharField(max_length=50, db_index=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["ticket", "created_at"], name="audit_ticket_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_label}"


# --- Outbound webhooks (deliveries: escalations.delivery.models) -----------------------------
class Webhook(models.Model):
    """An integration's outbound webhook: signed JSON for the events it subscribed to."""

    url = models.URLField(max_length=500, validators=[outbound_url_validator])
    team = models.ForeignKey(
        "tickets.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="webhooks"
    )
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


# Receiver feedback lives in its own subpackage; imported here so the app registers it.
# --- Exchange rates ------------------------------------------------------------------------------
EXCHANGE_RATE_MIN = Decimal("0.000001")
EXCHANGE_RATE_MAX = Decimal("1000000")


class ExchangeRate(models.Model):
    """One unit of ``base`` is worth ``rate`` units of ``quote`` from ``valid_from`` on (until a
    later rate of the same pair). A team's rates apply to its tickets; shared rates (no team,
    admins only) to every team's."""

    team = models.ForeignKey(
        "tickets.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exchange_rates",
        help_text="The team whose refunds use this rate; empty: every team (admins only).",
    )
    base = models.CharField(
        max_length=3,
        choices=CURRENCY_CHOICES,
        validators=[validate_currency],
        help_text="ISO 4217 code of the currency converted from, e.g. EUR.",
    )
    quote = models.CharField(
        max_length=3,
        choices=CURRENCY_CHOICES,
        validators=[validate_currency],
        help_text="ISO 4217 code of the currency converted to, e.g. USD.",
    )
    rate = models.DecimalField(
        max_digits=16,
        decimal_places=6,
        validators=[MinValueValidator(EXCHANGE_RATE_MIN), MaxValueValidator(EXCHANGE_RATE_MAX)],
        help_text="Units of the quote currency one unit of the base currency buys.",
    )
    valid_from = models.DateField(
        help_text="The rate applies to refunds requested on or after this date."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["base", "quote", "-valid_from", "id"]
        constraints = [
            # Two partial indexes rather than nulls_distinct=False, which SQLite cannot enforce:
            # a shared rate (no team) is unique per pair and day on every database.
            models.UniqueConstraint(
                fields=["team", "base", "quote", "valid_from"],
                condition=Q(team__isnull=False),
                name="exchange_rate_unique_per_day",
                violation_error_message="A rate for this pair and date already exists.",
            ),
            models.UniqueConstraint(
                fields=["base", "quote", "valid_from"],
                condition=Q(team__isnull=True),
                name="exchange_rate_shared_unique_per_day",
                violation_error_message="A rate for this pair and date already exists.",
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=EXCHANGE_RATE_MIN, rate__lte=EXCHANGE_RATE_MAX),
                name="exchange_rate_bounded",
            ),
            models.CheckConstraint(
                condition=Q(base__in=ISO_4217_CODES, quote__in=ISO_4217_CODES)
                & ~Q(base=models.F("quote")),
                name="exchange_rate_pair_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["base", "quote", "valid_from"], name="exchange_rate_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"1 {self.base} = {self.rate} {self.quote} from {self.valid_from}"

    def clean(self) -> None:
        if self.base and self.base == self.quote:
            raise ValidationError({"quote": "The quote currency must differ from the base."})


# Outbound deliveries (Slack, webhooks) live in their own subpackage; imported here to register them.
from escalations.delivery.models import Delivery as Delivery  # noqa: E402
from escalations.delivery.models import DeliveryAttempt as DeliveryAttempt  # noqa: E402
from escalations.delivery.models import DeliveryKind as DeliveryKind  # noqa: E402
from escalations.delivery.models import DeliveryStatus as DeliveryStatus  # noqa: E402
from escalations.delivery.models import SlackDelivery as SlackDelivery  # noqa: E402
from escalations.feedback.models import EscalationFeedback as EscalationFeedback  # noqa: E402
from escalations.feedback.models import FeedbackReason as FeedbackReason  # noqa: E402
