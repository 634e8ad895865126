"""Configuration changes in the audit log: who may edit, the audit picture, reverts, bulk toggles.

Rules, targets, SLA policies, calendars and macros are configuration: every change to them (from
the console or the API) is recorded in the audit log with a before/after snapshot (secrets masked,
inline rows included), and any change can be reverted through the same validation the console
forms and the API apply. The history of these events in words is ``escalations.audit.history``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from escalations.engine.targets import target_clean
from escalations.models import AuditEvent, Calendar, Rule, SLAPolicy, Target
from escalations.services import rule_values_clean
from escalations.sla.services import sla_calendar_changed, sla_policy_changed
from escalations.sla.validators import calendar_values_clean, sla_policy_values_clean
from tickets.models import Macro, Role

from . import SECRET_FIELDS, audit_record, audit_snapshot

if TYPE_CHECKING:
    from tickets.models import Agent

AUDITED_MODELS: tuple[type[models.Model], ...] = (Rule, Target, SLAPolicy, Calendar, Macro)
# Inline rows kept inside their parent's snapshot: snapshot key -> (related name, parent FK).
CONFIG_CHILDREN: dict[type[models.Model], dict[str, tuple[str, str]]] = {
    SLAPolicy: {"targets": ("targets", "policy")},
    Calendar: {"hours": ("hours", "calendar"), "holidays": ("holidays", "calendar")},
}
UNRESTORED_FIELDS = frozenset({"id", "created_at", "updated_at"})


def config_editable_by(*, agent: Agent, team_id: int | None) -> bool:
    """Admins edit all configuration; an active lead edits their own team's."""
    if not agent.is_active:
        return False
    if agent.is_superuser:
        return True
    return agent.role == Role.LEAD and agent.team_id is not None and team_id == agent.team_id


def config_snapshot(obj: models.Model) -> dict[str, Any]:
    """The audit picture of a configuration object, with its inline rows."""
    snapshot = audit_snapshot(obj)
    for key, (related_name, parent_fk) in CONFIG_CHILDREN.get(type(obj), {}).items():
        snapshot[key] = [
            {k: v for k, v in audit_snapshot(child).items() if k not in ("id", parent_fk)}
            for child in getattr(obj, related_name).order_by("pk")
        ]
    return snapshot


def _changed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> bool:
    def strip(snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
        if snapshot is None:
            return None
        return {k: v for k, v in snapshot.items() if k != "updated_at"}

    return strip(before) != strip(after)


def config_change_record(
    *,
    obj: models.Model,
    actor: Agent | None,
    before: dict[str, Any] | None,
    action: str,
    data: dict[str, Any] | None = None,
    secrets_changed: Sequence[str] = (),
) -> AuditEvent | None:
    """Record ``<model>.<action>`` with before/after; a save that changed nothing records none.

    Secrets are masked in both pictures, so a replaced secret is named in ``secrets_changed``
    (kept in the event's data) to be recorded at all.
    """
    after = None if action == "deleted" else config_snapshot(obj)
    if secrets_changed:
        data = {**(data or {}), "secrets_changed": sorted(secrets_changed)}
    elif action not in ("created", "deleted") and not _changed(before, after):
        return None
    return audit_record(
        kind=f"{obj._meta.model_name}.{action}",
        actor=actor,
        obj=obj,
        before=before,
        after=after,
        data=data,
    )


def config_validate(*, obj: models.Model, children: dict[str, Any]) -> None:
    """Apply the forms' validation to a configuration object and its inline rows.

    ``children`` holds the rows as a snapshot does (``hours``, ``holidays``, ``targets``).
    """
    obj.full_clean()
    if isinstance(obj, Rule):
        cleaned = rule_values_clean(
            kind=obj.kind,
            trigger_kind=obj.trigger_kind,
            trigger_params=obj.trigger_params or {},
            conditions=obj.conditions,
            target=obj.target,
            team=obj.team,
        )
        obj.trigger_params = cleaned.get("trigger_params", obj.trigger_params)
        obj.conditions = cleaned.get("conditions", obj.conditions)
    elif isinstance(obj, Target):
        target_clean(target=obj)
    elif isinstance(obj, SLAPolicy):
        sla_policy_values_clean(policy=obj, targets=list(children["targets"]))
    elif isinstance(obj, Calendar):
        holidays = [row["date"] for row in children["holidays"]]
        calendar_values_clean(calendar=obj, hours=list(children["hours"]), holidays=holidays)


def _snapshot_apply(obj: models.Model, snapshot: dict[str, Any]) -> None:
    for field in obj._meta.concrete_fields:
        if field.name in UNRESTORED_FIELDS or field.name in SECRET_FIELDS:
            continue
        if field.name in snapshot:
            setattr(obj, field.attname, field.to_python(snapshot[field.name]))


def _children_restore(obj: models.Model, snapshot: dict[str, Any]) -> None:
    for key, (related_name, parent_fk) in CONFIG_CHILDREN.get(type(obj), {}).items():
        manager = getattr(obj, related_name)
        manager.all().delete()
        for row in snapshot.get(key, []):
            child = manager.model(**{parent_fk: obj})
            _snapshot_apply(child, row)
            child.full_clean()
            child.save()


@transaction.atomic
def config_revert(*, audit_event: AuditEvent, actor: Agent) -> models.Model:
    """Restore the before-picture of ``audit_event`` and record a ``<model>.reverted`` event.

    Raises ``ValidationError`` when the old values no longer pass validation (e.g. the target's
    agent was deactivated since) and ``PermissionDenied`` when the actor may not edit the object
    as it is now or as it would be after the revert.
    """
    model = apps.get_model(audit_event.object_type) if audit_event.object_type else None
    if model not in AUDITED_MODELS:
        raise ValidationError(
            "Only changes to rules, targets, SLA policies, calendars and macros revert."
        )
    if audit_event.before is None:
        raise ValidationError("A creation cannot be reverted; delete the object instead.")
    assert model is not None
    obj: Any = model._default_manager.select_for_update().filter(pk=audit_event.object_id).first()
    if obj is None:
        raise ValidationError(f"{audit_event.object_repr} no longer exists.")
    if not config_editable_by(agent=actor, team_id=obj.team_id):
        raise PermissionDenied
    before = config_snapshot(obj)
    _snapshot_apply(obj, audit_event.before)
    if not config_editable_by(agent=actor, team_id=obj.team_id):
        raise PermissionDenied
    config_validate(obj=obj, children=audit_event.before)
    obj.save()
    _children_restore(obj, audit_event.before)
    if isinstance(obj, SLAPolicy):
        sla_policy_changed(policy=obj)
    if isinstance(obj, Calendar):
        sla_calendar_changed(calendar=obj)
    config_change_record(
        obj=obj,
        actor=actor,
        before=before,
        action="reverted",
        data={"reverted_event": audit_event.pk},
    )
    revert: models.Model = obj
    return revert


@transaction.atomic
def rules_set_enabled(*, rules: Iterable[Rule], enabled: bool, actor: Agent) -> int:
    """Enable or disable rules, one audit event per rule whose state changes; returns that count."""
    changed = 0
    for rule in rules:
        if rule.enabled == enabled:
            continue
        before = config_snapshot(rule)
        rule.enabled = enabled
        rule.save(update_fields=["enabled", "updated_at"])
        config_change_record(
            obj=rule, actor=actor, before=before, action="enabled" if enabled else "disabled"
        )
        changed += 1
    return changed
