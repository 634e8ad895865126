"""Reads of the ticket domain, with visibility rules applied in one place."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from escalations.engine.targets import escalation_targets_allowed_q, named_agents_allowed_q
from escalations.models import ClockState, Escalation, SLAClock, Target, TargetKind
from kimondesk.compiled_queries import CompiledQuery

from .models import (
    PRIORITY_RANK,
    Agent,
    AuthorType,
    Customer,
    EventKind,
    Message,
    Note,
    Queue,
    RefundRequest,
    Role,
    Sentiment,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    assignment_events,
)
from .realtime import TEAM_ALL_GROUP, team_group


def tickets_visible_to(*, agent: Agent) -> QuerySet[Ticket]:
    """Agents see their own team's queues and what is assigned to them; admins see everything."""
    tickets = Ticket.objects.all()
    if agent.is_superuser:
        return tickets
    if agent.team_id is None:
        return tickets.filter(assignee=agent)
    return tickets.filter(Q(queue__team_id=agent.team_id) | Q(assignee=agent))


# ``tickets_visible_to`` compiled once per way of seeing tickets (its three branches), for the
# ticket every write through the API starts from; the stand-in agent carries what it reads.
_visible_with_queue_admin = CompiledQuery(
    lambda *, ticket_id: (
        tickets_visible_to(agent=Agent(is_superuser=True))
        .select_related("queue")
        .filter(pk=ticket_id)
    ),
    ticket_id=int,
)
_visible_with_queue_teamless = CompiledQuery(
    lambda *, ticket_id, agent_id: (
        tickets_visible_to(agent=Agent(pk=agent_id, team_id=None))
        .select_related("queue")
        .filter(pk=ticket_id)
    ),
    ticket_id=int,
    agent_id=int,
)
_visible_with_queue_of_team = CompiledQuery(
    lambda *, ticket_id, agent_id, team_id: (
        tickets_visible_to(agent=Agent(pk=agent_id, team_id=team_id))
        .select_related("queue")
        .filter(pk=ticket_id)
    ),
    ticket_id=int,
    agent_id=int,
    team_id=int,
)


def ticket_visible_with_queue(*, agent: Agent, ticket_id: int) -> Ticket | None:
    """The ticket, its queue joined, when ``agent`` may see it (``tickets_visible_to``)."""
    if agent.is_superuser:
        return _visible_with_queue_admin.first(ticket_id=ticket_id)
    if agent.team_id is None:
        return _visible_with_queue_teamless.first(ticket_id=ticket_id, agent_id=agent.pk)
    return _visible_with_queue_of_team.first(
        ticket_id=ticket_id, agent_id=agent.pk, team_id=agent.team_id
    )


def ticket_is_visible_to(*, agent: Agent, ticket_id: int) -> bool:
    return tickets_visible_to(agent=agent).filter(pk=ticket_id).exists()


def ticket_ids_visible_to(*, agent: Agent, ticket_ids: list[int]) -> set[int]:
    """Which of ``ticket_ids`` the agent may see (one query)."""
    return set(
        tickets_visible_to(agent=agent).filter(pk__in=ticket_ids).values_list("pk", flat=True)
    )


def _socket_agent(*, agent_id: int, session_key: str | None) -> Agent | None:
    """The agent of an open socket, read fresh: None once the session no longer signs them in
    or they are deactivated."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    if not session_key or store.get(SESSION_KEY) != str(agent_id):
        return None
    return Agent.objects.filter(pk=agent_id, is_active=True).first()


def agent_socket_allowed(*, agent_id: int, session_key: str | None, ticket_id: int | None) -> bool:
    """Whether an open socket may still receive pushes, read fresh from the database: the
    session still signs this agent in, the agent is active, and (for a ticket socket) the ticket
    is still visible to them. An agent moved to another team, deactivated or signed out stops
    receiving at the next push."""
    agent = _socket_agent(agent_id=agent_id, session_key=session_key)
    if agent is None:
        return False
    return ticket_id is None or ticket_is_visible_to(agent=agent, ticket_id=ticket_id)


QUEUE_SCOPE_ALL = "all"


def queue_socket_scope(*, agent_id: int, session_key: str | None) -> int | str | None:
    """Whose queue events an open queue socket may relay now: ``QUEUE_SCOPE_ALL`` for an admin,
    the agent's team id, or None (signed out, deactivated, or in no team: nothing)."""
    agent = _socket_agent(agent_id=agent_id, session_key=session_key)
    if agent is None:
        return None
    return QUEUE_SCOPE_ALL if agent.is_superuser else agent.team_id


def queue_groups_for(*, agent: Agent) -> list[str]:
    """The channel-layer groups a queue page joins: every team's for an admin, else the agent's
    own team's (an agent in no team sees only tickets assigned to them: no queue events)."""
    if agent.is_superuser:
        return [TEAM_ALL_GROUP]
    return [team_group(agent.team_id)] if agent.team_id is not None else []


def queues_visible_to(*, agent: Agent) -> QuerySet[Queue]:
    queues = Queue.objects.select_related("team")
    if agent.is_superuser:
        return queues
    return queues.filter(team_id=agent.team_id) if agent.team_id else queues.none()


def teams_visible_to(*, agent: Agent) -> QuerySet[Team]:
    return Team.objects.select_related("lead").all()


def customers_visible_to(*, agent: Agent) -> QuerySet[Customer]:
    return Customer.objects.all()


CUSTOMER_TIER_REFUSAL = "Only team leads and admins change a customer's tier."
CUSTOMER_TEAM_REFUSAL = (
    "The customer has tickets only in other teams' queues: ask one of those teams or an admin."
)


def customer_change_refusal(*, agent: Agent, customer: Customer, fields: set[str]) -> str | None:
    """Why ``agent`` may not change these ``fields`` of ``customer``, or ``None`` if they may.

    Admins change any customer. Anyone else changes a customer who has a ticket in their
    team's queues, or no ticket at all (a customer just added); a tier change (it feeds every
    team's tier rules) is also limited to team leads.
    """
    if agent.is_superuser:
        return None
    if "tier" in fields and agent.role != Role.LEAD:
        return CUSTOMER_TIER_REFUSAL
    tickets = Ticket.objects.filter(customer=customer)
    own = tickets.filter(queue__team_id=agent.team_id) if agent.team_id else tickets.none()
    if tickets.exists() and not own.exists():
        return CUSTOMER_TEAM_REFUSAL
    return None


def ticket_team_id(*, ticket: Ticket) -> int | None:
    return ticket.queue.team_id if ticket.queue_id and ticket.queue else None


def ticket_currency(*, ticket: Ticket) -> str | None:
    """The default currency of the ticket's team (what a refund is requested in unless said
    otherwise); None for a ticket outside every team's queues."""
    team = ticket.queue.team if ticket.queue_id and ticket.queue else None
    return team.default_currency if team is not None else None


# --- Agent web UI: page selectors ------------------------------------------------------------
QUEUE_MINE = "mine"
QUEUE_TEAM = "team"
QUEUE_ESCALATED = "escalated"
QUEUE_KINDS = (QUEUE_MINE, QUEUE_TEAM, QUEUE_ESCALATED)

# Open SLA clocks still count down; the earliest due of them orders "due soonest".
_RUNNING_CLOCK_STATES = (ClockState.GREEN, ClockState.AMBER, ClockState.RED)


def tickets_for_queue_page(*, agent: Agent, queue: str) -> QuerySet[Ticket]:
    """The rows of one agent queue page, annotated for display and sorting.

    ``mine``: assigned to the agent; ``team``: the queues of the agent's team (admins without a
    team: everything they see); ``escalated``: tickets escalated to the agent, unacknowledged first.
    """
    if queue not in QUEUE_KINDS:
        raise ValueError(f"unknown queue {queue!r}")
    tickets = tickets_visible_to(agent=agent)
    if queue == QUEUE_MINE:
        tickets = tickets.filter(assignee=agent)
    elif queue == QUEUE_TEAM and agent.team_id is not None:
        tickets = tickets.filter(queue__team_id=agent.team_id)
    tickets = tickets_annotate_for_list(agent=agent, tickets=tickets)
    if queue == QUEUE_ESCALATED:
        mine = Escalation.objects.filter(ticket=OuterRef("pk"), to_agent=agent)
        tickets = tickets.filter(Exists(mine)).annotate(
            escalated_at=Subquery(mine.order_by("-created_at").values("created_at")[:1]),
        )
        tickets = tickets.order_by("-awaiting_my_ack", "-escalated_at", "-id")
    return tickets


def tickets_annotate_for_list(*, agent: Agent, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Ticket rows as the ticket tables show and sort them to ``agent`` (queue pages, search
    results): among them, whether an escalation waits for anyone's or the agent's own
    acknowledgement."""
    unacknowledged = Escalation.objects.filter(ticket=OuterRef("pk"), acknowledged_at__isnull=True)
    tickets = tickets.annotate(
        priority_rank=Case(
            *(When(priority=p, then=Value(rank)) for p, rank in PRIORITY_RANK.items()),
            output_field=IntegerField(),
        ),
        awaiting_ack=Exists(unacknowledged),
        awaiting_my_ack=Exists(unacknowledged.filter(to_agent=agent)),
        last_customer_message_at=Subquery(
            Message.objects.filter(ticket=OuterRef("pk"), author_type=AuthorType.CUSTOMER)
            .order_by("-created_at")
            .values("created_at")[:1]
        ),
        sla_due=Subquery(
            SLAClock.objects.filter(
                ticket=OuterRef("pk"), policy__isnull=False, state__in=_RUNNING_CLOCK_STATES
            )
            .order_by("due_at")
            .values("due_at")[:1]
        ),
    )
    return tickets.select_related("customer", "queue__team", "assignee").prefetch_related("tags")


def ticket_for_page(*, agent: Agent, ticket_id: int) -> Ticket:
    """The ticket with what its page header shows; ``Ticket.DoesNotExist`` if not visible."""
    return (
        tickets_visible_to(agent=agent)
        .select_related("customer", "queue__team__lead", "assignee")
        .prefetch_related("tags")
        .get(pk=ticket_id)
    )


def ticket_timeline(*, ticket: Ticket) -> list[Message | Note]:
    """Customer-visible messages (with their mail delivery and attachments) and internal notes,
    oldest first, in one list (three queries)."""
    messages = list(
        Message.objects.filter(ticket=ticket)
        .select_related("author_agent", "outbound_mail")
        .prefetch_related("attachments")
    )
    notes = list(Note.objects.filter(ticket=ticket).select_related("author", "addressed_to"))
    items: list[Message | Note] = [*messages, *notes]
    items.sort(key=lambda item: (item.created_at, isinstance(item, Note), item.pk))
    return items


# A page that reconnects gets at most this many missed messages and notes at once (the oldest
# first); it asks again for the rest.
CATCH_UP_MAX_ENTRIES = 100


def ticket_timeline_after(
    *, ticket: Ticket, message_after: int, note_after: int
) -> tuple[list[Message | Note], bool]:
    """Messages and notes newer than the ids a page already shows, oldest first, at most
    ``CATCH_UP_MAX_ENTRIES``; and whether more are left (three queries)."""
    bound = CATCH_UP_MAX_ENTRIES + 1
    messages = list(
        Message.objects.filter(ticket=ticket, pk__gt=message_after)
        .select_related("author_agent", "outbound_mail")
        .prefetch_related("attachments")
        .order_by("pk")[:bound]
    )
    notes = list(
        Note.objects.filter(ticket=ticket, pk__gt=note_after)
        .select_related("author", "addressed_to")
        .order_by("pk")[:bound]
    )
    items: list[Message | Note] = [*messages, *notes]
    items.sort(key=lambda item: (item.created_at, isinstance(item, Note), item.pk))
    return items[:CATCH_UP_MAX_ENTRIES], len(items) > CATCH_UP_MAX_ENTRIES


def ticket_refund_requests(*, ticket: Ticket) -> list[RefundRequest]:
    return list(RefundRequest.objects.filter(ticket=ticket).select_related("requested_by"))


def ticket_escalations(*, ticket: Ticket) -> list[Escalation]:
    """The ticket's escalation history, newest first."""
    return list(
        Escalation.objects.filter(ticket=ticket).select_related(
            "rule",
            "from_agent",
            "to_agent",
            "to_queue",
            "target",
            "initiated_by",
            "acknowledged_by",
            "acknowledged_on_behalf_of",
            "summary_note__author",
            "feedback__author",
        )
    )


def ticket_escalations_since(*, ticket_id: int, since_id: int) -> list[Escalation]:
    """Escalations of a ticket made after ``since_id`` (the one the page has pinned), oldest
    first: the page's catch-up pins each in turn. An id is not a time: a row written later with
    an earlier time (a transaction that committed late, imported or seeded history) is not newer
    than the pinned one and stays in the history only."""
    escalations = Escalation.objects.filter(ticket_id=ticket_id, pk__gt=since_id)
    pinned_at = (
        Escalation.objects.filter(ticket_id=ticket_id, pk=since_id)
        .values_list("created_at", flat=True)
        .first()
    )
    if pinned_at is not None:
        escalations = escalations.filter(created_at__gt=pinned_at)
    return list(
        escalations.select_related(
            "ticket",
            "rule",
            "from_agent",
            "to_agent",
            "to_queue",
            "summary_note",
            "feedback__author",
        ).order_by("created_at", "pk")
    )


def escalation_for_agent(*, agent: Agent, escalation_id: int) -> Escalation:
    """An escalation of a ticket the agent can see; ``Escalation.DoesNotExist`` otherwise."""
    return Escalation.objects.select_related("ticket").get(
        pk=escalation_id, ticket__in=tickets_visible_to(agent=agent)
    )


def escalation_targets_for(*, agent: Agent) -> QuerySet[Target]:
    """Targets an agent may pick when escalating: their team's and the shared ones (a lead's or
    an admin's: every team's)."""
    return Target.objects.filter(escalation_targets_allowed_q(actor=agent))


@dataclass(frozen=True)
class EscalationChoice:
    """One option of the escalate form: the team lead (``value`` ""), a person or a target."""

    value: str
    label: str
    target: Target | None = None
    agent: Agent | None = None


def _availability(agent: Agent) -> str:
    return "available" if agent.is_available else "away"


def escalation_choices_for(*, agent: Agent, ticket: Ticket) -> list[EscalationChoice]:
    """Where ``agent`` can send ``ticket``, each receiver once: the ticket team's lead (the
    default), its seniors by name with availability, other teams' leads (for a lead or an admin),
    then the specialist queues and Slack targets. Leaves out the agent themself and the holder;
    ``team_lead`` and single-person targets are covered by the named entries. Two queries once the ticket's queue and team are loaded."""
    team = ticket.queue.team if ticket.queue_id and ticket.queue else None
    team_id = team.pk if team is not None else None
    skip = {agent.pk, ticket.assignee_id}
    people = list(
        Agent.objects.filter(named_agents_allowed_q(actor=agent, team_id=team_id))
        .exclude(pk__in=[pk for pk in skip if pk is not None])
        .select_related("team")
        .order_by("name", "username")
    )
    choices: list[EscalationChoice] = []
    lead_id = team.lead_id if team is not None else None
    for person in people:
        if person.pk == lead_id:
            assert team is not None
            label = f"{team.name} team lead: {person} ({_availability(person)})"
            choices.insert(0, EscalationChoice("", label))
    named = {person.pk for person in people} | skip
    for person in people:
        if person.pk == lead_id:
            continue
        if person.team_id == team_id:
            label = f"{person} ({person.role}, {_availability(person)})"
        else:
            team_name = person.team.name if person.team is not None else ""
            label = f"{team_name} team lead: {person} ({_availability(person)})"
        choices.append(EscalationChoice(f"agent:{person.pk}", label, agent=person))
    targets = (
        escalation_targets_for(agent=agent)
        .exclude(kind=TargetKind.TEAM_LEAD)
        .select_related("team", "agent", "queue")
        .order_by("kind", "name", "pk")
    )
    for target in targets:
        if target.kind == TargetKind.AGENT and target.agent_id in named:
            continue
        suffix = {TargetKind.SLACK: " (Slack)", TargetKind.QUEUE: " (queue)"}.get(
            TargetKind(target.kind), ""
        )
        if target.team_id is not None and target.team_id != team_id and target.team is not None:
            suffix += f", {target.team.name}"
        choices.append(EscalationChoice(f"target:{target.pk}", f"{target.name}{suffix}", target))
    return choices


def ticket_assignee_choices(*, ticket: Ticket) -> QuerySet[Agent]:
    """Agents who can hold the ticket: active members of the ticket's team."""
    agents = Agent.objects.filter(is_active=True).order_by("name", "username")
    team_id = ticket_team_id(ticket=ticket)
    if team_id is not None:
        return agents.filter(team_id=team_id)
    return agents.filter(pk=ticket.assignee_id) if ticket.assignee_id else agents.none()


def escalation_can_acknowledge(*, escalation: Escalation, agent: Agent) -> bool:
    """Whether the page offers the Acknowledge button (the service has the last word)."""
    if escalation.acknowledged_at is not None:
        return False
    if agent.is_superuser or escalation.to_agent_id == agent.pk:
        return True
    return agent.is_lead and agent.team_id is not None and agent.team_id == _ticket_team(escalation)


def escalation_ack_on_behalf_of(*, escalation: Escalation, agent: Agent) -> Agent | None:
    """The receiver ``agent`` would acknowledge for (a lead or an admin who is not the
    receiver); None when it is their own to acknowledge."""
    if escalation.to_agent_id is None or escalation.to_agent_id == agent.pk:
        return None
    return escalation.to_agent


def _ticket_team(escalation: Escalation) -> int | None:
    ticket = escalation.ticket
    return ticket.queue.team_id if ticket.queue_id and ticket.queue else None


_META_EVENT_KINDS = {
    "status": EventKind.STATUS_CHANGED,
    "priority": EventKind.PRIORITY_CHANGED,
    "assignee": EventKind.ASSIGNED,
}


def ticket_meta_changes(*, ticket: Ticket, seen: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between the meta fields a page showed (``seen``: status, priority, assignee
    id) and the ticket now, each with who made the latest change of that field and when:
    ``[{"field", "label", "seen", "now", "by", "at"}]`` (display values), in field order."""
    status_labels = dict(Ticket._meta.get_field("status").choices or [])
    priority_labels = dict(Ticket._meta.get_field("priority").choices or [])
    agents = Agent.objects.in_bulk([pk for pk in (seen["assignee"], ticket.assignee_id) if pk])

    def shown(field: str, value: Any) -> str:
        if field == "status":
            return str(status_labels.get(value, value))
        if field == "priority":
            return str(priority_labels.get(value, value))
        return str(agents[value]) if value in agents else "Unassigned"

    now = {"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee_id}
    differing = [field for field in _META_EVENT_KINDS if now[field] != seen[field]]
    if not differing:
        return []
    latest: dict[str, TicketEvent] = {}
    # An escalation that reassigned changed the assignee too (its one event carries it).
    kinds = Q(kind__in=[_META_EVENT_KINDS[f] for f in differing])
    if "assignee" in differing:
        kinds |= assignment_events()
    events = TicketEvent.objects.filter(kinds, ticket=ticket).select_related("actor")
    for event in events.order_by("-created_at", "-id"):
        latest.setdefault(EventKind.ASSIGNED if event.changed_assignee else event.kind, event)
    changes = []
    for field in differing:
        event = latest.get(_META_EVENT_KINDS[field])
        changes.append(
            {
                "field": field,
                "label": field.capitalize(),
                "seen": shown(field, seen[field]),
                "now": shown(field, now[field]),
                "by": str(event.actor) if event and event.actor else "the system",
                "at": event.created_at if event else None,
            }
        )
    return changes


def bulk_assignee_choices(*, agent: Agent) -> QuerySet[Agent]:
    """Agents offered in the queue pages' bulk assign: the agent's team (admins: every team's
    agents); ``tickets_bulk_update`` still checks each ticket's own team."""
    agents = Agent.objects.filter(is_active=True, team__isnull=False).order_by("name", "username")
    if agent.is_superuser:
        return agents
    return agents.filter(team_id=agent.team_id) if agent.team_id is not None else agents.none()


def _scored_customer_sentiments(
    limit: int, *, ticket_id: int, before_id: int
) -> QuerySet[Message, str]:
    """The sentiments of a ticket's latest scored customer messages before ``before_id``,
    newest first (``limit`` is the shape: Django writes a slice's bound into the SQL)."""
    return (
        Message.objects.filter(
            ticket_id=ticket_id, author_type=AuthorType.CUSTOMER, id__lt=before_id
        )
        .exclude(sentiment=Sentiment.UNSCORED)
        .order_by("-created_at", "-id")
        .values_list("sentiment", flat=True)[:limit]
    )


_scored_customer_sentiments_compiled = CompiledQuery(
    _scored_customer_sentiments, ticket_id=int, before_id=int
)


_ticket_by_id = CompiledQuery(
    lambda *, ticket_id: Ticket.objects.filter(pk=ticket_id), ticket_id=int
)
_ticket_tag_names = CompiledQuery(
    lambda *, ticket_id: Tag.objects.filter(tickets=ticket_id).values_list("name", flat=True),
    ticket_id=int,
)


def ticket_tag_names(*, ticket: Ticket) -> list[str]:
    """The ticket's tag names in name order: the prefetched tags when the caller prefetched
    them, else one compiled read."""
    prefetched = getattr(ticket, "_prefetched_objects_cache", {}).get("tags")
    if prefetched is not None:
        return [tag.name for tag in prefetched]
    return _ticket_tag_names.rows(ticket_id=ticket.pk)


def ticket_as_committed(*, ticket_id: int) -> tuple[Ticket, list[str]]:
    """A ticket read back after a write, with its tag names (two compiled reads): what a
    write's answer shows."""
    ticket = _ticket_by_id.get(ticket_id=ticket_id)
    return ticket, ticket_tag_names(ticket=ticket)


def message_negative_run(*, ticket: Ticket, before_id: int, limit: int) -> int:
    """How many of the ticket's latest scored customer messages (before ``before_id``) are
    negative in a row, counting back from the newest; at most ``limit`` are read."""
    run = 0
    for sentiment in _scored_customer_sentiments_compiled.rows(
        limit, ticket_id=ticket.pk, before_id=before_id
    ):
        if sentiment != Sentiment.NEGATIVE:
            break
        run += 1
    return run
