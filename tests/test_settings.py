"""Settings follow the environment: each case imports the settings in a fresh interpreter."""

import importlib
import json
import os
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kimondesk.conf import KimonDeskSettings, kimondesk_settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = "kimondesk.settings.production"
STRONG_KEY = "k" + "".join(chr(ord("a") + i % 26) + str(i % 10) for i in range(40))

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "debug": settings.DEBUG,
    "channel_backend": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "channel_config": settings.CHANNEL_LAYERS["default"].get("CONFIG"),
    "q_broker_keys": sorted(k for k in ("orm", "redis") if k in settings.Q_CLUSTER),
    "q_redis": settings.Q_CLUSTER.get("redis"),
    "db_engine": settings.DATABASES["default"]["ENGINE"],
    "db_init": settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", ""),
    "db_prepare_threshold": settings.DATABASES["default"].get("OPTIONS", {}).get(
        "prepare_threshold"
    ),
    "use_tz": settings.USE_TZ,
    "time_zone": settings.TIME_ZONE,
    "allowed_hosts": settings.ALLOWED_HOSTS,
}))
"""


def clean_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "TIME_ZONE",
            "DJANGO_SETTINGS_MODULE",
            "CHANNELS_PREFIX",
            "LIVE_LAYER",
        }
    }
    env.update(overrides)
    return env


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def settings_seen(module: str, **env: str) -> dict:
    code = f"import os; os.environ['DJANGO_SETTINGS_MODULE'] = {module!r}\n" + PRINT_SETTINGS
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_without_redis_url_the_database_outbox_layer_and_orm_broker_are_used():
    seen = settings_seen("kimondesk.settings.dev")

    assert seen["channel_backend"] == "kimondesk.live.layer.OutboxChannelLayer"
    assert seen["channel_config"] == {
        "poll_interval": 0.15,
        "retention_seconds": 600.0,
        "capacity": 1000,
    }
    assert seen["q_broker_keys"] == ["orm"]


def test_unit_test_settings_push_in_memory_unless_told_otherwise():
    assert settings_seen("kimondesk.settings.test")["channel_backend"] == (
        "channels.layers.InMemoryChannelLayer"
    )
    assert settings_seen("kimondesk.settings.test", LIVE_LAYER="outbox")["channel_backend"] == (
        "kimondesk.live.layer.OutboxChannelLayer"
    )


def test_an_unknown_live_layer_is_refused_at_startup():
    result = run_python(
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kimondesk.settings.dev'\n"
        + PRINT_SETTINGS,
        LIVE_LAYER="carrier-pigeon",
    )

    assert result.returncode == 1
    assert "LIVE_LAYER must be redis, outbox or memory, not 'carrier-pigeon'" in result.stderr


def test_with_redis_url_channels_redis_and_the_redis_broker_are_used():
    seen = settings_seen(
        "kimondesk.settings.dev", REDIS_URL="redis://127.0.0.1:6399/5", CHANNELS_PREFIX="kd_x"
    )

    assert seen["channel_backend"] == "channels_redis.core.RedisChannelLayer"
    assert seen["channel_config"] == {
        "hosts": ["redis://127.0.0.1:6399/5"],
        "prefix": "kd_x",
        "capacity": 1000,
    }
    assert seen["q_broker_keys"] == ["redis"]
    assert seen["q_redis"] == "redis://127.0.0.1:6399/5"


def test_without_database_url_sqlite_runs_in_wal_mode():
    seen = settings_seen("kimondesk.settings.dev")

    assert seen["db_engine"] == "django.db.backends.sqlite3"
    assert "PRAGMA journal_mode=WAL" in seen["db_init"]


def test_database_url_and_host_settings_come_from_the_environment():
    seen = settings_seen(
        "kimondesk.settings.dev",
        DATABASE_URL="postgres://kd@db.internal:5432/kimondesk",
        ALLOWED_HOSTS="desk.example.com,.example.org",
        TIME_ZONE="Europe/Berlin",
    )

    assert seen["db_engine"] == "django.db.backends.postgresql"
    assert seen["allowed_hosts"] == ["desk.example.com", ".example.org"]
    assert (seen["time_zone"], seen["use_tz"]) == ("Europe/Berlin", True)


def test_postgresql_prepares_the_hot_statements_unless_told_not_to():
    url = "postgres://kd@db.internal:5432/kimondesk"
    on = settings_seen("kimondesk.settings.dev", DATABASE_URL=url)
    off = settings_seen("kimondesk.settings.dev", DATABASE_URL=url, DB_PREPARED_STATEMENTS="false")
    plain = settings_seen("kimondesk.settings.dev", DATABASE_URL=url, DB_POOL="false")

    # A threshold no statement reaches: only what kimondesk.compiled_queries prepares is.
    assert on["db_prepare_threshold"] == plain["db_prepare_threshold"] == 2**31 - 1
    assert off["db_prepare_threshold"] is None
    assert settings_seen("kimondesk.settings.dev")["db_prepare_threshold"] is None  # SQLite


def test_dev_settings_run_with_debug_on_and_a_dev_key():
    seen = settings_seen("kimondesk.settings.dev")

    assert seen["debug"] is True


def test_production_settings_load_with_a_strong_key_and_debug_off():
    seen = settings_seen("kimondesk.settings.production", SECRET_KEY=STRONG_KEY, DEBUG="true")

    assert seen["debug"] is False


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("short-but-secret", id="short"),
        pytest.param("dev-only-insecure-key-do-not-use-in-production-" + "x" * 10, id="dev-key"),
        pytest.param("django-insecure-" + "abcdefghij" * 5, id="django-insecure"),
        pytest.param("a" * 60, id="one-character"),
    ],
)
def test_production_settings_refuse_an_insecure_secret_key(secret_key, monkeypatch):
    # Given the environment of a production process with an insecure key
    if secret_key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret_key)
    monkeypatch.delitem(sys.modules, PRODUCTION, raising=False)

    # When the production settings module is imported, then it refuses to load
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        importlib.import_module(PRODUCTION)

    assert PRODUCTION not in sys.modules


def test_manage_py_defaults_to_dev_settings():
    code = (
        "import runpy, sys; sys.argv = ['manage.py', 'diffsettings', '--output', 'unified'];"
        "runpy.run_path('manage.py', run_name='__main__')"
    )

    result = run_python(code)

    assert result.returncode == 0, result.stderr
    assert "+ DEBUG = True" in result.stdout


def test_asgi_application_imports_with_production_settings():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kimondesk.settings.production'\n"
        "from kimondesk.asgi import application; print(type(application).__name__)"
    )

    result = run_python(code, SECRET_KEY=STRONG_KEY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ProtocolTypeRouter"


# --- kimondesk.conf: the one typed settings object ------------------------------------------


def test_kimondesk_settings_follow_the_test_settings_module():
    conf = kimondesk_settings()

    assert isinstance(conf, KimonDeskSettings)
    assert conf.socket_recheck_seconds == 0.0
    assert conf.outbound_private_networks is True
    assert conf.escalation_max_chain == 4
    assert conf.public_url == "http://127.0.0.1:8000"
    assert dict(conf.sentiment_scorers) == {
        "en": "escalations.engine.sentiment.sentiment_score_english"
    }
    assert conf.api_throttle_rate == "6000/min"


def test_overriding_a_setting_in_a_test_refreshes_kimondesk_settings(settings):
    before = kimondesk_settings()

    settings.KIMONDESK = {**settings.KIMONDESK, "ESCALATION_MAX_CHAIN": "2"}
    settings.API_THROTTLE_RATE = "3/min"
    settings.REDIS_URL = "redis://127.0.0.1:6399/9"

    after = kimondesk_settings()
    assert (after.escalation_max_chain, after.api_throttle_rate, after.redis_url) == (
        2,
        "3/min",
        "redis://127.0.0.1:6399/9",
    )
    assert before.escalation_max_chain == 4


def test_a_key_missing_from_the_kimondesk_dict_takes_its_declared_default(settings):
    settings.KIMONDESK = {"PUBLIC_URL": "https://desk.example.com"}
    settings.REDIS_URL = ""  # the PostgreSQL + Redis pass sets it from the environment

    assert kimondesk_settings() == KimonDeskSettings(
        public_url="https://desk.example.com", api_throttle_rate="6000/min"
    )


def test_kimondesk_settings_are_frozen():
    conf = kimondesk_settings()
    with pytest.raises(FrozenInstanceError):
        conf.escalation_max_chain = 9  # type: ignore[misc]
    with pytest.raises(TypeError):
        conf.sentiment_scorers["de"] = "x"  # type: ignore[index]


def test_the_kimondesk_dict_reads_the_environment_for_the_keys_marked_so():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'kimondesk.settings.dev'\n"
        "import json; from django.conf import settings\n"
        "print(json.dumps(settings.KIMONDESK))"
    )

    result = run_python(
        code,
        PUBLIC_URL="https://desk.example.com",
        ESCALATION_MAX_CHAIN="7",
        SLA_SWEEPER_STALL_SECONDS="30.5",
        OUTBOUND_PRIVATE_NETWORKS="true",
        SLACK_MAX_ATTEMPTS="99",
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "PUBLIC_URL": "https://desk.example.com",
        "ESCALATION_MAX_CHAIN": 7,
        "ESCALATION_FEEDBACK_EDIT_HOURS": 24,
        "SOCKET_RECHECK_SECONDS": 5.0,
        "SLA_SWEEP_INTERVAL_SECONDS": 1.0,
        "SLA_SWEEPER_LIFETIME_SECONDS": 20.0,
        "SLA_SWEEPER_LEASE_SECONDS": 10.0,
        "SLA_SWEEPER_STALL_SECONDS": 30.5,
        "OUTBOUND_PRIVATE_NETWORKS": True,
        "SENTIMENT_SCORERS": {"en": "escalations.engine.sentiment.sentiment_score_english"},
        # Not read from the environment (as before): only settings modules change these.
        "SLACK_TIMEOUT_SECONDS": 10.0,
        "SLACK_MAX_ATTEMPTS": 8,
        "SLACK_BACKOFF_SECONDS": 30.0,
        "SLACK_BACKOFF_MAX_SECONDS": 3600.0,
        "SIGNIN_MAX_FAILURES_PER_USER": 5,
        "SIGNIN_MAX_FAILURES_PER_IP": 30,
    }
