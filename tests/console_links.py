"""Every link on a console page opens for the one who reads it (no 403 behind a name)."""

from __future__ import annotations

import re

# The page's own chrome: signing out and the password page are not the page's content.
_CHROME = ("/static/", "/admin/logout", "/admin/password_change")


def page_links(html: str) -> set[str]:
    return {href for href in re.findall(r'href="(/[^"#?]*)', html) if not href.startswith(_CHROME)}


def links_refused(client, html: str) -> dict[str, int]:
    """The page's links that answer an error to ``client``, with their status."""
    statuses = {href: client.get(href).status_code for href in sorted(page_links(html))}
    return {href: code for href, code in statuses.items() if code >= 400}
