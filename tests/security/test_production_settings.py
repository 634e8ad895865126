"""Session and cookie flags under production settings: the module's values, read in a fresh
interpreter, then a real sign-in served with those values over HTTPS and plain HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from escalations.models import TaskLease
from escalations.sla.sweeper import LEASE_NAME
from tests import factories
from tests.test_settings import ROOT, STRONG_KEY, clean_env

FLAGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
)

PRINT_FLAGS = f"""
import json
from django.conf import settings
print(json.dumps({{name: getattr(settings, name) for name in {FLAGS!r}}}))
"""


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    """The flags as ``kimondesk.settings.production`` sets them, with only a strong key given."""
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + PRINT_FLAGS],
        cwd=ROOT,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="kimondesk.settings.production", SECRET_KEY=STRONG_KEY
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    flags: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    flags["SECURE_PROXY_SSL_HEADER"] = tuple(flags["SECURE_PROXY_SSL_HEADER"])
    return flags


def test_production_flags(production):
    assert production == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$"],
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
    }


def _sign_in_over_https(production: dict[str, Any], *, referer: str) -> tuple[Client, Any]:
    """A browser's sign-in: the form page, then its POST with the token, over HTTPS. Over HTTPS
    Django also checks that the form came from this site (the Referer)."""
    factories.AgentFactory(username="mia")
    client = Client(enforce_csrf_checks=True)
    with override_settings(**production):
        client.get("/login/", secure=True)
        response = client.post(
            "/login/",
            {
                "username": "mia",
                "password": "pw-for-tests-1",
                "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            },
            secure=True,
            HTTP_REFERER=referer,
        )
    return client, response


@pytest.mark.django_db
def test_sign_in_over_https_sets_secure_httponly_lax_cookies(production):
    client, response = _sign_in_over_https(production, referer="https://testserver/login/")
    token = client.cookies["csrftoken"]

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    header = session.output()
    assert {"HttpOnly", "SameSite=Lax", "Secure"} <= {part.strip() for part in header.split(";")}
    assert token["secure"] is True
    assert token["samesite"] == "Lax"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_pages_carry_the_frame_and_sniffing_headers(production, client):
    client.force_login(factories.AgentFactory(username="mia"))
    with override_settings(**production):
        response = client.get("/", secure=True)

    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_without_a_cookie(production, client):
    with override_settings(**production):
        response = client.get("/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/login/"
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
def test_health_probes_over_plain_http_are_not_redirected(production, client, probe):
    # The SLA sweeper runs (readiness also checks the periodic work)
    TaskLease.objects.update_or_create(name=LEASE_NAME, defaults={"renewed_at": timezone.now()})
    with override_settings(**production):
        response = client.get(probe)

    assert response.status_code == 200
    assert "Location" not in response
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_https_behind_the_proxy_header_is_not_redirected(production, client):
    with override_settings(**production):
        response = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response.cookies["csrftoken"]["secure"] is True


@pytest.mark.django_db
def test_https_sign_in_posted_from_another_site_is_refused(production):
    _client, response = _sign_in_over_https(production, referer="https://evil.example/login/")

    assert response.status_code == 403
    assert "sessionid" not in response.cookies
