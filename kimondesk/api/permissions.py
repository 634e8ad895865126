"""Role checks of the v1 contract: admin (superuser), lead, senior, junior.

Reads need a signed-in agent. Writes are limited per view by ``write_roles``; views whose rows
belong to a team set ``team_scoped`` so that a lead changes only their own team's rows.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

ADMIN = "admin"
LEAD = "lead"
ANY_AGENT = "agent"
READ_REFUSAL = "Only team leads and admins can see this."


def agent_is_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def agent_is_lead_or_admin(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_lead_or_admin)


class RoleWritePermission(BasePermission):
    """``view.read_leads_only``: only leads and admins see it at all.

    ``view.write_roles``: ``"admin"``, ``"lead"`` (leads and admins) or ``"agent"`` (anyone)."""

    message = "Your role does not allow this change."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(view, "read_leads_only", False) and not agent_is_lead_or_admin(user):
            # DRF reads ``self.message`` after a refusal: name what was refused.
            self.message = READ_REFUSAL
            return False
        if request.method in SAFE_METHODS:
            return True
        write_roles = getattr(view, "write_roles", ANY_AGENT)
        if write_roles == ADMIN:
            return agent_is_admin(user)
        if write_roles == LEAD:
            return agent_is_lead_or_admin(user)
        return True

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in SAFE_METHODS or not getattr(view, "team_scoped", False):
            return True
        user: Any = request.user
        if agent_is_admin(user):
            return True
        return obj.team_id is not None and obj.team_id == user.team_id
