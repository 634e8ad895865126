"""Audited writes of the engine's configuration: targets, rules, calendars, SLA policies,
exchange rates.

Each function is one transaction that saves the row(s) and records the same ``AuditEvent`` the
admin console records (``escalations.audit.config.config_change_record``), so either history
can be read, and reverted, the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from escalations.audit import SECRET_FIELDS
from escalations.audit.config import config_change_record, config_snapshot
from escalations.models import (
    Calendar,
    ExchangeRate,
    Holiday,
    OpeningHours,
    Rule,
    SLAPolicy,
    SLATarget,
    Target,
)
from escalations.sla import services as sla_services
from tickets.models import Agent, Team

M = TypeVar("M", bound=models.Model)


def _audited_save(
    *,
    instance: M,
    actor: Agent,
    values: dict[str, Any],
    after_save: Callable[[M], None] | None = None,
) -> M:
    """Save and record ``<model>.created``/``<model>.changed`` exactly as the admin console does
    (``config_change_record``: one audit picture with inline rows, secrets masked)."""
    creating = instance._state.adding
    before = None if creating else config_snapshot(instance)
    secrets_changed = [
        field
        for field, value in values.items()
        if field in SECRET_FIELDS and not creating and getattr(instance, field) != value
    ]
    for field, value in values.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    if after_save:
        after_save(instance)
    config_change_record(
        obj=instance,
        actor=actor,
        before=before,
        action="created" if creating else "changed",
        secrets_changed=secrets_changed,
    )
    return instance


def _audited_delete(*, instance: models.Model, actor: Agent) -> None:
    before = config_snapshot(instance)
    config_change_record(obj=instance, actor=actor, before=before, action="deleted")
    instance.delete()


@transaction.atomic
def target_save(*, target: Target, actor: Agent, values: dict[str, Any]) -> Target:
    return _audited_save(instance=target, actor=actor, values=values)


@transaction.atomic
def target_delete(*, target: Target, actor: Agent) -> None:
    _audited_delete(instance=target, actor=actor)


@transaction.atomic
def rule_save(*, rule: Rule, actor: Agent, values: dict[str, Any]) -> Rule:
    return _audited_save(instance=rule, actor=actor, values=values)


@transaction.atomic
def rule_delete(*, rule: Rule, actor: Agent) -> None:
    _audited_delete(instance=rule, actor=actor)


@transaction.atomic
def calendar_save(
    *,
    calendar: Calendar,
    actor: Agent,
    values: dict[str, Any],
    hours: Iterable[dict[str, Any]] | None = None,
    holidays: Iterable[Any] | None = None,
) -> Calendar:
    """Save a calendar; ``hours``/``holidays`` (when given) replace the existing ones."""

    updating = calendar.pk is not None

    def replace_children(saved: Calendar) -> None:
        if hours is not None:
            saved.hours.all().delete()
            OpeningHours.objects.bulk_create(OpeningHours(calendar=saved, **h) for h in hours)
        if holidays is not None:
            saved.holidays.all().delete()
            Holiday.objects.bulk_create(Holiday(calendar=saved, date=d) for d in holidays)
        if updating:
            sla_services.sla_calendar_changed(calendar=saved)

    return _audited_save(
        instance=calendar,
        actor=actor,
        values=values,
        after_save=replace_children,
    )


@transaction.atomic
def calendar_delete(*, calendar: Calendar, actor: Agent) -> None:
    _audited_delete(instance=calendar, actor=actor)


@transaction.atomic
def sla_policy_save(
    *,
    policy: SLAPolicy,
    actor: Agent,
    values: dict[str, Any],
    targets: Iterable[dict[str, Any]] | None = None,
) -> SLAPolicy:
    """Save a policy (``targets``, when given, replace the existing ones) and recompute the
    clocks of open tickets."""

    def replace_targets(saved: SLAPolicy) -> None:
        if targets is not None:
            saved.targets.all().delete()
            SLATarget.objects.bulk_create(SLATarget(policy=saved, **t) for t in targets)
        sla_services.sla_policy_changed(policy=saved)

    return _audited_save(
        instance=policy,
        actor=actor,
        values=values,
        after_save=replace_targets,
    )


@transaction.atomic
def exchange_rate_create(
    *,
    actor: Agent,
    team: Team | None,
    base: str,
    quote: str,
    rate: Decimal,
    valid_from: date,
) -> ExchangeRate:
    """Add a rate from its date on (a correction is a new rate, so history stays readable);
    a second rate for the same team, pair and date is refused naming ``valid_from``."""
    duplicate = ExchangeRate.objects.filter(
        team=team, base=base, quote=quote, valid_from=valid_from
    )
    if duplicate.exists():
        raise ValidationError(
            {"valid_from": "A rate for this pair already starts on this date; pick another date."}
        )
    values = {"team": team, "base": base, "quote": quote, "rate": rate, "valid_from": valid_from}
    return _audited_save(instance=ExchangeRate(created_by=actor), actor=actor, values=values)


@transaction.atomic
def exchange_rate_delete(*, exchangerate: ExchangeRate, actor: Agent) -> None:
    """Delete a mistaken rate, recorded as ``exchangerate.deleted`` as in the console; refunds it
    converted keep the conversion in their escalations' evidence."""
    _audited_delete(instance=exchangerate, actor=actor)
