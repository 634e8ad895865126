"""Target kinds: where an escalation goes, resolved when the rule fires (not when it is saved).

Each kind declares its params once (``params``, a ``ParamSchema`` over the ``Target`` columns it
uses: the console form, the API validation, the OpenAPI schema and ``TargetKind`` derive from
this registry), checks what only the database knows (``clean``: is the agent active and senior)
and resolves a target for one ticket (``resolve``). Resolution reads the database (who leads the
team now, who is least loaded) and writes nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Field, Q

from escalations.outbound import SLACK_WEBHOOK_RE, slack_webhook_url_validator
from tickets.models import OPEN_STATUSES, Agent, Queue, Role, Ticket

from .params import Param, ParamSchema, ReferenceParam, SecretUrlParam
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
    # The ``Target`` columns this kind uses, declared once (names are column names).
    params: ClassVar[ParamSchema] = ParamSchema()

    def clean(self, target: Target) -> None:
        """What the declared params cannot say (it reads the database): raise
        ``ValidationError`` keyed by the Target field that is wrong. Params are already set."""
        return None

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
    params = ParamSchema(
        (
            ReferenceParam(
                "agent",
                "Agent",
                "The senior agent or lead who receives the ticket.",
                required=True,
            ),
        )
    )

    def clean(self, target: Target) -> None:
        agent = target.agent
        if agent is None:
            return
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
    params = ParamSchema(
        (
            ReferenceParam(
                "queue",
                "Queue",
                "The least-loaded available senior of this queue receives the ticket.",
                required=True,
            ),
        )
    )

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
    params = ParamSchema(
        (
            SecretUrlParam(
                "slack_webhook_url",
                "Slack webhook URL",
                "Slack incoming-webhook URL: https://hooks.slack.com/services/…. A secret: "
                "never shown back.",
                required=True,
                pattern=SLACK_WEBHOOK_RE.pattern,
                validator=slack_webhook_url_validator,
            ),
        )
    )

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


def target_params() -> dict[str, Param[object]]:
    """The declared params of every target kind by column name (the first declaration wins)."""
    params: dict[str, Param[object]] = {}
    for kind in TARGET_KINDS:
        for param in kind.params:
            params.setdefault(param.name, param)
    return params


def target_param_names() -> tuple[str, ...]:
    """Every ``Target`` column some target kind declares as a param, in declaration order."""
    return tuple(target_params())


def _column(target: Target, name: str) -> Field[Any, Any]:
    column = type(target)._meta.get_field(name)
    assert isinstance(column, Field), name
    return column


def _param_value(target: Target, name: str) -> object:
    """A param column's value as a JSON client sends it (a row's id), or None when empty."""
    value = getattr(target, _column(target, name).attname)
    return None if value in (None, "") else value


def target_params_clean(*, target: Target, given: Collection[str] | None = None) -> None:
    """Check ``target``'s param columns against its kind's declared ``ParamSchema``.

    A param of another kind that is set is refused when it was ``given`` (by default every set
    column counts as given) and otherwise emptied on ``target``: a value left from the kind the
    target had before. Raise ``ValidationError`` keyed by column name, every error at once.
    """
    kind = TARGET_KINDS.get(target.kind)
    declared = set(kind.params.names())
    raw: dict[str, object] = {}
    for name in target_param_names():
        value = _param_value(target, name)
        if value is None:
            continue
        if name in declared or given is None or name in given:
            raw[name] = value
        else:
            setattr(target, name, None if _column(target, name).null else "")
    kind.params.clean(raw, owner=f"A {kind.key!r} target")


def target_clean(*, target: Target, given: Collection[str] | None = None) -> None:
    """Raise ``ValidationError`` keyed by field unless the target's params fit its kind (the
    declared schema), it can be resolved and it stays inside its team: the one check behind
    the console form and the API (``given``: see ``target_params_clean``)."""
    if target.kind not in TARGET_KINDS:
        raise ValidationError({"kind": [f"Unknown target kind {target.kind!r}."]})
    errors: dict[str, list[str]] = {}
    try:
        target_params_clean(target=target, given=given)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for key, messages in _target_team_clean(target).items():
        errors.setdefault(key, messages)
    try:
        TARGET_KINDS.get(target.kind).clean(target)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    if errors:
        raise ValidationError(errors)


def target_choices() -> list[tuple[str, str]]:
    """Every value ``Target.kind`` may hold: the registry's keys and labels."""
    return [(kind.key, kind.label) for kind in TARGET_KINDS]


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
            target_params_clean(target=target, given=())
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
