"""The API's JSON parser: malformed, too deeply nested or too large bodies are the contract's
400, never a server error."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from kimondesk.bounds import JSON_MAX_DEPTH


def json_depth_check(value: Any) -> None:
    """Raise ``ParseError`` if ``value`` nests lists/objects deeper than ``JSON_MAX_DEPTH``
    (iterative, so the check itself cannot overflow the stack)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, Mapping) else item
        if not isinstance(item, Mapping | list):
            continue
        if depth > JSON_MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {JSON_MAX_DEPTH} levels.")
        stack.extend((child, depth + 1) for child in children)


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {JSON_MAX_DEPTH} levels.") from None
        json_depth_check(data)
        return data
