"""Declared parameters: each trigger kind and target kind states its params once, here-shaped.

A ``ParamSchema`` is a tuple of typed parameters (name, label, help, bounds). It validates stored
or submitted params (``clean``: every error at once, keyed by parameter name) and describes them
as JSON Schema (``json_schema``) for the OpenAPI document. The console form fields are derived
from the same declarations (``escalations.admin.forms.param_form_field``) and hand their values
to the same ``clean``, so the console, the API and the schema accept exactly the same params.

A trigger kind's params are stored as one JSON object (``Rule.trigger_params``); a target kind's
are columns of its ``Target`` row (``escalations.engine.targets.target_params_clean``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, TypeVar

from django.core.exceptions import ValidationError

from tickets.currencies import ISO_4217_CODES

# The stored form of a parameter's value (``Param.clean``'s result).
T_co = TypeVar("T_co", covariant=True)
# A JSON Schema document or fragment: any JSON object.
JSONSchema = dict[str, Any]


@dataclass(frozen=True)
class Param(ABC, Generic[T_co]):
    """One parameter: ``clean`` returns the stored value or raises ``ValueError(message)``."""

    name: str
    label: str
    help_text: str
    required: bool = False
    type: ClassVar[str] = "text"

    @abstractmethod
    def clean(self, raw: object) -> T_co:
        """The stored form of ``raw`` (anything a form or a JSON body holds), or ``ValueError``
        with the message in words."""

    @abstractmethod
    def json_schema(self) -> JSONSchema:
        """The parameter as a JSON Schema property, for the OpenAPI document."""

    def describe(self) -> str:
        """The parameter in words, for help texts."""
        need = "required" if self.required else "optional"
        return f"{self.label} ({need}): {self.help_text}"

    def display(self, value: object) -> str:
        """A stored value in words, for lists and history."""
        return str(value)

    def unused_json_schema(self) -> JSONSchema:
        """The JSON Schema of this parameter where a kind does not use it (target columns that
        another kind declares): left out or empty."""
        return {"type": "string", "maxLength": 0, "description": "Not used: leave it out."}


@dataclass(frozen=True)
class AmountParam(Param[str]):
    """A positive money amount with two decimals, up to ``max_integer_digits`` before the point.

    Given as a decimal string (``"500.00"``, at most two decimals) or a JSON number (rounded to
    cents); stored as a string with two decimals.
    """

    max_integer_digits: int = 9
    type: ClassVar[str] = "amount"

    @property
    def minimum(self) -> Decimal:
        return Decimal("0.01")

    @property
    def maximum(self) -> Decimal:
        return Decimal("9" * self.max_integer_digits + ".99")

    @property
    def pattern(self) -> str:
        return rf"^(?!0*(\.0*)?$)[0-9]{{1,{self.max_integer_digits}}}(\.[0-9]{{1,2}})?$"

    def _bounds_message(self) -> str:
        return (
            f"Give an amount from {self.minimum} to {self.maximum}, "
            "with at most two decimals (e.g. 500.00)."
        )

    def clean(self, raw: object) -> str:
        if isinstance(raw, str):
            if not re.match(self.pattern, raw):
                raise ValueError(self._bounds_message())
            return str(Decimal(raw).quantize(Decimal("0.01")))
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
            raise ValueError(self._bounds_message())
        try:
            amount = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(self._bounds_message()) from None
        if not amount.is_finite() or not self.minimum <= amount <= self.maximum:
            raise ValueError(self._bounds_message())
        return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    def json_schema(self) -> JSONSchema:
        return {
            "title": self.label,
            "description": self.help_text,
            "oneOf": [
                {"type": "string", "pattern": self.pattern, "example": "500.00"},
                {
                    "type": "number",
                    "minimum": float(self.minimum),
                    "maximum": float(self.maximum),
                },
            ],
        }


@dataclass(frozen=True)
class NumberParam(Param[float]):
    """A number between ``minimum`` and ``maximum`` (inclusive)."""

    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 0.01
    type: ClassVar[str] = "number"

    def clean(self, raw: object) -> float:
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int | float)
            or not self.minimum <= raw <= self.maximum
        ):
            raise ValueError(f"Give a number from {self.minimum:g} to {self.maximum:g}.")
        return float(raw)

    def json_schema(self) -> JSONSchema:
        return {
            "title": self.label,
            "description": self.help_text,
            "type": "number",
            "minimum": self.minimum,
            "maximum": self.maximum,
        }


@dataclass(frozen=True)
class WholeNumberParam(NumberParam):
    """A whole number between ``minimum`` and ``maximum`` (inclusive)."""

    step: float = 1
    type: ClassVar[str] = "integer"

    def clean(self, raw: object) -> int:
        if (
            isinstance(raw, bool)
            or not isinstance(raw, int)
            or not self.minimum <= raw <= self.maximum
        ):
            raise ValueError(f"Give a whole number from {self.minimum:g} to {self.maximum:g}.")
        return raw

    def json_schema(self) -> JSONSchema:
        return {**super().json_schema(), "type": "integer"}


@dataclass(frozen=True)
class CurrencyParam(Param[str]):
    """An ISO 4217 currency code in capitals."""

    type: ClassVar[str] = "currency"

    @property
    def choices(self) -> tuple[str, ...]:
        return ISO_4217_CODES

    def clean(self, raw: object) -> str:
        if not isinstance(raw, str) or raw not in ISO_4217_CODES:
            raise ValueError(f"{raw!r} is not an ISO 4217 currency code (e.g. EUR, USD).")
        return raw

    def json_schema(self) -> JSONSchema:
        return {
            "title": self.label,
            "description": self.help_text,
            "type": "string",
            "enum": list(ISO_4217_CODES),
        }


@dataclass(frozen=True)
class ReferenceParam(Param[int]):
    """The id of a row of another part of KimonDesk (an agent, a queue). This checks the shape;
    whether the row exists and may be used there is its owner's check (it reads the database)."""

    type: ClassVar[str] = "reference"

    def clean(self, raw: object) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            raise ValueError(f"Give the id of the {self.label.lower()}.")
        return raw

    def json_schema(self) -> JSONSchema:
        return {
            "title": self.label,
            "description": self.help_text,
            "type": "integer",
            "minimum": 1,
        }

    def unused_json_schema(self) -> JSONSchema:
        return {"nullable": True, "not": {"type": "integer"}, "description": "Not used: null."}


@dataclass(frozen=True)
class SecretUrlParam(Param[str]):
    """A URL that is a secret: written, never shown back. ``pattern`` is what the OpenAPI
    document states; ``validator`` (raising Django's ``ValidationError``) has the last word, e.g.
    a stand-in on this machine where private networks are allowed."""

    pattern: str = r"^https://\S+$"
    max_length: int = 500
    validator: Callable[[str], None] | None = None
    type: ClassVar[str] = "secret_url"

    def clean(self, raw: object) -> str:
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError(f"Give the {self.label}.")
        value = raw.strip()
        if len(value) > self.max_length:
            raise ValueError(f"Give at most {self.max_length} characters.")
        if self.validator is not None:
            try:
                self.validator(value)
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages)) from None
        elif not re.match(self.pattern, value):
            raise ValueError(f"Give the {self.label}.")
        return value

    def json_schema(self) -> JSONSchema:
        return {
            "title": self.label,
            "description": self.help_text,
            "type": "string",
            "maxLength": self.max_length,
            "pattern": self.pattern,
            "writeOnly": True,
        }

    def display(self, value: object) -> str:
        return f"{self.label} stored (not shown)" if value else f"No {self.label}"


@dataclass(frozen=True)
class ParamSchema:
    """The parameters of one trigger or target kind (none by default)."""

    params: tuple[Param[object], ...] = ()

    def __iter__(self) -> Iterator[Param[object]]:
        return iter(self.params)

    def __bool__(self) -> bool:
        return bool(self.params)

    def names(self) -> list[str]:
        return [param.name for param in self.params]

    def clean(self, raw: object, *, owner: str) -> dict[str, Any]:
        """Cleaned params (each value as its ``Param.clean`` returns it), or ``ValidationError``
        keyed by parameter name (every error at once)."""
        if raw in (None, ""):
            raw = {}
        if not isinstance(raw, dict):
            raise ValidationError({"params": ["Give the parameters as an object."]})
        declared = {param.name: param for param in self.params}
        errors: dict[str, list[str]] = {
            name: [f"{owner} takes no parameter {name!r}."]
            for name in sorted(set(raw) - set(declared), key=str)
        }
        cleaned: dict[str, Any] = {}
        for name, param in declared.items():
            if name not in raw:
                if param.required:
                    errors[name] = [f"{param.label} is required."]
                continue
            try:
                cleaned[name] = param.clean(raw[name])
            except ValueError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        return cleaned

    def json_schema(self) -> JSONSchema:
        schema: JSONSchema = {
            "type": "object",
            "properties": {param.name: param.json_schema() for param in self.params},
            "additionalProperties": False,
        }
        required = [param.name for param in self.params if param.required]
        if required:
            schema["required"] = required
        return schema

    def describe(self) -> str:
        if not self.params:
            return "No parameters."
        return " ".join(param.describe() for param in self.params)
