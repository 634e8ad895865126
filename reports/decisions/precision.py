"""Rule precision from receivers' feedback, per rule and per trigger kind.

- **Fired**: escalations of the month (first level and up-level steps alike) made by the rule, or
  with that trigger, that belong to the team (its rules, or any escalation from its queues).
- **Feedback coverage**: the share of those with receiver feedback.
- **Judged needed**: the share of the judged ones the receiver said were needed (of the judged,
  not of all fired: an unjudged escalation says nothing either way).
- **Worst examples**: the escalations judged not needed, newest first (at most
  ``PRECISION_EXAMPLES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from escalations.models import Escalation, FeedbackReason, Rule, RuleKind, TriggerKey
from reports.selectors import MonthWindow, team_rule_escalations
from tickets.models import Team

PRECISION_EXAMPLES = 25
REASON_LABELS: dict[str, str] = dict(FeedbackReason.choices)


@dataclass
class PrecisionRow:
    key: str  # a rule id or a trigger kind
    label: str
    fired: int = 0
    judged: int = 0
    needed: int = 0
    not_needed_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def not_needed(self) -> int:
        return self.judged - self.needed

    @property
    def coverage(self) -> float | None:
        return self.judged / self.fired if self.fired else None

    @property
    def needed_share(self) -> float | None:
        return self.needed / self.judged if self.judged else None

    @property
    def reasons_labelled(self) -> list[tuple[str, int]]:
        """Not-needed reasons, most frequent first ("No reason given" for blank)."""
        rows = sorted(self.not_needed_reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(REASON_LABELS.get(reason, "No reason given"), n) for reason, n in rows]


def team_escalations(*, team: Team, window: MonthWindow) -> QuerySet[Escalation]:
    """Every escalation of the month that belongs to the team: from its queues, or by its rules."""
    return Escalation.objects.filter(
        Q(from_queue__team=team) | Q(rule__team=team),
        created_at__gte=window.start,
        created_at__lt=window.end,
    )


def _precision_by(qs: QuerySet[Escalation], group: str) -> dict[object, PrecisionRow]:
    """Two aggregate queries: counts per group, then not-needed reasons per group."""
    rows: dict[object, PrecisionRow] = {}
    counts = (
        qs.values(group)
        .annotate(
            fired=Count("id"),
            judged=Count("feedback"),
            needed=Count("feedback", filter=Q(feedback__needed=True)),
        )
        .order_by()
    )
    for row in counts:
        rows[row[group]] = PrecisionRow(
            key=str(row[group]),
            label="",
            fired=row["fired"],
            judged=row["judged"],
            needed=row["needed"],
        )
    reasons = (
        qs.filter(feedback__needed=False)
        .values(group, "feedback__reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in reasons:
        rows[row[group]].not_needed_reasons[row["feedback__reason"]] = row["n"]
    return rows


def rule_precision(*, team: Team, window: MonthWindow) -> list[PrecisionRow]:
    """Per escalation rule of the team (and global rules that fired on its queues), by name;
    rules that never fired are listed with zeros (as on rule health)."""
    found = _precision_by(team_rule_escalations(team=team, window=window), "rule_id")
    rules = (
        Rule.objects.filter(Q(team=team) | Q(pk__in=list(found)), kind=RuleKind.ESCALATION)
        .order_by("name", "id")
        .values_list("id", "name")
    )
    result = []
    for pk, name in rules:
        row = found.get(pk) or PrecisionRow(key=str(pk), label=name)
        row.label = name
        result.append(row)
    return result


def trigger_precision(*, team: Team, window: MonthWindow) -> list[PrecisionRow]:
    """Per trigger kind (every kind, in the order of ``TriggerKey``), rule-fired and manual."""
    found = _precision_by(team_escalations(team=team, window=window), "trigger")
    result = []
    for kind, label in TriggerKey.choices:
        row = found.get(kind) or PrecisionRow(key=kind, label=label)
        row.label = label
        result.append(row)
    return result


def precision_examples(
    *, team: Team, window: MonthWindow, rule_id: int | None = None, trigger: str | None = None
) -> list[Escalation]:
    """The escalations of the month judged not needed (of one rule, of one trigger kind, or all
    of the team's), newest first, with their ticket, receiver and feedback; at most
    ``PRECISION_EXAMPLES``."""
    if rule_id is not None:
        qs = team_rule_escalations(team=team, window=window).filter(rule_id=rule_id)
    elif trigger is not None:
        qs = team_escalations(team=team, window=window).filter(trigger=trigger)
    else:
        qs = team_escalations(team=team, window=window)
    return list(
        qs.filter(feedback__needed=False)
        .select_related("ticket", "to_agent", "from_agent", "feedback__author")
        .order_by("-created_at", "-id")[:PRECISION_EXAMPLES]
    )
