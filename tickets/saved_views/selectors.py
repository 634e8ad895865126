"""Reads of saved views."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tickets.models import Agent, SavedView


def saved_views_visible_to(*, agent: Agent) -> QuerySet[SavedView]:
    """The agent's own views and the views shared with their team."""
    shared = Q(team_id=agent.team_id) if agent.team_id is not None else Q(pk__in=[])
    return SavedView.objects.filter(Q(owner=agent, team__isnull=True) | shared)


def saved_views_for_page(*, agent: Agent, page: str) -> list[SavedView]:
    """The views offered on one queue page: the team's first, then the agent's own."""
    views = saved_views_visible_to(agent=agent).filter(page=page)
    return sorted(views, key=lambda view: (view.team_id is None, view.name.lower(), view.pk))


def saved_view_can_delete(*, agent: Agent, saved_view: SavedView) -> bool:
    """The owner, an admin, and for a team view the team's lead (the service enforces it)."""
    if saved_view.owner_id == agent.pk or agent.is_superuser:
        return True
    return saved_view.team_id is not None and agent.is_lead and agent.team_id == saved_view.team_id
