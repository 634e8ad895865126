"""The ticket domain: teams, agents, queues, customers, tickets and what happens on them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from kimondesk.bounds import (
    AMOUNT_MAX,
    MESSAGE_BODY_MAX_CHARS,
    NOTE_BODY_MAX_CHARS,
    REFUND_REASON_MAX_CHARS,
    TAG_MAX_CHARS,
    TAGS_MAX_COUNT,
)

from .currencies import CURRENCY_CHOICES, ISO_4217_CODES

_TAG_SLUG = re.compile(r"[-a-z0-9_]+")


class AppendOnlyQuerySet(models.QuerySet):
    """Refuses bulk updates and deletes: rows of an append-only log are never rewritten."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} rows are append-only and cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are append-only and cannot be deleted.")


class AppendOnlyModel(models.Model):
    """A model whose rows can be inserted but never changed or removed through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only and cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} rows are append-only and cannot be deleted.")


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    lead = models.ForeignKey(
        "tickets.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        help_text="The team lead: the default target of manual escalations.",
    )
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="IANA zone; month boundaries of reports use it."
    )
    default_currency = models.CharField(
        max_length=3,
        choices=CURRENCY_CHOICES,
        default="EUR",
        help_text="ISO 4217 code the team's money thresholds are set in by default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Team lead"
    SENIOR = "senior", "Senior agent"
    JUNIOR = "junior", "Junior agent"


class Agent(AbstractUser):
    """A person who signs in. Superusers are the ``admin`` role of the API contract."""

    name = models.CharField(max_length=150, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="agents"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.JUNIOR)
    is_available = models.BooleanField(
        default=True, help_text="Available agents receive escalations from specialist queues."
    )

    objects: ClassVar[UserManager[Agent]] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="agent_role_valid"),
        ]
        indexes = [models.Index(fields=["team", "role"], name="agent_team_role_idx")]

    def __str__(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def api_role(self) -> str:
        return "admin" if self.is_superuser else self.role

    @property
    def is_lead(self) -> bool:
        return self.role == Role.LEAD

    @property
    def is_lead_or_admin(self) -> bool:
        return self.is_superuser or self.role == Role.LEAD


class Queue(models.Model):
    name = models.CharField(max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="queues")
    specialist = models.BooleanField(
        default=False, help_text="Specialist queues hand escalations to their senior agents."
    )
    members = models.ManyToManyField(
        Agent, blank=True, related_name="queues", help_text="Agents who work this queue."
    )

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="queue_unique_name_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.team.name} / {self.name}"


class Tier(models.TextChoices):
    FREE = "free", "Free"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"
    ENTERPRISE = "enterprise", "Enterprise"


# Tiers are ordered: a change to a higher rank is an upgrade.
TIER_RANK: dict[str, int] = {tier: rank for rank, tier in enumerate(Tier.values)}


class Customer(models.Model):
    external_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    tier = models.CharField(max_length=12, choices=Tier.choices, default=Tier.STANDARD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="customer_tier_valid")
        ]
        # Search finds a customer by email whatever its case (``email__iexact``).
        indexes = [models.Index(Upper("email"), name="customer_email_upper_idx")]

    def __str__(self) -> str:
        return self.name


class CustomerTierChange(AppendOnlyModel):
    """Tier history: every change of a customer's tier, upgrades and downgrades alike."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.CharField(max_length=12, choices=Tier.choices)
    to_tier = models.CharField(max_length=12, choices=Tier.choices)
    changed_by = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_tier__in=Tier.values) & Q(to_tier__in=Tier.values),
                name="tier_change_tiers_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_tier} → {self.to_tier}"

    @property
    def is_upgrade(self) -> bool:
        return TIER_RANK[self.to_tier] > TIER_RANK[self.from_tier]


# Added only together with a handoff (the manual escalation service); the tag trigger listens for it.
ESCALATE_TAG = "escalate"


def tag_names_clean(names: Iterable[str]) -> list[str]:
    """Trimmed, lower-cased, de-duplicated tag names, sorted; each a slug of at most
    ``TAG_MAX_CHARS`` characters and at most ``TAGS_MAX_COUNT`` of them, else a
    ``ValidationError`` on ``tags`` naming the offending tag. The API, the page form and the
    services all use this one rule."""
    wanted = sorted({name.strip().lower() for name in names if name.strip()})
    errors = []
    for name in wanted:
        if len(name) > TAG_MAX_CHARS:
            errors.append(f"'{name[:20]}…' is longer than {TAG_MAX_CHARS} characters.")
        elif not _TAG_SLUG.fullmatch(name):
            errors.append(f"'{name}' may hold only letters, digits, '-' and '_'.")
    if len(wanted) > TAGS_MAX_COUNT:
        errors.append(f"At most {TAGS_MAX_COUNT} tags (got {len(wanted)}).")
    if errors:
        raise ValidationError({"tags": errors})
    return wanted


class Tag(models.Model):
    name = models.SlugField(max_length=TAG_MAX_CHARS, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


PRIORITY_RANK: dict[str, int] = {p: rank for rank, p in enumerate(Priority.values)}


class Sentiment(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"
    # The message's language has no configured scorer (see README, "Sentiment and languages").
    UNSCORED = "unscored", "Not scored"


class Ticket(models.Model):
    subject = models.CharField(max_length=255)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    assignee = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    followers: models.ManyToManyField[Agent, TicketFollower] = models.ManyToManyField(
        Agent, blank=True, related_name="followed_tickets", through="TicketFollower"
    )
    customer_sentiment = models.CharField(
        max_length=10,
        choices=Sentiment.choices,
        default=Sentiment.UNKNOWN,
        help_text="Sentiment of the customer's latest message; a turn to negative is a trigger.",
    )
    escalation_count = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,  # rows written by raw SQL (bulk loads) start at 1 too
        help_text="Raised by every write to the ticket row: the API's ETag and the page's "
        "stale-save check compare it.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="ticket_priority_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["queue", "status"], name="ticket_queue_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["customer", "status"], name="ticket_customer_status_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketFollower(models.Model):
    """Agents kept informed about a ticket: a previous holder stays one after an escalation."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "agent"], name="follower_unique")]

    def __str__(self) -> str:
        return f"{self.agent_id} follows #{self.ticket_id}"


class AuthorType(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"


class Message(models.Model):
    """A customer-visible message on a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author_type = models.CharField(max_length=10, choices=AuthorType.choices)
    author_agent = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    body = models.TextField(max_length=MESSAGE_BODY_MAX_CHARS)
    sentiment_score = models.FloatField(null=True, blank=True)
    sentiment = models.CharField(
        max_length=10, choices=Sentiment.choices, default=Sentiment.UNKNOWN
    )
    sentiment_reasons = models.JSONField(default=list, blank=True)
    sentiment_language = models.CharField(
        max_length=8,
        blank=True,
        default="",
        help_text="Language detected in a customer message (ISO 639-1), e.g. 'en' or 'de'.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(author_type__in=AuthorType.values), name="message_author_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(author_type="customer") | Q(author_agent__isnull=False),
                name="message_agent_has_author",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_time_idx")]

    def __str__(self) -> str:
        return f"{self.author_type} message on #{self.ticket_id}"

    @property
    def sentiment_text(self) -> str:
        """The sentiment as shown to agents: "negative", or "not scored (de)"."""
        if self.sentiment == Sentiment.UNSCORED:
            return f"not scored ({self.sentiment_language})"
        return str(self.sentiment)


class NoteKind(models.TextChoices):
    NOTE = "note", "Internal note"
    ESCALATION_SUMMARY = "escalation_summary", "Escalation summary"
    SYSTEM = "system", "System note"
    QUESTION = "question", "Question"


class Note(models.Model):
    """An internal note: never shown to the customer."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    body = models.TextField(max_length=NOTE_BODY_MAX_CHARS)
    kind = models.CharField(max_length=20, choices=NoteKind.choices, default=NoteKind.NOTE)
    pinned = models.BooleanField(default=False)
    addressed_to = models.ForeignKey(
        Agent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions_received",
        help_text="The agent a question note asks (the one who escalated the ticket).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=NoteKind.values), name="note_kind_valid")
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="note_ticket_time_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"


def validate_currency(value: str) -> None:
    if value not in ISO_4217_CODES:
        raise ValidationError(f"'{value}' is not an ISO 4217 currency code.", code="currency")


class RefundRequest(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="refund_requests")
    amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(AMOUNT_MAX)],
    )
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, validators=[validate_currency]
    )
    reason = models.TextField(blank=True, max_length=REFUND_REASON_MAX_CHARS)
    requested_by = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(currency__in=ISO_4217_CODES), name="refund_currency_iso4217"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on #{self.ticket_id}"


class EventKind(models.TextChoices):
    TICKET_CREATED = "ticket_created", "Ticket created"
    MESSAGE_ADDED = "message_added", "Message added"
    NOTE_ADDED = "note_added", "Note added"
    STATUS_CHANGED = "status_changed", "Status changed"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    QUEUE_CHANGED = "queue_changed", "Queue changed"
    ASSIGNED = "assigned", "Assignee changed"
    TAGS_CHANGED = "tags_changed", "Tags changed"
    TIER_CHANGED = "tier_changed", "Customer tier changed"
    REFUND_REQUESTED = "refund_requested", "Refund requested"
    SLA_STATE_CHANGED = "sla_state_changed", "SLA state changed"
    ESCALATED = "escalated", "Escalated"
    ESCALATION_ACKNOWLEDGED = "escalation_acknowledged", "Escalation acknowledged"


class TicketEvent(AppendOnlyModel):
    """The append-only history of a ticket: triggers, the audit trail and reports read it.

    ``data`` holds the event's facts (e.g. ``{"from": "open", "to": "pending"}``); the
    ``assignee`` column records who held the ticket when the event happened, so reports can
    attribute work to the agent of the moment without replaying history.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_time_idx"),
            models.Index(fields=["kind", "created_at"], name="event_kind_time_idx"),
            models.Index(fields=["assignee", "created_at"], name="event_assignee_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"

    @property
    def changed_assignee(self) -> bool:
        """Whether this event changed the assignee (``data`` then has ``from`` and ``to``)."""
        return self.kind == EventKind.ASSIGNED or (
            self.kind == EventKind.ESCALATED and bool((self.data or {}).get("assigned"))
        )

    def field_changes(self) -> list[tuple[str, dict[str, Any]]]:
        """The field changes this event records, as ``(kind, data)`` pairs in the order made.

        A field event is its own change. An escalation records ONE ``escalated`` event that
        carries the changes it made to the ticket (tags, queue, assignee) in ``data["changes"]``.
        """
        data = self.data or {}
        if self.kind == EventKind.ESCALATED:
            return [(str(kind), dict(change)) for kind, change in data.get("changes", [])]
        return [(self.kind, data)]


def assignment_events() -> Q:
    """``TicketEvent`` rows that changed a ticket's assignee (``data`` has ``from`` and ``to``):
    a reassignment, or an escalation that reassigned (``data["assigned"]``)."""
    return Q(kind=EventKind.ASSIGNED) | Q(kind=EventKind.ESCALATED, data__assigned=True)


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key`` (kept 24 h)."""

    key = models.CharField(max_length=255)
    user = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"


class TicketSearchDocument(models.Model):
    """The full-text search vector of a ticket (PostgreSQL): its subject (weight A) and the text
    of its messages (weight C), appended by the write services as messages arrive.

    Kept out of ``Ticket`` so queue pages never read it. A GIN index on ``vector`` (created by
    the migration on PostgreSQL only) answers searches; SQLite leaves this table empty and
    searches with ``LIKE`` instead (``tickets.search``).
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    vector = SearchVectorField(null=True)
    indexed_chars = models.PositiveIntegerField(
        default=0, help_text="Characters of message text in the vector (bounded per ticket)."
    )

    def __str__(self) -> str:
        return f"search document of #{self.ticket_id}"


class SavedView(models.Model):
    """A named set of queue filters and sorting: an agent's own, or shared with a whole team
    (``team`` set; only the team's lead or an admin shares one)."""

    owner = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="saved_views")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_views",
        help_text="Set: every agent of this team sees the view.",
    )
    page = models.CharField(max_length=20, help_text="The queue page: mine, team or escalated.")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=500, blank=True, help_text="The page's query string.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "page", "name"],
                condition=Q(team__isnull=True),
                name="saved_view_unique_personal_name",
            ),
            models.UniqueConstraint(
                fields=["team", "page", "name"],
                condition=Q(team__isnull=False),
                name="saved_view_unique_team_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Macros live in their own subpackage; imported here so the app registers them.
from tickets.macros.models import Macro as Macro  # noqa: E402
from tickets.macros.models import MacroUse as MacroUse  # noqa: E402
