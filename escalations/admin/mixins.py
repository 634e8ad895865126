"""Console building blocks of the escalations app (the generic ones, for every app, are in
``kimondesk.admin_mixins``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kimondesk.admin_mixins import is_admin, lead_team_id

from .selectors import condition_vocabulary


class ConditionPickersAdminMixin:
    """Admin pages whose form has condition rows: the pickers offer what the user may use."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        team_id = None if is_admin(request) else (lead_team_id(request) or 0)
        vocabulary = condition_vocabulary(team_id=team_id)
        return type(form.__name__, (form,), {"condition_vocabulary": vocabulary})
