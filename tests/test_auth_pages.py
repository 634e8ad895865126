"""Sign-in and sign-out, and no page without signing in.

The page list is discovered from the URL configuration, so pages added later are covered.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories

PASSWORD = "pw-for-tests-1"
# Prefixes that are not pages: the admin site has its own sign-in, the API answers 401/403.
# Probes for load balancers answer without a session, by design, and mail providers' inbound
# webhooks answer to the provider's signature (tests/tickets/mail/test_webhooks.py).
NOT_PAGES = (
    "admin/",
    "api/",
    "mail/inbound/",
    "login/",
    "logout/",
    "static/",
    "healthz",
    "readyz",
    "favicon.ico",
)
SAMPLE_ARGS = {
    "int": "1",
    "str": "sample",
    "slug": "sample",
    "uuid": "00000000-0000-0000-0000-000000000001",
    "path": "sample",
}


def _routes(patterns, prefix: str = "", name_prefix: str = ""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from _routes(entry.url_patterns, prefix + route, name_prefix + namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + route, name_prefix + entry.name


def _sample_path(route: str) -> str | None:
    """The route with every ``<converter:name>`` filled in; None for regex routes."""
    if route.startswith("^"):
        return None
    path = ""
    rest = route
    while "<" in rest:
        before, _, tail = rest.partition("<")
        spec, _, rest = tail.partition(">")
        converter = spec.split(":")[0] if ":" in spec else "str"
        if converter not in SAMPLE_ARGS:
            return None
        path += before + SAMPLE_ARGS[converter]
    return "/" + path + rest


def page_paths() -> list[tuple[str, str]]:
    pages: dict[str, str] = {}
    for route, name in _routes(get_resolver().url_patterns):
        if route.startswith(NOT_PAGES):
            continue
        path = _sample_path(route)
        if path is not None:
            pages.setdefault(name, path)
    return sorted(pages.items())


PAGES = page_paths()


def test_page_discovery_finds_the_home_page():
    assert ("home", "/") in PAGES


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), PAGES, ids=[name for name, _ in PAGES])
def test_every_page_sends_an_anonymous_visitor_to_sign_in(client, name, path):
    # When an anonymous visitor opens the page (or posts to it, for POST-only views)
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)

    # Then they are sent to the sign-in page and come back afterwards
    assert response.status_code == 302, f"{name} answered {response.status_code}"
    login_url = resolve_url(settings.LOGIN_URL)
    assert response["Location"].split("?")[0] == login_url
    assert "next=" in response["Location"]


@pytest.mark.django_db
def test_sign_in_page_renders_a_form(client):
    response = client.get("/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.django_db
def test_signing_in_leads_to_the_page_asked_for(client, junior):
    response = client.post(
        "/login/", {"username": "junior", "password": PASSWORD, "next": "/"}, follow=True
    )

    assert response.redirect_chain == [("/", 302)]
    assert response.status_code == 200
    assert response.wsgi_request.user == junior
    assert "Sign out" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(client, junior):
    response = client.post("/login/", {"username": "junior", "password": "wrong"})

    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signing_out_ends_the_session(client, junior):
    client.force_login(junior)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == resolve_url(settings.LOGIN_URL)
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_inactive_agent_cannot_sign_in(client):
    factories.AgentFactory(username="gone", is_active=False)

    response = client.post("/login/", {"username": "gone", "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_agent_opening_the_sign_in_page_goes_home(client, junior):
    client.force_login(junior)

    response = client.get("/login/")

    assert response.status_code == 302
    assert response["Location"] == settings.LOGIN_REDIRECT_URL
