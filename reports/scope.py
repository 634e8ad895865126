"""Which team and month a team report is for: the request's parameters parsed and checked
against what the viewer may see (pages, CSV exports and the API share it)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tickets.models import Agent, Team

from .selectors import month_default, month_parse, report_teams_visible_to


def report_scope(
    *, viewer: Agent, team_param: str | None, month_param: str | None
) -> tuple[Team, date, list[Team]]:
    """The team and month a lead or admin asked for. PermissionDenied for other roles, Http404 for
    a team they may not see, ValidationError naming ``team`` or ``month`` for bad input."""
    teams = list(report_teams_visible_to(agent=viewer))
    if not teams:
        if viewer.is_superuser:
            raise Http404("There is no team yet.")
        raise PermissionDenied("Team reports are for team leads and admins.")
    if team_param:
        try:
            team_id = int(team_param)
        except ValueError:
            raise ValidationError({"team": ["Enter a team id (an integer)."]}) from None
        team = next((t for t in teams if t.pk == team_id), None)
        if team is None:
            raise Http404("No such team.")
    else:
        team = next((t for t in teams if t.pk == viewer.team_id), teams[0])
    month = month_parse(value=month_param, default=month_default(team=team))
    return team, month, teams
