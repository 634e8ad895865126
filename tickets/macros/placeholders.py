"""Placeholders in macro texts: which exist, and filling them in. Pure functions, no queries.

A placeholder is written ``{{ name }}`` (spaces inside the braces optional). Filling in is one
pass over the template: a value is inserted as it is and never read again for placeholders, so
a customer called ``{{ agent_name }}`` stays that text. A value that is not known for the
ticket (no refund requested, no SLA clock running) is left as a visible gap, ``[refund amount]``,
and named in ``missing`` so the agent fills it in before sending.

Two outputs: ``text`` (plain text for the reply composer: the page sets it as the textarea's
value and shows the sent message autoescaped) and ``preview_html`` (for the picker's preview:
every piece escaped, the filled-in values and gaps marked).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Placeholder:
    key: str
    label: str
    description: str


PLACEHOLDERS: dict[str, Placeholder] = {
    p.key: p
    for p in (
        Placeholder("customer_name", "customer name", "The customer's name."),
        Placeholder("ticket_number", "ticket number", "The ticket's number, e.g. #1042."),
        Placeholder("agent_name", "agent name", "The name of the agent sending the reply."),
        Placeholder(
            "sla_due",
            "SLA due time",
            "When the ticket's running SLA target is due, in the team's time zone.",
        ),
        Placeholder(
            "refund_amount",
            "refund amount",
            "The amount and currency of the ticket's latest refund request.",
        ),
    )
}

# ``{{ key }}`` with a name made of letters, digits and underscores (bounded: no backtracking).
_PLACEHOLDER = re.compile(r"\{\{\s{0,5}([A-Za-z_][A-Za-z0-9_]{0,40})\s{0,5}\}\}")


def placeholders_unknown(template: str) -> list[str]:
    """The names of ``{{ … }}`` placeholders in ``template`` that do not exist, sorted."""
    return sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - set(PLACEHOLDERS))


def placeholders_used(template: str) -> list[str]:
    """The known placeholders ``template`` uses, in order of first use."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(template):
        if match.group(1) in PLACEHOLDERS:
            seen.setdefault(match.group(1), None)
    return list(seen)


def placeholder_gap(key: str) -> str:
    """What stands in the text for a value the ticket does not have."""
    return f"[{PLACEHOLDERS[key].label}]"


@dataclass(frozen=True)
class Rendered:
    text: str
    preview_html: SafeString
    missing: tuple[str, ...]  # keys with no value, in order of first use

    @property
    def missing_labels(self) -> list[str]:
        return [PLACEHOLDERS[key].label for key in self.missing]


def macro_text_render(*, template: str, values: Mapping[str, str | None]) -> Rendered:
    """Fill in ``template``'s placeholders from ``values`` (a value of None or "" is missing).

    Unknown placeholders stay as written (the save refuses them; this keeps an old row
    readable)."""
    text_parts: list[str] = []
    html_parts: list[str] = []
    missing: dict[str, None] = {}
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        text_parts.append(literal)
        html_parts.append(conditional_escape(literal))
        position = match.end()
        key = match.group(1)
        if key not in PLACEHOLDERS:
            text_parts.append(match.group(0))
            html_parts.append(conditional_escape(match.group(0)))
            continue
        value = values.get(key)
        if value:
            text_parts.append(value)
            html_parts.append(format_html('<mark class="macro-value">{}</mark>', value))
        else:
            missing.setdefault(key, None)
            text_parts.append(placeholder_gap(key))
            html_parts.append(
                format_html('<mark class="macro-missing">{}</mark>', placeholder_gap(key))
            )
    literal = template[position:]
    text_parts.append(literal)
    html_parts.append(conditional_escape(literal))
    return Rendered(
        text="".join(text_parts),
        preview_html=mark_safe("".join(html_parts)),  # noqa: S308 (every part escaped above)
        missing=tuple(missing),
    )
