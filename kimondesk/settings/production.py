"""Production: DEBUG off, a real secret key required, secure cookies and HSTS."""

from django.core.exceptions import ImproperlyConfigured

from kimondesk.logging import logging_config

from .base import *  # noqa: F403
from .base import email_settings, env

DEBUG = False
# Replies by mail go to an SMTP server on this machine unless EMAIL_URL says otherwise (never
# printed to a log no one reads); the page shows a reply that could not be sent.
globals().update(email_settings(default_url="smtp://localhost:25"))
SECRET_KEY = env.str("SECRET_KEY", default="")
if (
    len(SECRET_KEY) < 50
    or SECRET_KEY.startswith(("dev-", "django-insecure"))
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Probes call these over plain HTTP inside the cluster: a redirect would read as success.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LOGGING = logging_config(
    fmt=env.str("LOG_FORMAT", default="json"), level=env.str("LOG_LEVEL", default="INFO")
)
