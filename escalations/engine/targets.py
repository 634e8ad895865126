"""Target kinds: where an escalation goes, resolved when the rule fires (not when it is saved).

Each kind validates a ``Target`` row (``clean``) and resolves it for one ticket (``resolve``).
Resolution reads the database (who leads the team now, who is least loaded) and writes nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from escalations.outbound import slack_webhook_url_validator
from tickets.models import OPEN_STATUSES, Agent, Queue, Role, Ticket

from .registry import Registry

if TYPE_CHECKING:
    from escalations.models import Target


@dataclass
class Resolution:
    """The outcome of resolving a target: who (and which queue) receives the ticket.

    ``reassign`` is False for targets that only notify (Slack): the ticket stays where it is.
    """

    to_agent: Agent | None
    to_queue: Queue | None
    notes: list[str] = field(default_factory=list)
    reassign: bool = True


class TargetKindHandler(ABC):
    key: ClassVar[str]
    label: ClassVar[str]

    @abstractmethod
    def clean(self, target: Target) -> None:
        """Raise ``ValidationError`` keyed by the Target field that is missing or wrong."""

    @abstractmethod
    def resolve(self, *, target: Target | None, ticket: Ticket) -> Resolution:
        """Who receives ``ticket`` now. ``ticket`` has ``queue__team`` loaded."""


TARGET_KINDS: Registry[TargetKindHandler] = Registry("target kinds")


def team_lead_resolve(*, ticket: Ticket) -> Resolution:
    """The lead of the ticket's team, as the ticket stands now."""
    queue = ticket.queue
    team = queue.team if queue is not None else None
    if team is None:
        return Resolution(None, queue, ["The ticket has no team, so no team lead."])
    lead = team.lead
    if lead is None or not lead.is_active:
        return Resolution(None, queue, [f"Team {team.name} has no active lead."])
    return Resolution(lead, queue, [f"Team lead of {team.name}: {lead}."])


@TARGET_KINDS.register_class
class AgentTarget(TargetKindHandler):
    key = "agent"
    label = "A named senior agent"

    def clean(self, target: Target) -> None:
        agent = target.agent
        if agent is None:
            raise ValidationError({"agent": ["An agent target needs an agent."]})
        if not agent.is_active:
            raise ValidationError({"agent": [f"{agent} is not an active agent."]})
        if agent.role not in (Role.SENIOR, Role.LEAD) and not agent.is_superuser:
            raise ValidationError({"agent": [f"{agent} is not a senior agent or a lead."]})

    def resolve(self, *, target: Target | None, ticket: Ticket) -> Resolution:
        assert target is not None
        agent = target.agent
        if agent is None or not agent.is_active:
            return Resolution(None, ticket.queue, [f"Target {target.name}: agent not active."])
        return Resolution(agent, ticket.queue, [f"Named agent: {agent}."])


@TARGET_KINDS.register_class
class TeamLeadTarget(TargetKindHandler):
    key = "team_lead"
    label = "The ticket team's lead"

    def clean(self, target: Target) -> None:
        return None

    def resolve(self, *, target: Target | None, ticket: Ticket) -> Resolution:
        return team_lead_resolve(ticket=ticket)


def queue_least_loaded_senior(*, queue: Queue, exclude_ids: frozenset[int]) -> Agent | None:
    """The available, active senior member of ``queue`` with the fewest open assigned tickets
    (one aggregate query; ties go to the lower id)."""
    return (
        queue.members.filter(is_active=True, is_available=True, role=Role.SENIOR)
        .exclude(pk__in=exclude_ids)
        .annotate(
            open_load=Count(
                "assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)
            )
        )
        .order_by("open_load", "pk")
        .first()
    )


@TARGET_KINDS.register_class
class QueueTarget(TargetKindHandler):
    key = "queue"
    label = "A specialist queue"

    def clean(self, target: Target) -> None:
        if target.queue is None:
            raise ValidationError({"queue": ["A queue target needs a queue."]})

    def resolve(self, *, target: Target | None, ticket: Ticket) -> Resolution:
        assert target is not None
        assert target.queue is not None
        queue = target.queue
        exclude = frozenset({ticket.assignee_id} if ticket.assignee_id else set())
        senior = queue_least_loaded_senior(queue=queue, exclude_ids=exclude)
        if senior is None:
            return Resolution(
                None, queue, [f"No available senior in {queue.name}: left unassigned there."]
            )
        return Resolution(senior, queue, [f"Least-loaded available senior in {queue.name}."])


@TARGET_KINDS.register_class
class SlackTarget(TargetKindHandler):
    key = "slack"
    label = "A Slack channel"

    def clean(self, target: Target) -> None:
        url = target.slack_webhook_url
        if not url:
            raise ValidationError({"slack_webhook_url": ["A Slack target needs a webhook URL."]})
        try:
            slack_webhook_url_validator(url)
        except ValidationError as exc:
            raise ValidationError({"slack_webhook_url": exc.messages}) from None

    def resolve(self, *, target: Target | None, ticket: Ticket) -> Resolution:
        assert target is not None
        return Resolution(
            None,
            None,
            [f"Posted to Slack ({target.name}); the ticket stays with its holder."],
            reassign=False,
        )


def _target_team_clean(target: Target) -> dict[str, list[str]]:
    """A team's target points at that team's people and queues."""
    if target.team_id is None:
        return {}
    agent, queue = target.agent, target.queue
    if target.kind == AgentTarget.key and agent is not None and agent.team_id != target.team_id:
        return {"agent": [f"{agent} is not a member of this target's team."]}
    if target.kind == QueueTarget.key and queue is not None and queue.team_id != target.team_id:
        return {"queue": [f"{queue} is not a queue of this target's team."]}
    return {}


def target_clean(*, target: Target) -> None:
    """Raise ``ValidationError`` keyed by field unless the target can be resolved and stays
    inside its team: the one check behind the admin form and the API."""
    errors = _target_team_clean(target)
    try:
        TARGET_KINDS.get(target.kind).clean(target)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)


# --- Manual escalations: what an agent may choose ---------------------------------------------
def escalation_targets_allowed_q(*, actor: Agent) -> Q:
    """``Target`` rows an agent may pick by hand: their team's and the shared ones; a lead or an
    admin may also send a ticket beyond the team (any team's targets)."""
    if actor.is_superuser or actor.role == Role.LEAD:
        return Q()
    return Q(team_id=actor.team_id) | Q(team__isnull=True)


def named_agents_allowed_q(*, actor: Agent, team_id: int | None) -> Q:
    """People an agent may name as the receiver: active seniors and the lead of the ticket's team;
    a lead or an admin may also name another team's lead."""
    in_team = Q(team_id=team_id, role__in=(Role.SENIOR, Role.LEAD)) if team_id else Q(pk__in=[])
    if actor.is_superuser or actor.role == Role.LEAD:
        in_team |= Q(role=Role.LEAD, team__isnull=False)
    return Q(is_active=True) & in_team


def escalation_choice_clean(
    *, actor: Agent, team_id: int | None, target: Target | None, to_agent: Agent | None
) -> None:
    """Raise ``ValidationError`` keyed by ``target`` / ``to_agent`` unless ``actor`` may send a
    ticket of team ``team_id`` there: the one check behind the escalate page and the API."""
    if target is not None and to_agent is not None:
        raise ValidationError({"to_agent": ["Choose a target or a person, not both."]})
    if target is not None:
        errors = {}
        if (
            not type(target)
            ._default_manager.filter(escalation_targets_allowed_q(actor=actor), pk=target.pk)
            .exists()
        ):
            errors["target"] = ["The target belongs to another team."]
        try:
            TARGET_KINDS.get(target.kind).clean(target)
        except ValidationError as exc:
            errors.setdefault("target", []).extend(
                m for msgs in exc.message_dict.values() for m in msgs
            )
        if errors:
            raise ValidationError(errors)
    if (
        to_agent is not None
        and not Agent.objects.filter(
            named_agents_allowed_q(actor=actor, team_id=team_id), pk=to_agent.pk
        ).exists()
    ):
        raise ValidationError(
            {"to_agent": [f"{to_agent} is not an active senior or lead you can escalate to."]}
        )


def named_agent_resolve(*, agent: Agent, ticket: Ticket) -> Resolution:
    """A person chosen by name on the escalate form: the ticket stays in its queue."""
    return Resolution(agent, ticket.queue, [f"Chosen by name: {agent}."])
