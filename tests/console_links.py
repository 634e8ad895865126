"""Every link on a console page opens for the one who reads it (no 403 behind a name)."""

from __future__ import annotations

import re

# The page's own chrome: signing out and the password page are not the page's content.
_CHROME = ("/static/", "/admin/logout", "/admin/password_change")


def page_links(html: str) -> set[str]:
    return {href for href in re.findall(r'href="(/[^"#?]*)', html) if not href.startswith(_CHROME)}


def links_refused(client, html: str, seen: dict[str, int] | None = None) -> dict[str, int]:
    """The page's links that answer an error to ``client``, with their status (``seen``: the
    statuses of links already opened, filled as links are opened)."""
    seen = {} if seen is None else seen
    for href in sorted(page_links(html) - seen.keys()):
        seen[href] = client.get(href).status_code
    return {href: seen[href] for href in page_links(html) if seen[href] >= 400}
