"""Test settings: sync task queue, fast hashing, locmem mail.

The database and channel layer still follow DATABASE_URL / REDIS_URL so that CI runs the same
suite on SQLite + in-memory and on PostgreSQL + Redis.
"""

from .base import *  # noqa: F403
from .base import DATABASES, Q_CLUSTER, REDIS_URL, VAR_DIR, channel_layers, env

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# django-q2 reads Q_CLUSTER once at import: sync mode must be set here, not patched per test.
Q_CLUSTER["sync"] = env.bool("Q_SYNC", default=True)

# Unit tests push within one process; the process-layout tests start servers with
# LIVE_LAYER=outbox, as ``make run`` has it.
LIVE_LAYER = env.str("LIVE_LAYER", default="redis" if REDIS_URL else "memory")
CHANNEL_LAYERS = channel_layers(LIVE_LAYER)

# The Channels live server runs in a forked process: it must open the same, named test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_main.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_main"}

# Serve static files from the source folders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Sockets re-check access on every push in tests (production: at most every 5 s).
KIMONDESK = {**KIMONDESK, "SOCKET_RECHECK_SECONDS": 0}  # noqa: F405
# Webhook and Slack stand-ins listen on 127.0.0.1; tests of the refusal switch this off.
KIMONDESK["OUTBOUND_PRIVATE_NETWORKS"] = True
