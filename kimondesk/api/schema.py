"""OpenAPI generation: every operation documents the contract's error shapes.

``ApiAutoSchema`` adds 400/401/403/404/409/413/422/429 responses where they can happen, so the views
do not repeat them; views name their state-conflict actions in ``conflict_actions``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "description": "What went wrong, for people.",
}
VALIDATION_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        'Every bad field with its messages: `{"field": ["message", ...]}`; errors that concern '
        "no single field are under `non_field_errors`. Nested objects and lists report their own "
        "fields the same way."
    ),
    "additionalProperties": {
        "anyOf": [{"type": "array", "items": {}}, {"type": "object", "additionalProperties": {}}]
    },
}


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Retry-safe POST: the same key and body within 24 h returns the first response and "
        "creates nothing; the same key with another body is a 422. At most 255 characters."
    ),
)


class ApiAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        """The resource (``tickets``, ``rules``, ``audit-events``, ...) groups the operations in
        the rendered docs; operation ids keep their ``v1_`` prefix, which clients are built on."""
        parts = [part for part in self.path.split("/") if part]
        if parts[:2] == ["api", "v1"] and len(parts) > 2:
            return [parts[2]]
        return list(super().get_tags())

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self.method.upper() == "POST":
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _component(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_codes(self) -> dict[str, str]:
        method = self.method.upper()
        action = getattr(self.view, "action", None)
        codes = {
            "401": "Not signed in: send `Authorization: Token <key>` or a session cookie.",
            "403": "Signed in, but your role may not do this.",
            "404": "Unknown, or not visible to you (e.g. another team's ticket), or no such page.",
            "429": "Too many requests: wait `Retry-After` seconds.",
        }
        if method in ("POST", "PUT", "PATCH") or (
            method == "GET"
            and (
                self._is_list_view()
                or action in getattr(self.view, "bad_query_actions", ())
                or getattr(self.view, "bad_query", False)
            )
        ):
            codes["400"] = "Bad input: every bad field is named."
        if method in ("POST", "PUT", "PATCH"):
            codes["413"] = "The request body is larger than the upload limit."
        if method == "POST":
            codes["422"] = "The `Idempotency-Key` was used before with a different request."
        if method == "DELETE" or action in getattr(self.view, "conflict_actions", ()):
            codes["409"] = "Conflicts with the current state (e.g. already acknowledged, in use)."
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._error_codes().items():
            if code in responses:
                continue
            if code == "400":
                ref = self._component("ValidationError", VALIDATION_ERROR_SCHEMA)
            else:
                ref = self._component("Error", ERROR_SCHEMA)
            response: dict[str, Any] = {
                "description": description,
                "content": {"application/json": {"schema": ref}},
            }
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before retrying.",
                    }
                }
            responses[code] = response
        return responses
