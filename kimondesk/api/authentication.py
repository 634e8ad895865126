"""Token authentication: DRF's, with its one read compiled (it runs on every API request)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from kimondesk.compiled_queries import CompiledQuery

_token_with_agent = CompiledQuery(
    lambda *, key: Token.objects.select_related("user").filter(key=key), key=str
)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>``, answered exactly as DRF answers it."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = _token_with_agent.first(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
