"""Reads of macros: who sees and uses which, the picker's search, placeholder values, usage.

Visibility in one place: a team macro is seen and used by the agents of its team (admins: every
team's), on tickets of that team's queues; a personal macro only by its owner, on any ticket
the owner can see. Anything else is "not there" (404) for the API, the page and the console.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Max, Q, QuerySet

from escalations.audit.config import config_editable_by
from escalations.sla.selectors import sla_summary
from kimondesk.bounds import MACRO_PICKER_MAX_ENTRIES, MACRO_SEARCH_MAX_CHARS
from tickets.models import Agent, RefundRequest, Team, Ticket

from .models import Macro, MacroUse
from .placeholders import Rendered, macro_text_render


def macros_visible_to(*, agent: Agent) -> QuerySet[Macro]:
    """The macros ``agent`` may read: their team's and their own (admins: every team's, and
    their own personal ones)."""
    macros = Macro.objects.select_related("team", "owner")
    own = Q(owner_id=agent.pk)
    if agent.is_superuser:
        return macros.filter(own | Q(team__isnull=False))
    if agent.team_id is None:
        return macros.filter(own)
    return macros.filter(own | Q(team_id=agent.team_id))


def macro_editable_by(*, agent: Agent, macro: Macro) -> bool:
    """Personal macros: their owner. Team macros: the team's lead and admins (as for rules)."""
    if macro.owner_id is not None:
        return bool(agent.is_active and macro.owner_id == agent.pk)
    return config_editable_by(agent=agent, team_id=macro.team_id)


def _ticket_team_id(ticket: Ticket) -> int | None:
    return ticket.queue.team_id if ticket.queue_id and ticket.queue else None


def macros_usable_on(*, agent: Agent, ticket: Ticket) -> QuerySet[Macro]:
    """Enabled macros ``agent`` may use on ``ticket`` (which they can see): the ticket team's
    macros if it is their team (admins: any team), and their personal ones."""
    team_id = _ticket_team_id(ticket)
    may_use_team = team_id is not None and (agent.is_superuser or agent.team_id == team_id)
    allowed = Q(owner_id=agent.pk)
    if may_use_team:
        allowed |= Q(team_id=team_id)
    return Macro.objects.filter(allowed, enabled=True).select_related("team", "owner")


def macro_search(*, macros: QuerySet[Macro], query: str) -> list[Macro]:
    """The picker's matches for ``query`` (bounded): names containing it first, then macros
    whose reply text contains it; by name within each group; at most
    ``MACRO_PICKER_MAX_ENTRIES``."""
    query = " ".join(query.split())[:MACRO_SEARCH_MAX_CHARS]
    if not query:
        return list(macros.order_by("name", "id")[:MACRO_PICKER_MAX_ENTRIES])
    by_name = list(macros.filter(name__icontains=query).order_by("name", "id"))
    found = by_name[:MACRO_PICKER_MAX_ENTRIES]
    if len(found) < MACRO_PICKER_MAX_ENTRIES:
        by_text = macros.filter(body__icontains=query).exclude(pk__in=[m.pk for m in found])
        found += list(by_text.order_by("name", "id")[: MACRO_PICKER_MAX_ENTRIES - len(found)])
    return found


def _team_zone(team: Team | None) -> ZoneInfo:
    try:
        return ZoneInfo(team.timezone if team is not None else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _moment_text(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M} {local.tzname()}"


def macro_placeholder_values(*, ticket: Ticket, agent: Agent) -> dict[str, str | None]:
    """The values of every placeholder for ``ticket`` replied to by ``agent`` (None: unknown).
    Two queries: the running SLA clocks and the latest refund request."""
    team = ticket.queue.team if ticket.queue_id and ticket.queue else None
    due = sla_summary(ticket=ticket).get("due_at")
    refund = RefundRequest.objects.filter(ticket=ticket).order_by("-created_at", "-id").first()
    return {
        "customer_name": ticket.customer.name or None,
        "ticket_number": f"#{ticket.pk}",
        "agent_name": str(agent) or None,
        "sla_due": _moment_text(due, _team_zone(team)) if due else None,
        "refund_amount": f"{refund.amount} {refund.currency}" if refund else None,
    }


@dataclass(frozen=True)
class MacroRendering:
    macro: Macro
    reply: Rendered
    note: Rendered | None
    actions: list[str]


def macro_actions_text(*, macro: Macro) -> list[str]:
    """What sending the reply will also do, in words, e.g. ``set status to Pending``."""
    actions = []
    if macro.set_status:
        actions.append(f"set status to {macro.get_set_status_display()}")
    if macro.set_priority:
        actions.append(f"set priority to {macro.get_set_priority_display()}")
    if macro.add_tags:
        actions.append(f"add tags {', '.join(macro.add_tags)}")
    if macro.internal_note:
        actions.append("add an internal note")
    return actions


def macro_render_for(*, macro: Macro, ticket: Ticket, agent: Agent) -> MacroRendering:
    values = macro_placeholder_values(ticket=ticket, agent=agent)
    note = (
        macro_text_render(template=macro.internal_note, values=values)
        if macro.internal_note
        else None
    )
    return MacroRendering(
        macro=macro,
        reply=macro_text_render(template=macro.body, values=values),
        note=note,
        actions=macro_actions_text(macro=macro),
    )


# --- Usage ------------------------------------------------------------------------------------
@dataclass
class MacroUsageRow:
    macro: Macro
    uses: int
    last_used_at: datetime | None
    by_agent: list[tuple[Agent, int]] = field(default_factory=list)  # by name


@dataclass
class MacroUsage:
    used: list[MacroUsageRow]  # most used first, then by name
    never_used: list[Macro]  # by name (never used at all, not only in the window)
    unused_in_window: list[Macro]  # used before, but not between ``start`` and ``end``


def macro_usage(*, team: Team, start: datetime, end: datetime) -> MacroUsage:
    """Which of the team's macros were used between ``start`` and ``end``, how often and by
    whom; which were never used. Three queries."""
    macros = list(
        Macro.objects.filter(team=team).annotate(ever=Count("uses")).order_by("name", "id")
    )
    window = MacroUse.objects.filter(macro__team=team, created_at__gte=start, created_at__lt=end)
    counts = {
        row["macro"]: row
        for row in window.values("macro").annotate(n=Count("id"), last=Max("created_at"))
    }
    per_agent: dict[int, list[tuple[Agent, int]]] = defaultdict(list)
    agent_rows = window.filter(agent__isnull=False).values("macro", "agent").annotate(n=Count("id"))
    agents = Agent.objects.in_bulk({row["agent"] for row in agent_rows})
    for row in agent_rows:
        per_agent[row["macro"]].append((agents[row["agent"]], row["n"]))
    used = [
        MacroUsageRow(
            macro=macro,
            uses=counts[macro.pk]["n"],
            last_used_at=counts[macro.pk]["last"],
            by_agent=sorted(per_agent[macro.pk], key=lambda pair: (pair[0].name, pair[0].username)),
        )
        for macro in macros
        if macro.pk in counts
    ]
    used.sort(key=lambda row: (-row.uses, row.macro.name))
    return MacroUsage(
        used=used,
        never_used=[m for m in macros if m.ever == 0],
        unused_in_window=[m for m in macros if m.ever and m.pk not in counts],
    )
