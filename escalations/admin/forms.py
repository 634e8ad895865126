"""The console's forms, and the one place where the console reaches the engine's and SLA's
validators.

Every call the console makes into ``escalations.services``, the trigger and target registries and
``escalations.sla`` goes through the small functions at the top of this module, so the console
accepts exactly what the API accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from functools import cache
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from escalations.audit.history import OP_WORDS
from escalations.engine.conditions import CONDITION_FIELDS, IdField, conditions_clean
from escalations.engine.params import (
    AmountParam,
    CurrencyParam,
    NumberParam,
    Param,
    SecretUrlParam,
    WholeNumberParam,
)
from escalations.engine.targets import (
    TARGET_KINDS,
    target_clean,
    target_param_names,
    target_params,
)
from escalations.engine.triggers import TRIGGERS, TriggerKind
from escalations.exceptions import EscalationConflict
from escalations.models import (
    Calendar,
    OpeningHours,
    Rule,
    RuleKind,
    SLAPolicy,
    SLATarget,
    Target,
)
from escalations.services import rule_values_clean, slack_delivery_retry, slack_target_test
from escalations.sla.businesstime import BusinessCalendar
from escalations.sla.clocks import PolicyRules, TargetRule
from escalations.sla.preview import (
    NEW_POLICY_ID,
    SLAPreview,
    sla_calendar_preview,
    sla_policy_preview,
)
from escalations.sla.validators import calendar_values_clean, sla_policy_values_clean
from tickets.currencies import CURRENCY_CHOICES

if TYPE_CHECKING:
    from escalations.models import SlackDelivery
    from tickets.models import Agent


# --- Reaching the engine and SLA parts ----------------------------------------------------
def trigger_kinds() -> list[TriggerKind]:
    """The trigger kinds a rule may use (the registry), each with its declared params."""
    return list(TRIGGERS)


def trigger_kind_of(key: str) -> TriggerKind | None:
    return TRIGGERS.get(key) if key in TRIGGERS else None


def target_destination(*, target: Target) -> str:
    """Where a target sends escalations, in words (its kind's declared params)."""
    kind = TARGET_KINDS.get(target.kind)
    if not kind.params:
        return kind.label
    return "; ".join(param.display(getattr(target, param.name)) for param in kind.params)


def _whole_number(value: Any) -> Any:
    text = str(value).strip()
    digits = text.lstrip("-")
    return int(text) if digits.isascii() and digits.isdigit() else value


def sla_policy_preview_run(*, form: SLAPolicyAdminForm, team_id: int | None) -> SLAPreview:
    """What the policy as posted (validated, unsaved) would do to open tickets' deadlines."""
    cleaned = form.cleaned_data
    team, calendar = cleaned.get("team"), cleaned.get("calendar")
    draft = PolicyRules(
        id=form.instance.pk or NEW_POLICY_ID,
        name=cleaned["name"],
        enabled=bool(cleaned.get("enabled")),
        conditions=cleaned.get("conditions") or [],
        team_id=team.pk if team else None,
        calendar_id=calendar.pk if calendar else None,
        amber_percent=cleaned["amber_percent"],
        order=cleaned["order"],
        targets=tuple(
            TargetRule(t["metric"], t["priority"], t["tier"], t["minutes"])
            for t in form.cleaned_targets
        ),
    )
    return sla_policy_preview(policy=draft, calendar=calendar, team_id=team_id)


def calendar_preview_run(*, form: CalendarAdminForm, team_id: int | None) -> SLAPreview:
    """What the calendar as posted (validated, unsaved) would do to open tickets' deadlines."""
    values = form.cleaned_calendar
    draft = BusinessCalendar.build(
        timezone=values["timezone"],
        hours=[(h["weekday"], h["start"], h["end"]) for h in values["hours"]],
        holiday_country=values["holiday_country"],
        holiday_subdivision=values["holiday_subdivision"],
        closed_dates=values["holidays"],
    )
    return sla_calendar_preview(calendar_id=form.instance.pk, calendar=draft, team_id=team_id)


class ActionRefused(Exception):
    """The engine refused an admin action on one object; the message says why."""


def slack_delivery_retry_run(*, delivery: SlackDelivery, actor: Agent) -> SlackDelivery:
    try:
        return slack_delivery_retry(delivery=delivery, actor=actor)
    except (EscalationConflict, PermissionDenied, ValidationError) as exc:
        raise ActionRefused(f"{delivery}: {_reason(exc)}") from exc


def slack_target_test_run(*, target: Target, actor: Agent) -> SlackDelivery:
    try:
        return slack_target_test(target=target, actor=actor)
    except (PermissionDenied, ValidationError) as exc:
        raise ActionRefused(f"{target}: {_reason(exc)}") from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "not allowed."


# --- Conditions as rows ----------------------------------------------------------------------
MAX_CONDITION_ROWS = 100


@dataclass(frozen=True)
class ConditionVocabulary:
    """What a condition row may pick, by field: ``options`` (stored value, label) for the
    pickers, ``aliases`` (lower-cased name -> id) to read queue and team names back as ids."""

    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    aliases: dict[str, dict[str, int]] = field(default_factory=dict)

    def label(self, field_key: str, value: Any) -> str:
        for stored, label in self.options.get(field_key, ()):
            if stored == str(value):
                return label
        return str(value)


class ConditionRowForm(forms.Form):
    """One condition row as posted. The row only reads the three parts; the engine's
    ``conditions_clean`` judges them, with the whole list (so the console words its errors as
    the API does: "Condition 2: ...")."""

    field = forms.CharField(
        required=False,
        widget=forms.Select(
            choices=[("", "---------"), *((f.key, f.label) for f in CONDITION_FIELDS)],
            attrs={"data-kd-part": "field"},
        ),
    )
    op = forms.CharField(
        required=False,
        initial="eq",
        widget=forms.Select(choices=list(OP_WORDS.items()), attrs={"data-kd-part": "op"}),
    )
    value = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"size": 30, "data-kd-part": "value"})
    )


class BaseConditionRowFormSet(forms.BaseFormSet):
    """Condition rows with a management form; every control says its row ("Condition 2:
    operator"). The blank row that "Add a row" copies is numbered ``__num__``."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        number = "__num__" if index is None else str(index + 1)
        words = {"field": "field", "op": "operator", "value": "value", "DELETE": "remove"}
        for name, word in words.items():
            form.fields[name].widget.attrs["aria-label"] = f"Condition {number}: {word}"
        form.fields["DELETE"].widget.attrs["data-kd-part"] = "remove"


ConditionRowFormSet = forms.formset_factory(
    ConditionRowForm,
    formset=BaseConditionRowFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_CONDITION_ROWS,
    absolute_max=MAX_CONDITION_ROWS,
)


class ConditionRowsNotSent(list[dict[str, str]]):
    """The posted value when the rows' management form is missing or tampered with."""


class ConditionRowsWidget(forms.Widget):
    """Condition rows (field / operator / value) as a Django formset named after the field:
    ``<name>-TOTAL_FORMS`` and the other management inputs, ``<name>-<i>-field``, ``-op``,
    ``-value`` and ``-DELETE`` (the "Remove" box).

    Values are typed or picked from the field's list (queues and teams by name, tags, tiers,
    priorities, statuses). "Add a row" copies the formset's blank row from a ``<template>``;
    ``js/admin-rows.js`` wires it and the pickers (no inline script: see the
    Content-Security-Policy).
    """

    class Media:
        js = ("js/admin-rows.js",)

    vocabulary = ConditionVocabulary()

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        formset = ConditionRowFormSet(data, prefix=name)
        if not formset.management_form.is_valid():
            return ConditionRowsNotSent()
        rows = []
        for form in formset.forms:  # at most MAX_CONDITION_ROWS (the formset's absolute_max)
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            # An extra row left as shown has no cleaned data: it is blank.
            row = {part: form.cleaned_data.get(part, "") for part in ("field", "op", "value")}
            if row["field"] or row["value"]:
                rows.append(row)
        return rows

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        rows = value if isinstance(value, list) else []
        formset = ConditionRowFormSet(
            prefix=name,
            initial=[
                {
                    "field": row.get("field", ""),
                    "op": row.get("op") or "eq",
                    "value": self._value_display(row.get("field", ""), row.get("value")),
                }
                for row in rows
            ],
        )
        datalists = format_html_join(
            "",
            '<datalist id="id_{}_values_{}">{}</datalist>',
            (
                (
                    name,
                    key,
                    format_html_join("", '<option value="{}">', ((label,) for _, label in options)),
                )
                for key, options in self.vocabulary.options.items()
            ),
        )
        return format_html(
            '<div class="kd-conditions-editor">{}<table class="kd-conditions" id="id_{}">'
            '<thead><tr><th scope="col">Field</th><th scope="col">Operator</th>'
            '<th scope="col">Value (pick or type; comma-separated for “is one of”)</th>'
            '<th scope="col">Remove</th></tr></thead><tbody>{}</tbody></table>'
            '<template id="id_{}_empty">{}</template>{}'
            '<button type="button" class="button kd-add-row" id="id_{}_add" data-kd-add-row="{}">'
            "Add a row</button></div>",
            formset.management_form,
            name,
            format_html_join("", "{}", ((self._row(form),) for form in formset.forms)),
            name,
            self._row(formset.empty_form),
            datalists,
            name,
            name,
        )

    @staticmethod
    def _row(form: forms.BaseForm) -> SafeString:
        return format_html(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            form["field"],
            form["op"],
            form["value"],
            form["DELETE"],
        )

    def _value_display(self, field_key: str, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self.vocabulary.label(field_key, v) for v in value)
        return "" if value is None else self.vocabulary.label(field_key, value)


def _row_value(field_key: str, op: str, text: Any, vocabulary: ConditionVocabulary) -> Any:
    if not isinstance(text, str):
        return text
    is_id = field_key in CONDITION_FIELDS and isinstance(CONDITION_FIELDS.get(field_key), IdField)
    aliases = vocabulary.aliases.get(field_key, {})

    def convert(part: str) -> Any:
        part = part.strip()
        if not is_id:
            return part
        digits = part.lstrip("-")
        if digits.isascii() and digits.isdigit():
            return int(part)
        return aliases.get(part.lower(), part)

    if op in ("in", "not_in"):
        return [convert(part) for part in text.split(",") if part.strip()]
    return convert(text)


class ConditionsField(forms.Field):
    """A rule's or policy's conditions, edited as rows and stored as the JSON list."""

    widget = ConditionRowsWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", "All rows must hold; no rows means every ticket of the team."
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if not value:
            return []
        return [
            {
                "field": row.get("field", ""),
                "op": row.get("op") or "eq",
                "value": _row_value(
                    row.get("field", ""),
                    row.get("op") or "eq",
                    row.get("value"),
                    self.widget.vocabulary,
                ),
            }
            for row in value
        ]

    def clean(self, value: Any) -> list[dict[str, Any]]:
        if isinstance(value, ConditionRowsNotSent):
            raise ValidationError(
                "The condition rows were not sent completely. Reload the page and try again."
            )
        return conditions_clean(self.to_python(value))

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return conditions_clean(initial or []) != self.clean(data)
        except ValidationError:
            return True


# --- Rule form -------------------------------------------------------------------------------
def param_field_name(trigger_key: str, param: str) -> str:
    return f"tp__{trigger_key}__{param}"


class ParamFormField(forms.Field):
    """A trigger parameter's form field: the browser's text, checked by the declared ``Param``.

    Text is converted the way a JSON client would send it (an amount stays a decimal string, a
    number becomes a number), then the param's own ``clean`` decides: the console accepts what
    the API accepts.
    """

    def __init__(self, *, param: Param, **kwargs: Any) -> None:
        self.param = param
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = "" if value is None else str(value).strip()
        if text == "":
            return None
        if isinstance(self.param, WholeNumberParam):
            try:
                return int(text)
            except ValueError:
                raise ValidationError(
                    f"Give a whole number from {self.param.minimum:g} to {self.param.maximum:g}."
                ) from None
        if isinstance(self.param, NumberParam):
            try:
                return float(text)
            except ValueError:
                raise ValidationError(
                    f"Give a number from {self.param.minimum:g} to {self.param.maximum:g}."
                ) from None
        return text

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            try:
                self.param.clean(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None


def param_form_field(param: Param) -> forms.Field:
    """The console form field of a declared parameter (type, bounds, label, help)."""
    if isinstance(param, SecretUrlParam):
        # Write-only: never rendered back; its kind's schema checks it with the whole target.
        return forms.CharField(
            label=param.label,
            required=False,
            max_length=param.max_length,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            help_text=f"{param.help_text} Write-only.",
        )
    common: dict[str, Any] = {
        "param": param,
        "required": False,
        "label": param.label,
        "help_text": param.help_text,
    }
    if isinstance(param, CurrencyParam):
        return ParamFormField(
            widget=forms.Select(choices=[("", "---------"), *CURRENCY_CHOICES]), **common
        )
    if isinstance(param, NumberParam):
        bounds = {"min": param.minimum, "max": param.maximum, "step": param.step}
        return ParamFormField(widget=forms.NumberInput(attrs=bounds), **common)
    if isinstance(param, AmountParam):
        attrs: dict[str, Any] = {
            "inputmode": "decimal",
            "pattern": r"[0-9]+(\.[0-9]{1,2})?",
            "size": 14,
        }
        return ParamFormField(widget=forms.TextInput(attrs=attrs), **common)
    return ParamFormField(**common)


class ConditionVocabularyFormMixin:
    """Forms with condition rows: the admin sets ``condition_vocabulary`` per request."""

    condition_vocabulary: ConditionVocabulary = ConditionVocabulary()

    def _use_condition_vocabulary(self) -> None:
        self.fields["conditions"].widget.vocabulary = self.condition_vocabulary  # type: ignore[attr-defined]


class RuleFormBase(ConditionVocabularyFormMixin, forms.ModelForm):
    conditions = ConditionsField()

    class Meta:
        model = Rule
        fields = (
            "name",
            "kind",
            "team",
            "enabled",
            "order",
            "trigger_kind",
            "conditions",
            "target",
            "route_queue",
            "route_assignee",
            "cooldown_minutes",
            "ack_limit_minutes",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._use_condition_vocabulary()
        self.fields["trigger_kind"] = forms.ChoiceField(
            label="Trigger",
            choices=[("", "---------")] + [(t.key, t.label) for t in trigger_kinds()],
            initial=self.instance.trigger_kind,
        )
        stored = self.instance.trigger_params or {}
        trigger = trigger_kind_of(self.instance.trigger_kind or "")
        for param in trigger.params if trigger else ():
            self.initial.setdefault(
                param_field_name(trigger.key, param.name),  # type: ignore[union-attr]
                stored.get(param.name),
            )

    def _trigger_params_raw(self, trigger_kind: str) -> dict[str, Any]:
        trigger = trigger_kind_of(trigger_kind)
        raw: dict[str, Any] = {}
        for param in trigger.params if trigger else ():
            value = self.cleaned_data.get(param_field_name(trigger_kind, param.name))
            if value is not None:
                raw[param.name] = value
        return raw

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        trigger_kind = cleaned.get("trigger_kind")
        if not trigger_kind or "conditions" not in cleaned:
            return cleaned
        try:
            values = rule_values_clean(
                kind=cleaned.get("kind", RuleKind.ESCALATION),
                trigger_kind=trigger_kind,
                trigger_params=self._trigger_params_raw(trigger_kind),
                conditions=cleaned["conditions"],
                target=cleaned.get("target"),
                team=cleaned.get("team"),
            )
        except ValidationError as exc:
            self._add_rule_errors(trigger_kind, exc)
            return cleaned
        cleaned["conditions"] = values.get("conditions", cleaned["conditions"])
        self.instance.trigger_params = values.get("trigger_params", {})
        return cleaned

    def _add_rule_errors(self, trigger_kind: str, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.message_dict.items():
            param_field = param_field_name(trigger_kind, key)
            if param_field in self.fields:
                if param_field not in self.errors:  # one message per field: its own comes first
                    self.add_error(param_field, errors)
            elif key in self.fields and key != "trigger_params":
                self.add_error(key, errors)
            else:
                self.add_error(None, errors)


@cache
def rule_form_class() -> type[RuleFormBase]:
    """The rule form with one field per trigger parameter (shown per kind by a little JS)."""
    attrs: dict[str, Any] = {"__module__": __name__}
    for trigger in trigger_kinds():
        for param in trigger.params:
            attrs[param_field_name(trigger.key, param.name)] = param_form_field(param)
    return type("RuleAdminForm", (RuleFormBase,), attrs)


# --- Target form -----------------------------------------------------------------------------
class TargetFormBase(forms.ModelForm):
    """A target with its kind's params: the pickers (agent, queue) are the model's, labelled by
    the declarations; secrets are write-only (left empty on edit, the stored one is kept). The
    kind's declared schema checks them all together (``target_clean``), as the API does."""

    class Meta:
        model = Target
        fields = ("name", "kind", "team", *target_param_names())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, param in target_params().items():
            if isinstance(param, SecretUrlParam):
                self.initial[name] = ""
                if getattr(self.instance, name):
                    self.fields[name].help_text = (
                        f"A {param.label} is stored (not shown). Leave empty to keep it; enter a "
                        "new one to replace it."
                    )
            elif name in self.fields:
                self.fields[name].label = param.label
                self.fields[name].help_text = param.help_text

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        names = target_param_names()
        probe = Target(
            pk=self.instance.pk,
            name=cleaned.get("name", ""),
            kind=cleaned.get("kind", ""),
            team=cleaned.get("team"),
            **{name: cleaned.get(name) for name in names},
        )
        for name, param in target_params().items():
            if isinstance(param, SecretUrlParam) and not str(cleaned.get(name) or "").strip():
                setattr(probe, name, getattr(self.instance, name) if self.instance.pk else "")
        # What the user entered or picked; values left from an earlier kind are emptied.
        given = {name for name in names if self.data.get(self.add_prefix(name))}
        try:
            target_clean(target=probe, given=given)
        except ValidationError as exc:
            add_keyed_errors(self, exc)
            return cleaned
        cleaned.update({name: getattr(probe, name) for name in names})
        return cleaned


def target_param_fieldsets() -> list[tuple[str, dict[str, Any]]]:
    """One fieldset per group of param columns that the same kinds use, shown (by
    ``js/admin-kinds.js``) only while one of those kinds is chosen."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in target_param_names():
        kinds = tuple(kind.key for kind in TARGET_KINDS if name in kind.params.names())
        groups.setdefault(kinds, []).append(name)
    return [
        (
            ", ".join(TARGET_KINDS.get(key).label for key in kinds),
            {
                "fields": tuple(names),
                "classes": ("kd-kind-params", "kd-kind-of-kind", *(f"kd-kind-{k}" for k in kinds)),
            },
        )
        for kinds, names in groups.items()
    ]


@cache
def target_form_class() -> type[TargetFormBase]:
    """The target form with a field per declared secret param (the others are model fields)."""
    attrs: dict[str, Any] = {"__module__": __name__}
    for name, param in target_params().items():
        if isinstance(param, SecretUrlParam):
            attrs[name] = param_form_field(param)
    return type("TargetAdminForm", (TargetFormBase,), attrs)


# --- SLA policy and calendar forms -----------------------------------------------------------
def inline_rows(data: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The rows an inline formset posts (not deleted, not blank), read from the raw form data.

    The parent form validates the object as a whole (e.g. a calendar with its opening hours)
    before anything is saved; whole numbers are converted, the rest stays text.
    """
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
    except (TypeError, ValueError):
        return []
    rows = []
    for index in range(total):
        if data.get(f"{prefix}-{index}-DELETE"):
            continue
        row = {field: data.get(f"{prefix}-{index}-{field}", "") for field in fields}
        if all(value in ("", None) for value in row.values()):
            continue
        rows.append({k: _whole_number(v) if v not in ("", None) else None for k, v in row.items()})
    return rows


class SLAPolicyAdminForm(ConditionVocabularyFormMixin, forms.ModelForm):
    conditions = ConditionsField()
    # The posted target rows, cleaned (set by ``clean`` when the policy validates).
    cleaned_targets: list[dict[str, Any]]

    class Meta:
        model = SLAPolicy
        fields = ("name", "team", "enabled", "order", "conditions", "calendar", "amber_percent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._use_condition_vocabulary()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        probe = SLAPolicy(
            pk=self.instance.pk,
            **{f: cleaned.get(f) for f in self.Meta.fields if f in cleaned},
        )
        targets = inline_rows(self.data, "targets", ("metric", "priority", "tier", "minutes"))
        try:
            values = sla_policy_values_clean(policy=probe, targets=targets)
        except ValidationError as exc:
            add_keyed_errors(self, exc)
        else:
            cleaned["conditions"] = probe.conditions
            self.cleaned_targets = values["targets"]
        return cleaned


class CalendarAdminForm(forms.ModelForm):
    # The calendar with its posted hours and holidays, cleaned (set by ``clean`` when valid).
    cleaned_calendar: dict[str, Any]

    class Meta:
        model = Calendar
        fields = ("name", "team", "timezone", "holiday_country", "holiday_subdivision")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        probe = Calendar(pk=self.instance.pk, **{f: cleaned.get(f) for f in self.Meta.fields})
        hours = inline_rows(self.data, "hours", ("weekday", "start", "end"))
        holidays = [row["date"] for row in inline_rows(self.data, "holidays", ("date",))]
        try:
            self.cleaned_calendar = calendar_values_clean(
                calendar=probe, hours=hours, holidays=holidays
            )
        except ValidationError as exc:
            add_keyed_errors(self, exc)
        return cleaned


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class LabelledRowsFormSet(BaseInlineFormSet):
    """Inline rows whose inputs are named for assistive technology: a tabular row shows its
    labels only as column headings, so each input says its column and row ("Minutes, row 2")."""

    def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        for name, row_field in form.fields.items():
            if not row_field.widget.is_hidden:
                row_field.widget.attrs.setdefault("aria-label", f"{form[name].label}, {row}")


class ServiceCheckedRowForm(forms.ModelForm):
    """An inline row whose values the SLA service checks once, with the whole parent (the parent
    form names the row and the field in words): the row adds no second message of its own for
    ``service_checked`` fields (no bounds of its own, no database-constraint message)."""

    service_checked: tuple[str, ...] = ()

    def _get_validation_exclusions(self) -> set[str]:
        return set(super()._get_validation_exclusions()) | set(self.service_checked)  # type: ignore[misc]


class OpeningHoursInlineForm(ServiceCheckedRowForm):
    weekday = forms.IntegerField(widget=forms.Select(choices=WEEKDAY_CHOICES))
    service_checked = ("weekday",)

    class Meta:
        model = OpeningHours
        fields = ("weekday", "start", "end")
        help_texts = {
            "end": "Exclusive; 00:00 is midnight. An end before the start runs overnight and "
            "ends the next day (e.g. Friday 22:00-06:00 ends Saturday 06:00).",
        }


class SLATargetInlineForm(ServiceCheckedRowForm):
    minutes = forms.IntegerField(help_text="Whole minutes above 0 (business time).")
    service_checked = ("minutes",)

    class Meta:
        model = SLATarget
        fields = ("metric", "priority", "tier", "minutes")


def overnight_spans(*, calendar: Calendar) -> list[str]:
    """The calendar's spans that run past midnight, in words (``Friday 22:00-06:00 runs
    overnight into Saturday``)."""
    names = dict(WEEKDAY_CHOICES)
    return [
        f"{names[h.weekday]} {h.start:%H:%M}-{h.end:%H:%M} runs overnight into "
        f"{names[(h.weekday + 1) % 7]}."
        for h in calendar.hours.all()
        if h.end != time(0, 0) and h.end < h.start
    ]


def add_keyed_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ``ValidationError`` to the form fields it names (others: the form's)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        if key in form.fields:
            form.add_error(key, errors)
        else:
            label = key.replace("_", " ").capitalize()
            form.add_error(None, [f"{label}: {error}" for error in errors])
