"""The pinned summary note of an escalation, as plain text (pure: no queries)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class Handoff:
    """What the handing-off agent tried, what they think the issue is, what authority they need."""

    tried: str
    diagnosis: str
    authority_needed: str


def duration_words(seconds: float) -> str:
    """``3 h 5 min``, ``12 min``, ``2 d 4 h``, ``under 1 min``."""
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "under 1 min"


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return parse_datetime(value)
    return None


def sla_words(sla: Mapping[str, object], zone: tzinfo | None = None) -> str:
    """The SLA clock in words: state, due time and time left (or overdue). The time left is the
    clock's own, counted in its calendar's working hours (``remaining_seconds``), so it is named
    so: the badge beside the pinned summary counts the wall-clock time to the due time. The due
    time is given in ``zone`` (the team's) when there is one, else in its own."""
    state = sla.get("state")
    if not state:
        return "SLA: no clock is running."
    metric = str(sla.get("metric") or "first_response").replace("_", " ")
    due = _when(sla.get("due_at") or sla.get("first_response_due_at"))
    parts = [f"SLA: {metric} {state}"]
    if due is not None:
        parts.append(f"due {due.astimezone(zone or due.tzinfo).strftime('%Y-%m-%d %H:%M %Z')}")
    remaining = sla.get("remaining_seconds")
    if isinstance(remaining, int | float):
        if remaining >= 0:
            parts.append(f"{duration_words(remaining)} of working time left")
        else:
            parts.append(f"overdue by {duration_words(remaining)} of working time")
    return ", ".join(parts) + "."


EVIDENCE_CUSTOMER_WROTE = "Customer wrote"


def evidence_lines(trigger: str, evidence: Mapping[str, object]) -> list[tuple[str, str]]:
    """What the trigger saw, labelled: the sentence that scored negative, the refund amount
    against its threshold, the clock or tier change."""
    lines: list[tuple[str, str]] = []
    if evidence.get("excerpt"):
        lines.append((EVIDENCE_CUSTOMER_WROTE, f"“{evidence['excerpt']}”"))
        if evidence.get("score") is not None:
            lines.append(("Sentiment score", str(evidence["score"])))
    if evidence.get("amount") and evidence.get("threshold"):
        currency = evidence.get("currency", "")
        # A rule may compare in another currency (the sentence gives the conversion); evidence
        # stored before thresholds had their own currency compared in the refund's.
        threshold_currency = evidence.get("threshold_currency", currency)
        lines.append(
            (
                "Refund",
                f"{evidence['amount']} {currency} "
                f"(threshold {evidence['threshold']} {threshold_currency})",
            )
        )
    if evidence.get("metric") and evidence.get("from") and evidence.get("to"):
        metric = str(evidence.get("metric") or "").replace("_", " ")
        lines.append(("SLA clock", f"{metric} {evidence['from']} → {evidence['to']}".strip()))
    elif trigger == "tier_upgrade" and evidence.get("from") and evidence.get("to"):
        lines.append(("Tier", f"{evidence['from']} → {evidence['to']}"))
    return lines


@dataclass(frozen=True)
class EscalationSummary:
    """The pinned summary as data: rendered as HTML on the ticket page (the same for every
    viewer) and as plain text in the summary note. Stored on ``Escalation.summary``."""

    trigger_label: str
    sentence: str
    evidence: tuple[tuple[str, str], ...]
    route_from: str
    route_to: str
    route_by: str
    rule_fired: bool
    route_notes: tuple[str, ...]
    handoff: Handoff | None
    handoff_author: str
    handoff_is_earlier: bool
    last_customer_excerpt: str
    sla: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [list(pair) for pair in self.evidence]
        data["route_notes"] = list(self.route_notes)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EscalationSummary:
        handoff = data.get("handoff")
        return cls(
            **{
                **data,
                "evidence": tuple((str(k), str(v)) for k, v in data.get("evidence", [])),
                "route_notes": tuple(data.get("route_notes", [])),
                "handoff": Handoff(**handoff) if handoff else None,
            }
        )

    @property
    def evidence_shown(self) -> tuple[tuple[str, str], ...]:
        """The evidence lines the sentence does not already say word for word (a sentiment
        firing's sentence quotes the message and gives its score: not said twice)."""
        return tuple((label, value) for label, value in self.evidence if value not in self.sentence)

    @property
    def last_customer_shown(self) -> bool:
        """Without a handoff the customer's last message stands in for one, unless the trigger's
        evidence already quotes that very message (a sentiment firing)."""
        if self.handoff is not None:
            return False
        quoted = f"“{self.last_customer_excerpt}”"
        return not any(
            label == EVIDENCE_CUSTOMER_WROTE and value == quoted for label, value in self.evidence
        )

    @property
    def no_handoff_words(self) -> str:
        """Why there is no handoff: a rule fired while someone (or nobody) held the ticket."""
        holder = self.route_from if self.route_from != "unassigned" else "nobody"
        return f"None: {self.route_by} fired while {holder} held the ticket, so no handoff was written."


def escalation_summary_build(
    *,
    trigger: str,
    trigger_label: str,
    sentence: str,
    evidence: Mapping[str, object],
    route_from: str,
    route_to: str,
    route_by: str,
    rule_fired: bool,
    route_notes: list[str] | tuple[str, ...],
    handoff: Handoff | None,
    handoff_author: str,
    handoff_is_earlier: bool,
    last_customer_excerpt: str,
    sla: Mapping[str, object],
    sla_zone: tzinfo | None = None,
) -> EscalationSummary:
    return EscalationSummary(
        trigger_label=trigger_label,
        sentence=sentence,
        evidence=tuple(evidence_lines(trigger, evidence)),
        route_from=route_from,
        route_to=route_to,
        route_by=route_by,
        rule_fired=rule_fired,
        route_notes=tuple(route_notes),
        handoff=handoff,
        handoff_author=handoff_author,
        handoff_is_earlier=handoff_is_earlier,
        last_customer_excerpt=last_customer_excerpt,
        sla=sla_words(sla, sla_zone),
    )


def escalation_summary_text(summary: EscalationSummary) -> str:
    """The summary note: trigger and evidence, route, handoff, and the SLA clock."""
    lines = [f"Escalated: {summary.trigger_label}", f"What changed: {summary.sentence}"]
    lines.extend(f"{label}: {value}" for label, value in summary.evidence_shown)
    lines.append(f"Route: {summary.route_from} → {summary.route_to}, by {summary.route_by}")
    lines.extend(f"Route note: {note}" for note in summary.route_notes)
    handoff = summary.handoff
    if handoff is not None:
        earlier = "Earlier handoff" if summary.handoff_is_earlier else "Handoff"
        lines += [
            f"{earlier} from {summary.handoff_author}:",
            f"- Tried: {handoff.tried}",
            f"- Diagnosis: {handoff.diagnosis}",
            f"- Authority needed: {handoff.authority_needed}",
        ]
    else:
        lines.append(f"Handoff: {summary.no_handoff_words}")
    if summary.last_customer_shown:
        excerpt = summary.last_customer_excerpt
        lines.append(
            f"Last customer message: “{excerpt}”" if excerpt else "Last customer message: none."
        )
    lines.append(summary.sla)
    return "\n".join(lines)
