"""Reads behind the console: rule warnings, rule previews, fired counts and condition pickers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from escalations.engine.backtest import BacktestJudged, JudgedEscalation
from escalations.engine.conditions import CONDITION_FIELDS, ChoiceField, TagCondition
from escalations.engine.escalate import escalation_trigger_label
from escalations.engine.summary import evidence_lines
from escalations.models import Escalation, FeedbackReason, Rule, RuleKind, TargetKind
from escalations.services import rule_backtest
from tickets.models import Agent, Queue, Tag, Team, Ticket, TicketEvent
from tickets.selectors import tickets_visible_to

from .forms import ConditionVocabulary

FIRED_WINDOW_DAYS = 30


def fired_window_start(*, now: Any = None) -> datetime:
    """Where the rule list's "Fired (30 days)" window starts."""
    return (now or timezone.now()) - timedelta(days=FIRED_WINDOW_DAYS)


def rules_with_fired_count(rules: QuerySet[Rule], *, now: Any = None) -> QuerySet[Rule]:
    """Annotate ``fired_recently``: escalations each rule caused in the last 30 days."""
    since = fired_window_start(now=now)
    return rules.annotate(
        fired_recently=Count("escalations", filter=Q(escalations__created_at__gte=since))
    )


# --- Warnings --------------------------------------------------------------------------------
def _describe(conditions: Sequence[dict[str, Any]]) -> str:
    return " and ".join(f"{c['field']} {c['op']} {c['value']}" for c in conditions)


def conditions_contradictions(conditions: Sequence[dict[str, Any]]) -> list[str]:
    """Warnings for condition sets that no ticket can satisfy (cleaned conditions)."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for condition in conditions:
        by_field.setdefault(condition["field"], []).append(condition)
    warnings = []
    for key, group in by_field.items():
        field = CONDITION_FIELDS.get(key)
        if isinstance(field, ChoiceField):
            possible = [
                choice
                for choice in field.choices
                if all(field.compare(choice, c["op"], c["value"]) for c in group)
            ]
            impossible = not possible
        elif isinstance(field, TagCondition):
            forbidden = {
                v
                for c in group
                if c["op"] in ("ne", "not_in")
                for v in (c["value"] if isinstance(c["value"], list) else [c["value"]])
            }
            impossible = any(
                c["op"] in ("eq", "in")
                and set(c["value"] if isinstance(c["value"], list) else [c["value"]]) <= forbidden
                for c in group
            )
        else:
            allowed: set[Any] | None = None
            excluded: set[Any] = set()
            for c in group:
                values = set(c["value"] if isinstance(c["value"], list) else [c["value"]])
                if c["op"] in ("eq", "in"):
                    allowed = values if allowed is None else allowed & values
                else:
                    excluded |= values
            impossible = allowed is not None and not (allowed - excluded)
        if impossible:
            warnings.append(f"These conditions can never all hold: {_describe(group)}.")
    return warnings


def rule_warnings(*, rule: Rule) -> list[str]:
    """What makes a (valid) rule contradictory or unreachable; saving is still allowed."""
    warnings = conditions_contradictions(rule.conditions or [])
    if rule.team_id is not None:
        for c in rule.conditions or []:
            if c["field"] == "team" and c["op"] == "eq" and c["value"] != rule.team_id:
                warnings.append(
                    "The condition team eq "
                    f"{c['value']} excludes every ticket of the rule's own team."
                )
            if c["field"] == "queue" and c["op"] == "eq":
                queue = Queue.objects.filter(pk=c["value"]).first()
                if queue is None:
                    warnings.append(f"No queue has the id {c['value']}: the rule never fires.")
                elif queue.team_id != rule.team_id:
                    warnings.append(
                        f"The condition queue eq {queue} names another team's queue: "
                        "the rule never fires."
                    )
    target = rule.target
    if target is not None:
        queue = target.queue if target.kind == TargetKind.QUEUE else None
        if queue is not None and rule.team_id is not None and queue.team_id != rule.team_id:
            warnings.append(f"The target queue {queue} belongs to another team than this rule.")
        if target.kind == TargetKind.AGENT and target.agent is not None:
            agent: Agent = target.agent
            if not agent.is_active:
                warnings.append(f"The target agent {agent} is deactivated.")
            elif not agent.is_available:
                warnings.append(f"The target agent {agent} is marked unavailable.")
    if rule.kind == RuleKind.ROUTING and not (rule.route_queue_id or rule.route_assignee_id):
        warnings.append("This routing rule sets neither a queue nor an assignee: it does nothing.")
    if not rule.enabled:
        warnings.append("This rule is disabled: it will not fire until enabled.")
    return warnings


# --- Preview ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PreviewHit:
    """One backtest hit as the viewer may see it: another team's ticket shows no subject."""

    ticket_id: int
    at: Any
    trigger: str
    visible: bool
    subject: str = ""
    evidence: Any = None
    # In words, as the pinned summary shows them (empty for another team's ticket).
    trigger_label: str = ""
    sentence: str = ""
    evidence_lines: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PreviewJudged:
    """A past escalation and its feedback as the viewer may see it (another team's ticket shows
    no comment)."""

    escalation_id: int
    ticket_id: int
    at: Any
    reason_label: str
    comment: str
    visible: bool


def _preview_judged(rows: list[JudgedEscalation], visible: set[int]) -> list[PreviewJudged]:
    labels = dict(FeedbackReason.choices)
    return [
        PreviewJudged(
            escalation_id=row.escalation_id,
            ticket_id=row.ticket_id,
            at=row.at,
            reason_label=labels.get(row.reason, ""),
            comment=row.comment if row.ticket_id in visible else "",
            visible=row.ticket_id in visible,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RulePreview:
    rule: Rule
    days: int
    window_start: Any
    window_end: Any
    tickets_evaluated: int
    hits: list[PreviewHit]
    team_hits: int
    team_tickets_handled: int
    escalations_before: int
    escalations_after: int
    judged: BacktestJudged = field(default_factory=BacktestJudged)
    unnecessary: list[PreviewJudged] = field(default_factory=list)
    missed_needed: list[PreviewJudged] = field(default_factory=list)

    @property
    def other_team_hits(self) -> int:
        return len(self.hits) - self.team_hits

    @property
    def rate_before(self) -> float | None:
        if not self.team_tickets_handled:
            return None
        return self.escalations_before / self.team_tickets_handled

    @property
    def rate_after(self) -> float | None:
        if not self.team_tickets_handled:
            return None
        return self.escalations_after / self.team_tickets_handled


def rule_preview_build(*, rule: Rule, days: int, viewer: Agent) -> RulePreview:
    """The backtest of a (possibly unsaved) rule and how it moves the team's escalation rate.

    The rate is escalations / tickets handled (tickets of the team's queues with any activity in
    the window). "After" replaces what this rule already escalated there with its hits on the
    team's tickets. Hits on tickets the viewer may not see are listed without subject or evidence.
    """
    result = rule_backtest(rule=rule, days=days)
    start, end = result.window_start, result.window_end
    events = TicketEvent.objects.filter(created_at__gte=start, created_at__lte=end)
    escalations = Escalation.objects.filter(created_at__gte=start, created_at__lte=end)
    hit_ids = {hit.ticket_id for hit in result.hits}
    team_ids = hit_ids
    if rule.team_id is not None:
        events = events.filter(ticket__queue__team_id=rule.team_id)
        escalations = escalations.filter(ticket__queue__team_id=rule.team_id)
        team_ids = set(
            Ticket.objects.filter(pk__in=hit_ids, queue__team_id=rule.team_id).values_list(
                "pk", flat=True
            )
        )
    judged = result.judged
    judged_ids = {row.ticket_id for row in [*judged.unnecessary, *judged.missed_needed]}
    visible = set(
        tickets_visible_to(agent=viewer)
        .filter(pk__in=hit_ids | judged_ids)
        .values_list("pk", flat=True)
    )
    hits = [
        PreviewHit(
            ticket_id=hit.ticket_id,
            at=hit.at,
            trigger=hit.trigger,
            visible=hit.ticket_id in visible,
            subject=hit.subject if hit.ticket_id in visible else "",
            evidence=hit.evidence if hit.ticket_id in visible else None,
            trigger_label=escalation_trigger_label(hit.trigger),
            sentence=hit.sentence if hit.ticket_id in visible else "",
            evidence_lines=(
                tuple(evidence_lines(hit.trigger, hit.evidence)) if hit.ticket_id in visible else ()
            ),
        )
        for hit in result.hits
    ]
    team_hits = sum(1 for hit in hits if hit.ticket_id in team_ids)
    before = escalations.count()
    own = escalations.filter(rule_id=rule.pk).count() if rule.pk else 0
    return RulePreview(
        rule=rule,
        days=days,
        window_start=start,
        window_end=end,
        tickets_evaluated=result.tickets_evaluated,
        hits=hits,
        team_hits=team_hits,
        team_tickets_handled=events.values("ticket_id").distinct().count(),
        escalations_before=before,
        escalations_after=before - own + team_hits,
        judged=judged,
        unnecessary=_preview_judged(judged.unnecessary, visible),
        missed_needed=_preview_judged(judged.missed_needed, visible),
    )


# --- Condition pickers -------------------------------------------------------------------------
def condition_vocabulary(*, team_id: int | None) -> ConditionVocabulary:
    """What condition rows offer: a lead's own team and its queues (an admin: every team and
    queue), every tag, and the choices of the choice fields. Three queries."""
    queues = Queue.objects.select_related("team").order_by("team__name", "name")
    teams = Team.objects.order_by("name")
    if team_id is not None:
        queues, teams = queues.filter(team_id=team_id), teams.filter(pk=team_id)
    queue_rows = [(q.pk, str(q), q.name) for q in queues]
    team_rows = [(t.pk, t.name) for t in teams]
    short_names = [name.lower() for _, _, name in queue_rows]
    queue_aliases = {label.lower(): pk for pk, label, _ in queue_rows}
    queue_aliases |= {
        name.lower(): pk for pk, _, name in queue_rows if short_names.count(name.lower()) == 1
    }
    options: dict[str, list[tuple[str, str]]] = {
        "queue": [(str(pk), label) for pk, label, _ in queue_rows],
        "team": [(str(pk), name) for pk, name in team_rows],
        "tag": [(name, name) for name in Tag.objects.values_list("name", flat=True)],
    }
    for condition_field in CONDITION_FIELDS:
        if isinstance(condition_field, ChoiceField):
            options[condition_field.key] = [(c, c) for c in condition_field.choices]
    return ConditionVocabulary(
        options=options,
        aliases={
            "queue": queue_aliases,
            "team": {name.lower(): pk for pk, name in team_rows},
        },
    )
