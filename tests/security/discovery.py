"""The site's pages, found by walking the URL resolver (so new pages are checked too)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from .conftest import OWN_APPS

# Inside the admin, only the views the project adds count (Django covers its own admin views).
OWN_MODULES = (*OWN_APPS, "kimondesk")
# The API has its own matrix; mail providers' inbound webhooks are machine endpoints that answer
# to the provider's signature, not to a session (tests/tickets/mail/test_webhooks.py).
SKIP_PREFIXES = ("api/", "mail/inbound/")


@dataclass(frozen=True)
class Page:
    name: str
    route: str
    params: tuple[str, ...]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Page]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            module = getattr(entry.callback, "__module__", "") or ""
            in_admin = namespace.startswith("admin:")
            if route.startswith(SKIP_PREFIXES) or (in_admin and not module.startswith(OWN_MODULES)):
                continue
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
            yield Page(name=f"{namespace}{entry.name or route}", route=route, params=params)


def site_pages() -> list[Page]:
    """Every URL pattern of the site outside the API, and the admin views the project adds."""
    return sorted(_walk(get_resolver().url_patterns), key=lambda p: p.name)


PAGES = site_pages()


def fill(page: Page, values: dict[str, Any]) -> str:
    missing = [p for p in page.params if p not in values]
    assert not missing, f"{page.name}: give the security tests a value for {missing}"
    path = page.route
    for name in page.params:
        path = re.sub(rf"<(?:\w+:)?{name}>", str(values[name]), path)
    return "/" + path.lstrip("^").rstrip("$")
