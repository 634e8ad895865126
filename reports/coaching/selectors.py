"""The month's escalation topics of a team's agents, beside the team's macros in use.

- **Escalations**: each agent's own (by hand or with the ``escalate`` tag), first level,
  created in the month (the coaching rate's "escalated by choice", ``reports.selectors``).
- **Judged avoidable**: the receiver's feedback says *not needed: could have been solved at
  first level* (``escalations/feedback/``). Other "not needed" reasons (wrong team, duplicate,
  customer not upset) are not something a macro cures and are not counted as avoidable.
- **A macro in use** for a topic: a macro of the team used (``MacroUse``) in the
  ``MACRO_LOOKBACK`` before the month's end, on tickets of the topic's queue with the topic's
  tags (tags the macro adds itself aside). For an agent's group, uses by that agent do not
  count ("used by others").
- **Write a macro** prompt for the lead: a topic whose escalations across the team hold at
  least ``WRITE_MACRO_MIN_AVOIDABLE`` judged avoidable, with no team macro in use for it.

At most five queries whatever the month holds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q

from escalations.feedback.selectors import escalation_feedback_of
from escalations.models import Escalation, FeedbackReason
from reports.selectors import AGENT_INITIATED, MonthWindow, team_agents
from tickets.models import DONE_STATUSES, Agent, Macro, MacroUse, Team

from .topics import Topic, group_prompt, macro_matches, topic_for, write_macro_prompt

MACRO_LOOKBACK = timedelta(days=90)
WRITE_MACRO_MIN_AVOIDABLE = 2
TICKET_LINKS_MAX = 10
"""Tickets linked per group (the newest)."""


@dataclass
class MacroInUse:
    macro: Macro
    tickets: int  # distinct tickets of the topic it was used on
    solved: int  # of those, solved or closed now


@dataclass
class TopicGroup:
    agent: Agent
    topic: Topic
    ticket_ids: list[int] = field(default_factory=list)  # newest first, one per escalation
    judged: int = 0
    avoidable_ticket_ids: list[int] = field(default_factory=list)
    macros: list[MacroInUse] = field(default_factory=list)  # most tickets first

    @property
    def escalations(self) -> int:
        return len(self.ticket_ids)

    @property
    def avoidable(self) -> int:
        return len(self.avoidable_ticket_ids)

    @property
    def macro(self) -> MacroInUse | None:
        return self.macros[0] if self.macros else None

    @property
    def ticket_links(self) -> list[int]:
        return list(dict.fromkeys(self.ticket_ids))[:TICKET_LINKS_MAX]

    @property
    def prompt(self) -> str:
        best = self.macro
        return group_prompt(
            agent=str(self.agent),
            topic=self.topic,
            escalations=self.escalations,
            judged=self.judged,
            avoidable=self.avoidable,
            macro=best.macro.name if best else None,
            macro_tickets=best.tickets if best else 0,
            macro_solved=best.solved if best else 0,
        )


@dataclass
class WriteMacroPrompt:
    topic: Topic
    agents: list[Agent]
    ticket_ids: list[int]
    escalations: int
    avoidable: int

    @property
    def text(self) -> str:
        return write_macro_prompt(
            topic=self.topic,
            escalations=self.escalations,
            avoidable=self.avoidable,
            agents=[str(a) for a in self.agents],
        )

    @property
    def ticket_links(self) -> list[int]:
        return list(dict.fromkeys(self.ticket_ids))[:TICKET_LINKS_MAX]


@dataclass
class AgentTopics:
    agent: Agent
    groups: list[TopicGroup]  # most escalations first, then by topic words


@dataclass
class TeamTopics:
    team: Team
    window: MonthWindow
    agents: list[AgentTopics]  # by name, only agents with escalations by choice
    write_macro: list[WriteMacroPrompt]

    def for_agent(self, agent_id: int) -> AgentTopics | None:
        return next((row for row in self.agents if row.agent.pk == agent_id), None)


def _escalations(agent_ids: list[int], window: MonthWindow) -> list[Escalation]:
    """The agents' escalations by choice in the month, newest first: started by them, or the
    ``escalate`` tag fired while they held the ticket (no ``initiated_by``)."""
    theirs = Q(initiated_by_id__in=agent_ids) | Q(
        initiated_by__isnull=True, from_agent_id__in=agent_ids
    )
    return list(
        Escalation.objects.filter(
            AGENT_INITIATED,
            theirs,
            parent__isnull=True,
            created_at__gte=window.start,
            created_at__lt=window.end,
        )
        .select_related("ticket__queue", "feedback")
        .prefetch_related("ticket__tags")
        .order_by("-created_at", "-id")
    )


def _avoidable(escalation: Escalation) -> bool | None:
    """True/False from the receiver's feedback; None when not judged."""
    feedback = escalation_feedback_of(escalation=escalation)
    if feedback is None:
        return None
    return not feedback.needed and feedback.reason == FeedbackReason.FIRST_LEVEL


def _macros_in_use(
    topic: Topic, uses: list[MacroUse], *, exclude_agent_id: int | None
) -> list[MacroInUse]:
    tickets: dict[int, dict[int, bool]] = defaultdict(dict)  # macro -> ticket -> solved
    macros: dict[int, Macro] = {}
    for use in uses:
        if exclude_agent_id is not None and use.agent_id == exclude_agent_id:
            continue
        ticket = use.ticket
        names = [tag.name for tag in ticket.tags.all()]
        if not macro_matches(
            topic=topic, queue_id=ticket.queue_id, tags=names, macro_tags=use.macro.add_tags
        ):
            continue
        macros[use.macro_id] = use.macro
        tickets[use.macro_id][ticket.pk] = ticket.status in DONE_STATUSES
    found = [
        MacroInUse(macro=macros[pk], tickets=len(seen), solved=sum(seen.values()))
        for pk, seen in tickets.items()
    ]
    found.sort(key=lambda m: (-m.tickets, m.macro.name))
    return found


def team_escalation_topics(
    *, team: Team, window: MonthWindow, agents: list[Agent] | None = None
) -> TeamTopics:
    """The month's topic groups of the agents of ``team`` (``agents``, in the order given; by
    default all, by name) and the lead's "write a macro" prompts from them (see the module doc
    for every definition). Three queries given ``agents``, and one for each of the ticket tags
    of escalations and of macro uses when there are any."""
    agents = team_agents(team=team) if agents is None else agents
    by_id = {agent.pk: agent for agent in agents}
    escalations = _escalations(list(by_id), window)
    uses = list(
        MacroUse.objects.filter(
            macro__team=team,
            macro__enabled=True,
            created_at__gte=window.end - MACRO_LOOKBACK,
            created_at__lt=window.end,
            ticket__queue_id__in={e.ticket.queue_id for e in escalations},
        )
        .select_related("macro", "ticket")
        .prefetch_related("ticket__tags")
    )
    groups: dict[tuple[int, tuple[object, ...]], TopicGroup] = {}
    for escalation in escalations:
        agent_id = escalation.initiated_by_id or escalation.from_agent_id
        assert agent_id is not None
        ticket = escalation.ticket
        topic = topic_for(
            queue_id=ticket.queue_id,
            queue_name=ticket.queue.name if ticket.queue else "",
            tags=[tag.name for tag in ticket.tags.all()],
            authority_needed=escalation.handoff_authority_needed,
        )
        group = groups.get((agent_id, topic.key))
        if group is None:
            group = groups[(agent_id, topic.key)] = TopicGroup(agent=by_id[agent_id], topic=topic)
        group.ticket_ids.append(ticket.pk)
        verdict = _avoidable(escalation)
        if verdict is not None:
            group.judged += 1
            if verdict:
                group.avoidable_ticket_ids.append(ticket.pk)
    for (agent_id, _key), group in groups.items():
        group.macros = _macros_in_use(group.topic, uses, exclude_agent_id=agent_id)
    per_agent: dict[int, list[TopicGroup]] = defaultdict(list)
    for (agent_id, _key), group in groups.items():
        per_agent[agent_id].append(group)
    rows = [
        AgentTopics(
            agent=person,
            groups=sorted(per_agent[person.pk], key=lambda g: (-g.escalations, g.topic.words)),
        )
        for person in agents
        if per_agent[person.pk]
    ]
    return TeamTopics(
        team=team, window=window, agents=rows, write_macro=_write_macro(groups.values(), uses)
    )


def _write_macro(groups: Iterable[TopicGroup], uses: list[MacroUse]) -> list[WriteMacroPrompt]:
    by_topic: dict[tuple[object, ...], list[TopicGroup]] = defaultdict(list)
    for group in groups:
        by_topic[group.topic.key].append(group)
    prompts = []
    for members in by_topic.values():
        topic = members[0].topic
        avoidable = sum(g.avoidable for g in members)
        if avoidable < WRITE_MACRO_MIN_AVOIDABLE:
            continue
        if _macros_in_use(topic, uses, exclude_agent_id=None):
            continue
        members.sort(key=lambda g: (g.agent.name, g.agent.username, g.agent.pk))
        prompts.append(
            WriteMacroPrompt(
                topic=topic,
                agents=[g.agent for g in members],
                ticket_ids=[pk for g in members for pk in g.avoidable_ticket_ids],
                escalations=sum(g.escalations for g in members),
                avoidable=avoidable,
            )
        )
    prompts.sort(key=lambda p: (-p.avoidable, p.topic.words))
    return prompts
