"""Writes of saved views. Input is checked here, so every caller gets the same rules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict

from tickets.filters import QueueFilter
from tickets.models import Agent, SavedView, Ticket
from tickets.selectors import QUEUE_KINDS

from .selectors import saved_view_can_delete

# Bounds: views per agent (own) and per team (shared), and the length of a name and a query.
SAVED_VIEWS_MAX_PER_OWNER = 30
SAVED_VIEWS_MAX_PER_TEAM = 30
SAVED_VIEW_NAME_MAX_CHARS = 60
SAVED_VIEW_QUERY_MAX_CHARS = 500
# Parameters that belong to one visit, not to the view.
_TRANSIENT_PARAMS = ("page",)


def _query_clean(*, agent: Agent, query: str) -> str:
    if len(query) > SAVED_VIEW_QUERY_MAX_CHARS:
        raise ValidationError(
            {"query": [f"A view keeps at most {SAVED_VIEW_QUERY_MAX_CHARS} characters of filters."]}
        )
    params = QueryDict(query, mutable=True)
    for name in _TRANSIENT_PARAMS:
        params.pop(name, None)
    unknown = sorted(set(params) - set(QueueFilter.base_filters))
    if unknown:
        raise ValidationError({"query": [f"Unknown filter: {', '.join(unknown)}."]})
    filterset = QueueFilter(params, queryset=Ticket.objects.none(), agent=agent)
    if not filterset.is_valid():
        fields = ", ".join(sorted(filterset.errors))
        raise ValidationError({"query": [f"These filters are not valid: {fields}."]})
    return params.urlencode()


@transaction.atomic
def saved_view_create(
    *, agent: Agent, name: str, page: str, query: str, shared: bool = False
) -> SavedView:
    """Save the filters of a queue page under a name, for the agent or (a lead's) whole team."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": ["Give the view a name."]})
    if len(name) > SAVED_VIEW_NAME_MAX_CHARS:
        raise ValidationError(
            {"name": [f"A name has at most {SAVED_VIEW_NAME_MAX_CHARS} characters."]}
        )
    if page not in QUEUE_KINDS:
        raise ValidationError({"page": [f"Unknown queue page {page!r}."]})
    query = _query_clean(agent=agent, query=query)
    team_id = None
    if shared:
        if not agent.is_lead_or_admin or agent.team_id is None:
            raise ValidationError(
                {"shared": ["Only the team's lead shares views with the whole team."]}
            )
        team_id = agent.team_id
        if SavedView.objects.filter(team_id=team_id).count() >= SAVED_VIEWS_MAX_PER_TEAM:
            raise ValidationError(
                {"shared": [f"A team shares at most {SAVED_VIEWS_MAX_PER_TEAM} views."]}
            )
    elif (
        SavedView.objects.filter(owner=agent, team__isnull=True).count()
        >= SAVED_VIEWS_MAX_PER_OWNER
    ):
        raise ValidationError(
            {"name": [f"You can keep at most {SAVED_VIEWS_MAX_PER_OWNER} views: delete one."]}
        )
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                owner=agent, team_id=team_id, page=page, name=name, query=query
            )
    except IntegrityError:
        raise ValidationError({"name": [f"There is already a view called {name!r}."]}) from None


@transaction.atomic
def saved_view_delete(*, agent: Agent, saved_view: SavedView) -> None:
    """The owner deletes their view; a team view also its team's lead or an admin."""
    if not saved_view_can_delete(agent=agent, saved_view=saved_view):
        raise PermissionDenied("Only its owner or the team's lead can delete this view.")
    saved_view.delete()
