"""Whether a received mail's sender passed authentication at the mailbox's own mail server.

The receiving mail server checks SPF, DKIM and DMARC and writes what it found in an
``Authentication-Results`` header (RFC 8601) that it puts on top of the mail. KimonDesk cannot
check these itself once the mail has been relayed, and anyone can write such a header into a
mail, so only the topmost header carrying the mailbox's ``authserv_id`` (the name the mailbox's
own server signs its results with) is read; headers further down, and every header when the
mailbox names no server, are ignored.

A sender fails when DMARC failed, or, without a DMARC verdict, when SPF failed (or soft-failed)
and no DKIM signature passed: the mail may be forged, so it must not reach a customer's ticket
(and fire their escalation rules) under their address. Everything else passes, including no
verdict at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

AUTHENTICATION_METHODS = ("dmarc", "spf", "dkim")
SPF_FAILURES = frozenset({"fail", "softfail"})
UNAUTHENTICATED_PREFIX = "sender not authenticated"

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*([A-Za-z]+)")


@dataclass(frozen=True)
class SenderAuthentication:
    """The verdicts of one ``Authentication-Results`` header: method → result, the first of
    each method (``{"spf": "pass", "dkim": "fail"}``)."""

    authserv_id: str
    results: dict[str, str]

    @property
    def failed(self) -> bool:
        dmarc = self.results.get("dmarc")
        if dmarc is not None:
            return dmarc == "fail"
        return self.results.get("spf") in SPF_FAILURES and self.results.get("dkim") != "pass"

    def reason(self) -> str:
        found = ", ".join(
            f"{method}={self.results[method]}"
            for method in AUTHENTICATION_METHODS
            if method in self.results
        )
        return f"{UNAUTHENTICATED_PREFIX} at {self.authserv_id}: {found}"


def _without_comments(value: str) -> str:
    previous = None
    while previous != value:
        previous, value = value, _COMMENT.sub(" ", value)
    return value


def authentication_results_parse(header: str) -> SenderAuthentication | None:
    """One header's authserv-id and verdicts; None when it has no authserv-id."""
    parts = _without_comments(header).split(";")
    head = parts[0].split()
    if not head:
        return None
    results: dict[str, str] = {}
    for part in parts[1:]:
        match = _RESULT.match(part)
        if match:
            results.setdefault(match.group(1).lower(), match.group(2).lower())
    return SenderAuthentication(authserv_id=head[0].lower(), results=results)


def sender_authentication(
    *, headers: Sequence[str], authserv_id: str
) -> SenderAuthentication | None:
    """The verdicts of the topmost header (``headers`` top down) written by ``authserv_id``;
    None when the mailbox names no server or no header of its server is on the mail."""
    wanted = authserv_id.strip().lower()
    if not wanted:
        return None
    for header in headers:
        parsed = authentication_results_parse(header)
        if parsed is not None and parsed.authserv_id == wanted:
            return parsed
    return None
