"""Settings shared by every environment, read from the process environment.

With nothing configured KimonDesk runs on SQLite, the in-memory channel layer and django-q2's ORM
broker; ``DATABASE_URL`` and ``REDIS_URL`` switch it to PostgreSQL, channels-redis and a Redis broker.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

from kimondesk.conf import kimondesk_setting_from_env
from kimondesk.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "kimondesk.apps.KimonDeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_q",
    "csp",
    "axes",
    "tickets",
    "escalations",
    "reports",
    "kimondesk.live",
    "tickets.notifications",
    "tickets.mail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kimondesk.timezones.AgentTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "kimondesk.error_pages.StyledErrorPagesMiddleware",
    # Last: turns a locked-out sign-in into the 429 page (``kimondesk.signin``).
    "axes.middleware.AxesMiddleware",
]

# --- Content-Security-Policy (django-csp 4) --------------------------------------------------------
# Everything from this origin only: no inline script (the admin rule form's one script carries
# the per-response nonce), no inline style, no plugins, no framing. The API's Swagger/ReDoc pages
# load their bundled viewers with inline bootstrapping and are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/", "/api/redoc/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Sign-in lockout (django-axes; see kimondesk/signin.py) ---------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "kimondesk.signin.signin_username_normalise"
AXES_CLIENT_IP_CALLABLE = "kimondesk.signin.signin_client_ip"
AXES_FAILURE_LIMIT = "kimondesk.signin.signin_failure_limit"
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "kimondesk.signin.signin_lockout_response"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# axes.W006 asks to lock out by address too: locking an account needs only its user name (an
# attacker rotating addresses must not escape it), and a separate address guard in
# ``kimondesk.signin`` limits floods without locking a whole office out after five typos.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

ROOT_URLCONF = "kimondesk.urls"
ASGI_APPLICATION = "kimondesk.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tickets.notifications.context_processors.notifications_unread",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Local state (the SQLite file, collected static files) lives in ``var/``.
VAR_DIR = BASE_DIR / "var"
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kimondesk.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server and the qcluster read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif env.bool("DB_POOL", default=True):
    # Under ASGI every request may run in a different thread, and per-thread persistent
    # connections pile up until PostgreSQL refuses clients: a bounded pool per process instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # With a pool, CONN_HEALTH_CHECKS makes Django pass the pool a check: each connection is
    # tested before it is lent (one round trip), so one the server dropped (a restart,
    # pg_terminate_backend) is replaced instead of failing a request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_MAX_SIZE", default=8),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # The hot statements of kimondesk.compiled_queries are prepared on each connection (parsed
    # and planned once); psycopg prepares nothing else, as no statement runs this many times.
    # Off (false) behind a proxy that pools by transaction and loses prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tickets.Agent"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and received files (mail originals and attachments) in the default storage.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Redis: channel layer and task broker ---------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# Live push between processes. "redis": channels-redis (production). "outbox": a table in the
# database that every web process relays from (kimondesk/live/layer.py), so that pushes made by a
# qcluster worker or another web process reach every socket with no other service: the default
# without REDIS_URL. "memory": one process only (unit tests).
LIVE_LAYER = env.str("LIVE_LAYER", default="redis" if REDIS_URL else "outbox")


def channel_layers(kind: str) -> dict[str, dict[str, object]]:
    if kind == "redis":
        if not REDIS_URL:
            raise ValueError("LIVE_LAYER=redis needs REDIS_URL")
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    "prefix": env.str("CHANNELS_PREFIX", "kimondesk"),
                    # Messages a socket may have waiting before channels-redis drops new ones
                    # silently (default 100): a busy web process behind a burst of escalations
                    # lost pushes.
                    "capacity": env.int("CHANNELS_CAPACITY", default=1000),
                },
            }
        }
    if kind == "outbox":
        return {
            "default": {
                "BACKEND": "kimondesk.live.layer.OutboxChannelLayer",
                "CONFIG": {
                    "poll_interval": env.float("LIVE_OUTBOX_POLL_SECONDS", default=0.15),
                    "retention_seconds": env.float("LIVE_OUTBOX_RETENTION_SECONDS", default=600),
                    "capacity": env.int("CHANNELS_CAPACITY", default=1000),
                },
            }
        }
    if kind == "memory":
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    raise ValueError(f"LIVE_LAYER must be redis, outbox or memory, not {kind!r}")


CHANNEL_LAYERS = channel_layers(LIVE_LAYER)

# The cache holds shared counters (sign-in throttling, API throttling): in Redis when configured
# so that every web process sees the same numbers.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kimondesk.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CHANNELS_PREFIX", "kimondesk"),
            "OPTIONS": {"pool_class": "kimondesk.cache.SharedConnectionPool"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2: retry must exceed timeout, otherwise a slow task is handed out twice while running.
Q_CLUSTER: dict[str, object] = {
    "name": env.str("Q_CLUSTER_NAME", default="kimondesk"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.2,
    # -1: successful task results are not stored (failures are); saves a write per task.
    "save_limit": env.int("Q_SAVE_LIMIT", default=-1),
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kimondesk.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "kimondesk.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "kimondesk.api.ordering.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "kimondesk.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "kimondesk.api.schema.ApiAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["kimondesk.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_THROTTLE_RATE", default="6000/min")},
    "EXCEPTION_HANDLER": "kimondesk.api.exceptions.api_exception_handler",
}
# Requests per agent token (and session), e.g. "6000/min"; read per request by the throttle.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="6000/min")

SPECTACULAR_SETTINGS = {
    "TITLE": "KimonDesk API",
    "DESCRIPTION": "Tickets, escalation rules, SLA policies and reports (contract v1).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc assets come from drf-spectacular-sidecar: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Status",
        "PriorityEnum": "tickets.models.Priority",
        "SentimentEnum": "tickets.models.Sentiment",
        "NoteKindEnum": "tickets.models.NoteKind",
        "TargetKindEnum": "escalations.models.TargetKind",
        "DeliveryStatusEnum": "escalations.models.DeliveryStatus",
    },
}


# --- Mail (tickets/mail/; README "Mail") ------------------------------------------------------
# Replies go out through EMAIL_URL (smtp://user:password@host:587, smtp+tls://…, smtp+ssl://…);
# without it they are printed by the console backend. EMAIL_BACKEND selects an anymail provider
# instead (e.g. anymail.backends.mailgun.EmailBackend), configured by ANYMAIL_* variables.
def email_settings(*, default_url: str) -> dict[str, object]:
    """Django's EMAIL_* settings from EMAIL_URL (and EMAIL_BACKEND, which wins when set)."""
    config = env.email_url("EMAIL_URL", default=default_url)
    return {
        "EMAIL_BACKEND": env.str("EMAIL_BACKEND", default=config["EMAIL_BACKEND"]),
        "EMAIL_HOST": config.get("EMAIL_HOST") or "localhost",
        "EMAIL_PORT": config.get("EMAIL_PORT") or 25,
        "EMAIL_HOST_USER": config.get("EMAIL_HOST_USER") or "",
        "EMAIL_HOST_PASSWORD": config.get("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": bool(config.get("EMAIL_USE_TLS")),
        "EMAIL_USE_SSL": bool(config.get("EMAIL_USE_SSL")),
    }


# Development prints replies; production (settings/production.py) sends to SMTP on localhost
# unless told otherwise, so a missing setting shows as failed deliveries, not silence.
globals().update(email_settings(default_url="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="support@localhost")
# Every ANYMAIL_<NAME> variable is anymail's <NAME> setting: ANYMAIL_WEBHOOK_SECRET (user:password
# that providers' inbound webhooks must send; without it /mail/inbound/ answers 404),
# ANYMAIL_MAILGUN_API_KEY, ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY, ANYMAIL_POSTMARK_SERVER_TOKEN, …
ANYMAIL = {
    name.removeprefix("ANYMAIL_"): value
    for name, value in env.ENVIRON.items()
    if name.startswith("ANYMAIL_")
}

# --- KimonDesk domain ------------------------------------------------------------------------
# Every key, its type, default and meaning: ``KimonDeskSettings`` in kimondesk/conf.py. The keys
# marked there read the environment variable of the same name (PUBLIC_URL, ESCALATION_MAX_CHAIN,
# ESCALATION_FEEDBACK_EDIT_HOURS, SOCKET_RECHECK_SECONDS, SLA_*, OUTBOUND_PRIVATE_NETWORKS).
# App code reads them through ``kimondesk.conf.kimondesk_settings()``.
KIMONDESK = kimondesk_setting_from_env(env)

# LOG_FORMAT=json writes one JSON object per line (production log shippers); plain otherwise.
LOGGING = logging_config(
    fmt=env.str("LOG_FORMAT", default="plain"),
    level=env.str("LOG_LEVEL", default="INFO"),
    task_level=env.str("Q_LOG_LEVEL", default="WARNING"),
)
