"""Audited writes of the engine's configuration: targets, rules, calendars, SLA policies.

Each function is one transaction that saves the row(s) and records an ``AuditEvent`` with the
before/after pictures (secrets masked by ``audit_snapshot``). API views and admin forms call these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction

from escalations.audit import audit_record, audit_snapshot
from escalations.models import Calendar, Holiday, OpeningHours, Rule, SLAPolicy, SLATarget, Target
from tickets.models import Agent

from . import sla

M = TypeVar("M", bound=models.Model)


def _picture(obj: models.Model, extra: Callable[[Any], dict[str, Any]] | None) -> dict[str, Any]:
    return audit_snapshot(obj) | (extra(obj) if extra else {})


def _audited_save(
    *,
    instance: M,
    actor: Agent,
    values: dict[str, Any],
    label: str,
    after_save: Callable[[M], None] | None = None,
    extra: Callable[[Any], dict[str, Any]] | None = None,
) -> M:
    creating = instance._state.adding
    before = None if creating else _picture(instance, extra)
    for field, value in values.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    if after_save:
        after_save(instance)
    audit_record(
        kind=f"{label}.{'created' if creating else 'updated'}",
        actor=actor,
        obj=instance,
        before=before,
        after=_picture(instance, extra),
    )
    return instance


def _audited_delete(
    *,
    instance: models.Model,
    actor: Agent,
    label: str,
    extra: Callable[[Any], dict[str, Any]] | None = None,
) -> None:
    before = _picture(instance, extra)
    audit_record(kind=f"{label}.deleted", actor=actor, obj=instance, before=before, after=None)
    instance.delete()


@transaction.atomic
def target_save(*, target: Target, actor: Agent, values: dict[str, Any]) -> Target:
    return _audited_save(instance=target, actor=actor, values=values, label="target")


@transaction.atomic
def target_delete(*, target: Target, actor: Agent) -> None:
    _audited_delete(instance=target, actor=actor, label="target")


@transaction.atomic
def rule_save(*, rule: Rule, actor: Agent, values: dict[str, Any]) -> Rule:
    return _audited_save(instance=rule, actor=actor, values=values, label="rule")


@transaction.atomic
def rule_delete(*, rule: Rule, actor: Agent) -> None:
    _audited_delete(instance=rule, actor=actor, label="rule")


def _calendar_extra(calendar: Calendar) -> dict[str, Any]:
    return {
        "hours": [
            {
                "weekday": h.weekday,
                "start": h.start.strftime("%H:%M"),
                "end": h.end.strftime("%H:%M"),
            }
            for h in calendar.hours.all()
        ],
        "holidays": [h.date.isoformat() for h in calendar.holidays.all()],
    }


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
            sla.sla_calendar_changed(calendar=saved)

    return _audited_save(
        instance=calendar,
        actor=actor,
        values=values,
        label="calendar",
        after_save=replace_children,
        extra=_calendar_extra,
    )


@transaction.atomic
def calendar_delete(*, calendar: Calendar, actor: Agent) -> None:
    _audited_delete(instance=calendar, actor=actor, label="calendar", extra=_calendar_extra)


def _policy_extra(policy: SLAPolicy) -> dict[str, Any]:
    return {
        "targets": [
            {"metric": t.metric, "priority": t.priority, "tier": t.tier, "minutes": t.minutes}
            for t in policy.targets.all()
        ]
    }


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
        sla.sla_policy_changed(policy=saved)

    return _audited_save(
        instance=policy,
        actor=actor,
        values=values,
        label="sla_policy",
        after_save=replace_targets,
        extra=_policy_extra,
    )
