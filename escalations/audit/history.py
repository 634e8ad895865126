"""Configuration history in words: audit events of rules, targets, SLA policies and calendars as
sentences ("Maria Keller raised the refund threshold from 500.00 EUR to 800.00 EUR") and
field-by-field changes with names instead of ids.

Reads only: one query for the events, then one per related model named in them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from escalations.engine.conditions import CONDITION_FIELDS, IdField
from escalations.engine.params import AmountParam, CurrencyParam, NumberParam
from escalations.engine.triggers import TRIGGERS
from escalations.models import AuditEvent
from tickets.models import Queue, Team

# The words of condition operators, in the history and the console's condition rows.
OP_WORDS = {
    "eq": "is",
    "ne": "is not",
    "in": "is one of",
    "not_in": "is none of",
    "gte": "is at least",
    "lte": "is at most",
    "gt": "is above",
    "lt": "is below",
}
HIDDEN_KEYS = frozenset({"id", "created_at", "updated_at"})
FIELD_WORDS = {"trigger_kind": "Trigger", "trigger_params": "Trigger parameters"}
ACTION_WORDS = {
    "created": "created",
    "changed": "changed",
    "deleted": "deleted",
    "enabled": "enabled",
    "disabled": "disabled",
    "reverted": "reverted a change to",
}
EMPTY = "—"


@dataclass(frozen=True)
class HistoryChange:
    key: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    sentence: str
    changes: list[HistoryChange]
    revertible: bool


Names = dict[type[models.Model], dict[int, str]]


def config_history(*, obj: models.Model) -> list[HistoryEntry]:
    """The object's audit events, newest first, each as a sentence and its changes in words."""
    events = list(
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk)
        ).order_by("-created_at", "-id")
    )
    model = type(obj)
    names = _names_for(model, events)
    return [_entry(model, event, names) for event in events]


def _foreign_keys(model: type[models.Model]) -> dict[str, type[models.Model]]:
    return {
        field.name: field.related_model
        for field in model._meta.concrete_fields
        if field.is_relation and isinstance(field.related_model, type)
    }


def _names_for(model: type[models.Model], events: Iterable[AuditEvent]) -> Names:
    wanted: dict[type[models.Model], set[int]] = {}
    fks = _foreign_keys(model)
    for event in events:
        for picture in (event.before or {}, event.after or {}):
            for key, related in fks.items():
                if isinstance(picture.get(key), int):
                    wanted.setdefault(related, set()).add(picture[key])
            for condition in picture.get("conditions") or []:
                related_model = {"queue": Queue, "team": Team}.get(condition.get("field"))
                values = condition.get("value")
                for value in values if isinstance(values, list) else [values]:
                    if related_model is not None and isinstance(value, int):
                        wanted.setdefault(related_model, set()).add(value)
    return {
        related: {row.pk: str(row) for row in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }


def _named(names: Names, related: type[models.Model], value: Any) -> str:
    if value in (None, ""):
        return EMPTY
    return names.get(related, {}).get(value, f"#{value} (deleted)")


def _conditions_text(conditions: Any, names: Names) -> str:
    if not conditions:
        return "every ticket"
    parts = []
    for condition in conditions:
        key = condition.get("field")
        field = CONDITION_FIELDS.get(key) if key in CONDITION_FIELDS else None
        values = condition.get("value")
        values = values if isinstance(values, list) else [values]
        if isinstance(field, IdField):
            related = {"queue": Queue, "team": Team}[key]
            shown = [_named(names, related, v) for v in values]
        else:
            shown = [str(v) for v in values]
        label = field.label if field else str(key)
        op = OP_WORDS.get(condition.get("op", "eq"), condition.get("op"))
        parts.append(f"{label} {op} {', '.join(shown)}")
    return "; ".join(parts)


def _params_text(trigger_kind: Any, params: Any) -> str:
    if not params:
        return EMPTY
    trigger = TRIGGERS.get(trigger_kind) if trigger_kind in TRIGGERS else None
    labels = {p.name: p.label for p in trigger.params} if trigger else {}
    amount = _amount_with_currency(trigger_kind, params)
    if amount is not None:
        return amount
    return "; ".join(f"{labels.get(k, k)}: {v}" for k, v in params.items())


def _amount_with_currency(trigger_kind: Any, params: Any) -> str | None:
    """``500.00 EUR`` for a trigger whose params are one amount and one currency."""
    if trigger_kind not in TRIGGERS or not isinstance(params, dict):
        return None
    declared = list(TRIGGERS.get(trigger_kind).params)
    amounts = [p.name for p in declared if isinstance(p, AmountParam)]
    currencies = [p.name for p in declared if isinstance(p, CurrencyParam)]
    if len(amounts) != 1 or len(currencies) != 1 or len(declared) != 2:
        return None
    return f"{params.get(amounts[0], EMPTY)} {params.get(currencies[0], '')}".strip()


def _rows_text(rows: Any) -> str:
    if not rows:
        return EMPTY
    if not all(isinstance(row, dict) for row in rows):  # a plain list, e.g. a macro's tags
        return ", ".join(str(row) for row in rows)
    return "; ".join(
        ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in row.items() if k not in HIDDEN_KEYS)
        for row in rows
    )


def _value_text(
    model: type[models.Model], key: str, value: Any, picture: dict[str, Any], names: Names
) -> str:
    if key == "conditions":
        return _conditions_text(value, names)
    if key == "trigger_params":
        return _params_text(picture.get("trigger_kind"), value)
    if key == "trigger_kind":
        return TRIGGERS.get(value).label if value in TRIGGERS else str(value or EMPTY)
    related = _foreign_keys(model).get(key)
    if related is not None:
        return _named(names, related, value)
    if isinstance(value, list):
        return _rows_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return EMPTY
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


def _label(model: type[models.Model], key: str) -> str:
    if key in FIELD_WORDS:
        return FIELD_WORDS[key]
    try:
        verbose = getattr(model._meta.get_field(key), "verbose_name", None)
    except FieldDoesNotExist:  # inline rows (``hours``, ``targets``) are not fields
        verbose = None
    return str(verbose or key.replace("_", " ")).capitalize()


def _entry(model: type[models.Model], event: AuditEvent, names: Names) -> HistoryEntry:
    before, after = event.before or {}, event.after or {}
    keys = [k for k in {**before, **after} if k not in HIDDEN_KEYS]
    changes = [
        HistoryChange(
            key=k,
            label=_label(model, k),
            before=_value_text(model, k, before.get(k), before, names) if event.before else EMPTY,
            after=_value_text(model, k, after.get(k), after, names) if event.after else EMPTY,
        )
        for k in keys
        if before.get(k) != after.get(k)
    ]
    changes += [
        HistoryChange(key=k, label=_label(model, k), before="••••", after="•••• (replaced)")
        for k in event.data.get("secrets_changed", [])
    ]
    return HistoryEntry(
        event=event,
        sentence=_sentence(model, event, before, after),
        changes=changes,
        revertible=event.before is not None,
    )


def _sentence(
    model: type[models.Model], event: AuditEvent, before: dict[str, Any], after: dict[str, Any]
) -> str:
    actor = event.actor_label or "Someone"
    action = event.kind.rsplit(".", 1)[-1]
    threshold = _threshold_sentence(before, after)
    if action == "changed" and threshold:
        return f"{actor} {threshold}"
    name = after.get("name") or before.get("name") or ""
    what = f"{model._meta.verbose_name} “{name}”" if name else str(model._meta.verbose_name)
    return f"{actor} {ACTION_WORDS.get(action, action)} the {what}"


def _threshold_sentence(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """``raised the refund threshold from 500.00 EUR to 800.00 EUR`` when only a numeric trigger
    parameter moved (same trigger kind, other fields unchanged)."""
    kind = after.get("trigger_kind")
    if not isinstance(kind, str) or kind != before.get("trigger_kind") or kind not in TRIGGERS:
        return None
    moved = {
        k for k in {**before, **after} if k not in HIDDEN_KEYS and before.get(k) != after.get(k)
    }
    if moved != {"trigger_params"}:
        return None
    old, new = before.get("trigger_params") or {}, after.get("trigger_params") or {}
    for param in TRIGGERS.get(kind).params:
        if not isinstance(param, AmountParam | NumberParam) or old.get(param.name) == new.get(
            param.name
        ):
            continue
        try:
            up = Decimal(str(new[param.name])) > Decimal(str(old[param.name]))
        except (KeyError, InvalidOperation):
            return None
        old_text = _amount_with_currency(kind, old) or str(old[param.name])
        new_text = _amount_with_currency(kind, new) or str(new[param.name])
        verb = "raised" if up else "lowered"
        return f"{verb} the {param.label.lower()} from {old_text} to {new_text}"
    return None
