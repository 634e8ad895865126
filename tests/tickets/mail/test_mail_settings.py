"""Mail settings from the environment: the console in development, SMTP in production, anymail's
settings from ANYMAIL_* variables."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_settings import ROOT, STRONG_KEY, clean_env

READ = (
    "import json; from django.conf import settings as s; print(json.dumps([s.EMAIL_BACKEND, "
    "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER, s.ANYMAIL]))"
)


def read(module: str, **env: str) -> list:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ],
        cwd=ROOT,
        env=clean_env(DJANGO_SETTINGS_MODULE=module, SECRET_KEY=STRONG_KEY, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("module", "env", "expected"),
    [
        pytest.param(
            "kimondesk.settings.dev",
            {},
            ["django.core.mail.backends.console.EmailBackend", "localhost", 25, False, "", {}],
            id="dev-console",
        ),
        pytest.param(
            "kimondesk.settings.production",
            {},
            ["django.core.mail.backends.smtp.EmailBackend", "localhost", 25, False, "", {}],
            id="production-local-smtp",
        ),
        pytest.param(
            "kimondesk.settings.production",
            {"EMAIL_URL": "smtp+tls://desk:pw@smtp.example.com:587"},
            [
                "django.core.mail.backends.smtp.EmailBackend",
                "smtp.example.com",
                587,
                True,
                "desk",
                {},
            ],
            id="production-email-url",
        ),
        pytest.param(
            "kimondesk.settings.production",
            {
                "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
                "ANYMAIL_MAILGUN_API_KEY": "key-1",
                "ANYMAIL_WEBHOOK_SECRET": "u:p",
            },
            [
                "anymail.backends.mailgun.EmailBackend",
                "localhost",
                25,
                False,
                "",
                {"MAILGUN_API_KEY": "key-1", "WEBHOOK_SECRET": "u:p"},
            ],
            id="production-anymail",
        ),
    ],
)
def test_mail_settings_follow_the_environment(module, env, expected):
    assert read(module, **env) == expected
