"""``ETag`` / ``If-Match`` for resources that carry a ``version`` (optimistic concurrency).

The ETag of a resource at version N is ``"N"`` (a strong validator). ``If-Match`` takes one
ETag (``"N"``, ``W/"N"`` or a bare ``N``) or ``*`` (any version); anything else is a 400 naming
the header. A missing header means "no check" (documented per endpoint).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from rest_framework.request import Request

IF_MATCH = "If-Match"
_ETAG = re.compile(r'^(?:W/)?"?(\d{1,10})"?$')
IF_MATCH_REFUSAL = 'Must be one ETag from a read of this resource, e.g. "3", or *.'


def etag_for(*, version: int) -> str:
    return f'"{version}"'


def if_match_version(*, request: Request) -> int | None:
    """The version the client says it saw, or None when it sent no header (or ``*``)."""
    raw = request.headers.get(IF_MATCH)
    if raw is None or raw.strip() == "*":
        return None
    match = _ETAG.match(raw.strip())
    if match is None:
        raise ValidationError({IF_MATCH: [IF_MATCH_REFUSAL]})
    return int(match.group(1))
