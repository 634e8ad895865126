"""KimonDesk's own settings, typed, in one place: ``kimondesk_settings()``.

Every setting of KimonDesk itself (not Django's or a library's) is a field of
``KimonDeskSettings``: its name, type, default and meaning are declared here and nowhere else.
Most live in the ``KIMONDESK`` dict of the settings modules (``kimondesk/settings/``), which
build it with ``kimondesk_setting_from_env``; a few are top-level settings because libraries
read them too (``API_THROTTLE_RATE``, ``REDIS_URL``).

App code calls ``kimondesk_settings()`` when it runs (never at import time). The object is built
once from ``django.conf.settings`` and rebuilt after Django's ``setting_changed`` signal, so
``override_settings`` and pytest-django's ``settings`` fixture take effect at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, get_type_hints

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

if TYPE_CHECKING:
    import environ

# Where a field's value comes from: a key of the ``KIMONDESK`` dict (the default), or a
# top-level setting of this name.
_TOP_LEVEL = "top_level"
# The environment variable of the field's own name sets it (``kimondesk_setting_from_env``).
_ENV = "env"


def _setting(default: object, *, env: bool = False, top_level: bool = False) -> Any:
    metadata = {_ENV: env, _TOP_LEVEL: top_level}
    if isinstance(default, Mapping):
        frozen = MappingProxyType(dict(default))
        return field(default_factory=lambda: frozen, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, slots=True)
class KimonDeskSettings:
    """Field ``name`` is the setting ``NAME`` (upper case) of ``KIMONDESK``, or top-level."""

    # Base URL used for links in Slack messages and webhooks.
    public_url: str = _setting("http://127.0.0.1:8000", env=True)
    # How many levels an unacknowledged escalation may climb.
    escalation_max_chain: int = _setting(4, env=True)
    # How long the author of an escalation's feedback may still change it (hours).
    escalation_feedback_edit_hours: int = _setting(24, env=True)
    # An open socket re-checks the agent's access at most this often (seconds).
    socket_recheck_seconds: float = _setting(5.0, env=True)
    # SLA sweeper chain (README, "SLA timing"): longest sleep between sweeps, how long one task
    # sweeps before queueing its successor (kept below Q_CLUSTER timeout), lease length.
    sla_sweep_interval_seconds: float = _setting(1.0, env=True)
    sla_sweeper_lifetime_seconds: float = _setting(20.0, env=True)
    sla_sweeper_lease_seconds: float = _setting(10.0, env=True)
    # /readyz fails when the sweeper has not renewed its lease for this long (the watchdog
    # restarts a lost chain within about 90 s).
    sla_sweeper_stall_seconds: float = _setting(120.0, env=True)
    # Webhook and Slack deliveries may go to private, loopback and link-local addresses
    # (refused by default: those URLs are user input; see escalations/outbound.py).
    outbound_private_networks: bool = _setting(False, env=True)
    # Sentiment scorer per message language (ISO 639-1 code -> dotted path of a function
    # ``(text: str) -> SentimentScore``). A customer message in a language with no scorer is
    # stored as "not scored (<code>)" (README, "Sentiment and languages").
    sentiment_scorers: Mapping[str, str] = _setting(
        {"en": "escalations.engine.sentiment.sentiment_score_english"}
    )
    # Slack deliveries: request timeout, tries, and the backoff between tries (doubling from
    # ``slack_backoff_seconds`` up to ``slack_backoff_max_seconds``). Tries after 30 s, 1.5,
    # 3.5, 7.5, 15.5, 31.5 and 63.5 min: an outage of up to an hour loses nothing.
    slack_timeout_seconds: float = _setting(10.0)
    slack_max_attempts: int = _setting(8)
    slack_backoff_seconds: float = _setting(30.0)
    slack_backoff_max_seconds: float = _setting(3600.0)
    # Sign-in: failed attempts before a user name is locked out (``AXES_FAILURE_LIMIT``), and
    # failed attempts from one address within the window before it is slowed down.
    signin_max_failures_per_user: int = _setting(5)
    signin_max_failures_per_ip: int = _setting(30)
    # Requests per agent token (and session), e.g. "6000/min"; None: DRF's
    # ``DEFAULT_THROTTLE_RATES["user"]``.
    api_throttle_rate: str | None = _setting(None, top_level=True)
    # Redis for the channel layer, the task broker and the cache; "" when not configured.
    redis_url: str = _setting("", top_level=True)

    @classmethod
    def from_django(cls) -> KimonDeskSettings:
        """The values in ``django.conf.settings``, each cast to its field's type."""
        desk: Mapping[str, Any] = getattr(settings, "KIMONDESK", {})
        values: dict[str, Any] = {}
        for name, cast in _casts().items():
            key = name.upper()
            if _FIELDS[name].metadata[_TOP_LEVEL]:
                if hasattr(settings, key):
                    values[name] = cast(getattr(settings, key))
            elif key in desk:
                values[name] = cast(desk[key])
        return cls(**values)


_FIELDS = {f.name: f for f in fields(KimonDeskSettings)}


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _mapping(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a mapping, not {type(value).__name__}")
    return MappingProxyType({str(k): str(v) for k, v in value.items()})


@cache
def _casts() -> dict[str, Callable[[Any], object]]:
    """Field name -> the function that casts a configured value to the field's type."""
    by_type: dict[object, Callable[[Any], object]] = {
        str: str,
        int: int,
        float: float,
        bool: bool,
        str | None: _optional_str,
        Mapping[str, str]: _mapping,
    }
    hints = get_type_hints(KimonDeskSettings)
    return {name: by_type[hints[name]] for name in _FIELDS}


@cache
def kimondesk_settings() -> KimonDeskSettings:
    """KimonDesk's settings as they are now (rebuilt whenever a test overrides a setting)."""
    return KimonDeskSettings.from_django()


# The Django settings this object is built from.
_SOURCES = frozenset(
    ["KIMONDESK", *(f.name.upper() for f in _FIELDS.values() if f.metadata[_TOP_LEVEL])]
)


@receiver(setting_changed)
def _kimondesk_settings_refresh(*, setting: str, **kwargs: object) -> None:
    if setting in _SOURCES:
        kimondesk_settings.cache_clear()


def kimondesk_setting_from_env(env: environ.Env) -> dict[str, Any]:
    """The ``KIMONDESK`` dict of the settings modules: every key with its default, the ones
    marked ``env`` read from the environment variable of the same name when it is set."""
    readers: dict[type, Any] = {str: env.str, int: env.int, float: env.float, bool: env.bool}
    defaults = KimonDeskSettings()
    desk: dict[str, Any] = {}
    for f in fields(KimonDeskSettings):
        if f.metadata[_TOP_LEVEL]:
            continue
        key, default = f.name.upper(), getattr(defaults, f.name)
        if f.metadata[_ENV]:
            desk[key] = readers[type(default)](key, default=default)
        elif isinstance(default, Mapping):
            desk[key] = dict(default)
        else:
            desk[key] = default
    return desk
