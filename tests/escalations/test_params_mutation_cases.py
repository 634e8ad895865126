"""Declared params (``escalations/engine/params.py``): exact results and refusals of each type.

Pure: no database. Each case pins a value, a message or a schema that a one-token slip in the
module would change (the cases a mutation run showed unguarded). How the console, the API and the
OpenAPI schema agree on them is ``test_param_parity.py``.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from escalations.engine.params import (
    AmountParam,
    CurrencyParam,
    NumberParam,
    ParamSchema,
    ReferenceParam,
    SecretUrlParam,
    WholeNumberParam,
)
from tickets.currencies import ISO_4217_CODES

AMOUNT = AmountParam("threshold", "Amount", "The refund amount.", required=True)
SMALL_AMOUNT = AmountParam("cap", "Cap", "A small cap.", max_integer_digits=3)
SHARE = NumberParam("share", "Share", "A share of one.")
COUNT = WholeNumberParam("count", "Count", "How many.", minimum=1, maximum=10)
CURRENCY = CurrencyParam("currency", "Currency", "The refund currency.")
AGENT = ReferenceParam("agent", "Agent", "Who receives it.", required=True)
URL = SecretUrlParam("hook", "Hook URL", "Where it posts.", max_length=20)
AMOUNT_REFUSAL = (
    "Give an amount from 0.01 to 999999999.99, with at most two decimals (e.g. 500.00)."
)


def refusal(param, raw) -> str:
    """The message with which ``param`` refuses ``raw``."""
    try:
        param.clean(raw)
    except ValueError as exc:
        return str(exc)
    raise AssertionError(f"{raw!r} was accepted")


# --- Param --------------------------------------------------------------------------------------
def test_describe_says_whether_the_param_is_required():
    assert AMOUNT.describe() == "Amount (required): The refund amount."
    assert CURRENCY.describe() == "Currency (optional): The refund currency."


def test_display_and_unused_schema_of_a_plain_param():
    assert CURRENCY.display("EUR") == "EUR"
    assert SHARE.display(0.5) == "0.5"
    assert CURRENCY.unused_json_schema() == {
        "type": "string",
        "maxLength": 0,
        "description": "Not used: leave it out.",
    }


# --- AmountParam --------------------------------------------------------------------------------
def test_amount_bounds_and_pattern():
    assert AMOUNT.minimum == Decimal("0.01")
    assert AMOUNT.maximum == Decimal("999999999.99")
    assert SMALL_AMOUNT.maximum == Decimal("999.99")
    assert SMALL_AMOUNT.pattern == r"^(?!0*(\.0*)?$)[0-9]{1,3}(\.[0-9]{1,2})?$"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        pytest.param("500", "500.00", id="string-whole"),
        pytest.param("0.5", "0.50", id="string-one-decimal"),
        pytest.param("0.01", "0.01", id="string-minimum"),
        pytest.param("007.25", "7.25", id="string-leading-zeros"),
        pytest.param("999999999.99", "999999999.99", id="string-maximum"),
        pytest.param(500, "500.00", id="int"),
        pytest.param(0.025, "0.03", id="float-rounds-half-up"),
        pytest.param(12.344, "12.34", id="float-rounds-down"),
        pytest.param(Decimal("1.5"), "1.50", id="decimal"),
        pytest.param(999999999.99, "999999999.99", id="number-maximum"),
        pytest.param(0.01, "0.01", id="number-minimum"),
    ],
)
def test_amount_clean_stores_two_decimals(raw, stored):
    assert AMOUNT.clean(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("0", id="zero"),
        pytest.param("0.00", id="zero-decimals"),
        pytest.param("1.234", id="three-decimals"),
        pytest.param("-5", id="negative-string"),
        pytest.param("1000000000", id="ten-digits"),
        pytest.param("abc", id="words"),
        pytest.param(True, id="bool"),
        pytest.param(None, id="none"),
        pytest.param([500], id="list"),
        pytest.param(0, id="number-zero"),
        pytest.param(0.004, id="number-below-minimum"),
        pytest.param(1e9, id="number-above-maximum"),
        pytest.param(-1, id="number-negative"),
        pytest.param(math.inf, id="infinity"),
        pytest.param(math.nan, id="nan"),
    ],
)
def test_amount_clean_refuses(raw):
    assert refusal(AMOUNT, raw) == AMOUNT_REFUSAL


def test_amount_refusal_names_its_own_maximum():
    assert refusal(SMALL_AMOUNT, "1000") == (
        "Give an amount from 0.01 to 999.99, with at most two decimals (e.g. 500.00)."
    )
    assert refusal(SMALL_AMOUNT, 1000) == (
        "Give an amount from 0.01 to 999.99, with at most two decimals (e.g. 500.00)."
    )


def test_amount_json_schema():
    assert SMALL_AMOUNT.json_schema() == {
        "title": "Cap",
        "description": "A small cap.",
        "oneOf": [
            {"type": "string", "pattern": SMALL_AMOUNT.pattern, "example": "500.00"},
            {"type": "number", "minimum": 0.01, "maximum": 999.99},
        ],
    }


# --- NumberParam and WholeNumberParam -----------------------------------------------------------
@pytest.mark.parametrize(("raw", "stored"), [(0, 0.0), (1, 1.0), (0.25, 0.25)])
def test_number_clean_gives_a_float_inside_the_bounds(raw, stored):
    cleaned = SHARE.clean(raw)

    assert cleaned == stored
    assert type(cleaned) is float


@pytest.mark.parametrize("raw", [-0.01, 1.01, True, False, "0.5", None])
def test_number_clean_refuses(raw):
    assert refusal(SHARE, raw) == "Give a number from 0 to 1."


def test_number_defaults_and_json_schema():
    assert (SHARE.minimum, SHARE.maximum, SHARE.step) == (0.0, 1.0, 0.01)
    assert SHARE.json_schema() == {
        "title": "Share",
        "description": "A share of one.",
        "type": "number",
        "minimum": 0.0,
        "maximum": 1.0,
    }


@pytest.mark.parametrize("raw", [1, 10, 5])
def test_whole_number_clean_keeps_the_int(raw):
    assert COUNT.clean(raw) == raw


@pytest.mark.parametrize("raw", [0, 11, 5.0, True, "5", None])
def test_whole_number_clean_refuses(raw):
    assert refusal(COUNT, raw) == "Give a whole number from 1 to 10."


def test_whole_number_json_schema():
    assert COUNT.step == 1
    assert COUNT.json_schema() == {
        "title": "Count",
        "description": "How many.",
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
    }


# --- CurrencyParam ------------------------------------------------------------------------------
def test_currency_clean_and_schema():
    assert CURRENCY.clean("EUR") == "EUR"
    assert CURRENCY.choices == ISO_4217_CODES
    assert CURRENCY.json_schema() == {
        "title": "Currency",
        "description": "The refund currency.",
        "type": "string",
        "enum": list(ISO_4217_CODES),
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("eur", "'eur' is not an ISO 4217 currency code (e.g. EUR, USD)."),
        ("XXX1", "'XXX1' is not an ISO 4217 currency code (e.g. EUR, USD)."),
        (978, "978 is not an ISO 4217 currency code (e.g. EUR, USD)."),
        (None, "None is not an ISO 4217 currency code (e.g. EUR, USD)."),
    ],
)
def test_currency_clean_refuses(raw, message):
    assert refusal(CURRENCY, raw) == message


# --- ReferenceParam -----------------------------------------------------------------------------
def test_reference_clean_keeps_a_positive_id():
    assert AGENT.clean(1) == 1
    assert AGENT.clean(42) == 42


@pytest.mark.parametrize("raw", [0, -3, True, "3", 3.0, None])
def test_reference_clean_refuses(raw):
    assert refusal(AGENT, raw) == "Give the id of the agent."


def test_reference_schemas():
    assert AGENT.json_schema() == {
        "title": "Agent",
        "description": "Who receives it.",
        "type": "integer",
        "minimum": 1,
    }
    assert AGENT.unused_json_schema() == {
        "nullable": True,
        "not": {"type": "integer"},
        "description": "Not used: null.",
    }


# --- SecretUrlParam -----------------------------------------------------------------------------
def test_secret_url_clean_strips_and_keeps_a_url_at_the_length_limit():
    assert URL.clean("  https://a.example  ") == "https://a.example"
    assert URL.clean("https://abcdefghijkl") == "https://abcdefghijkl"  # 20 characters


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param("", "Give the Hook URL.", id="empty"),
        pytest.param("   ", "Give the Hook URL.", id="blank"),
        pytest.param(None, "Give the Hook URL.", id="none"),
        pytest.param(5, "Give the Hook URL.", id="number"),
        pytest.param("http://a.example", "Give the Hook URL.", id="not-https"),
        pytest.param("https://a b", "Give the Hook URL.", id="space"),
        pytest.param("https://abcdefghijklm", "Give at most 20 characters.", id="too-long"),
    ],
)
def test_secret_url_clean_refuses(raw, message):
    assert refusal(URL, raw) == message


def test_secret_url_validator_has_the_last_word():
    seen: list[str] = []

    def validator(value: str) -> None:
        seen.append(value)
        if "bad" in value:
            raise ValidationError(["Not this host.", "Ask an admin."])

    param = SecretUrlParam("hook", "Hook URL", "Where it posts.", validator=validator)

    # A value the pattern would refuse is accepted when the validator accepts it
    assert param.clean(" http://127.0.0.1:8080/x ") == "http://127.0.0.1:8080/x"
    assert refusal(param, "https://bad.example") == "Not this host. Ask an admin."
    assert seen == ["http://127.0.0.1:8080/x", "https://bad.example"]


def test_secret_url_defaults_schema_and_display():
    default = SecretUrlParam("hook", "Hook URL", "Where it posts.")
    assert (default.pattern, default.max_length, default.validator) == (
        r"^https://\S+$",
        500,
        None,
    )
    assert URL.json_schema() == {
        "title": "Hook URL",
        "description": "Where it posts.",
        "type": "string",
        "maxLength": 20,
        "pattern": r"^https://\S+$",
        "writeOnly": True,
    }
    assert URL.display("https://a.example") == "Hook URL stored (not shown)"
    assert URL.display("") == "No Hook URL"


# --- ParamSchema --------------------------------------------------------------------------------
SCHEMA = ParamSchema((AMOUNT, CURRENCY))


def test_an_empty_schema():
    empty = ParamSchema()

    assert not empty
    assert list(empty) == []
    assert empty.names() == []
    assert empty.describe() == "No parameters."
    assert empty.json_schema() == {
        "type": "object",
        "properties": {},
        "additionalProperties": False,
    }
    assert empty.clean(None, owner="X") == {}
    assert empty.clean("", owner="X") == {}


def test_a_schema_lists_its_params():
    assert SCHEMA
    assert list(SCHEMA) == [AMOUNT, CURRENCY]
    assert SCHEMA.names() == ["threshold", "currency"]
    assert SCHEMA.describe() == (
        "Amount (required): The refund amount. Currency (optional): The refund currency."
    )
    assert SCHEMA.json_schema() == {
        "type": "object",
        "properties": {"threshold": AMOUNT.json_schema(), "currency": CURRENCY.json_schema()},
        "additionalProperties": False,
        "required": ["threshold"],
    }


def test_schema_clean_returns_the_stored_values():
    assert SCHEMA.clean({"threshold": "20"}, owner="X") == {"threshold": "20.00"}
    assert SCHEMA.clean({"threshold": 20, "currency": "USD"}, owner="X") == {
        "threshold": "20.00",
        "currency": "USD",
    }


@pytest.mark.parametrize("raw", [[], "threshold", 5])
def test_schema_clean_refuses_what_is_not_an_object(raw):
    with pytest.raises(ValidationError) as caught:
        SCHEMA.clean(raw, owner="X")

    assert caught.value.message_dict == {"params": ["Give the parameters as an object."]}


def test_schema_clean_names_every_error_at_once():
    with pytest.raises(ValidationError) as caught:
        SCHEMA.clean({"zeta": 1, "alpha": 2, "currency": "eur"}, owner="A 'refund' trigger")

    assert list(caught.value.message_dict.items()) == [
        ("alpha", ["A 'refund' trigger takes no parameter 'alpha'."]),
        ("zeta", ["A 'refund' trigger takes no parameter 'zeta'."]),
        ("threshold", ["Amount is required."]),
        ("currency", ["'eur' is not an ISO 4217 currency code (e.g. EUR, USD)."]),
    ]


def test_schema_clean_of_a_schema_with_no_params_refuses_any_param():
    with pytest.raises(ValidationError) as caught:
        ParamSchema().clean({"queue": 3}, owner="A 'team_lead' target")

    assert caught.value.message_dict == {
        "queue": ["A 'team_lead' target takes no parameter 'queue'."]
    }


def test_schema_clean_names_keys_that_are_not_strings():
    # A caller in Python (not JSON) may pass keys of mixed types: they are named, not a crash
    with pytest.raises(ValidationError) as caught:
        ParamSchema().clean({2: "x", "b": 1}, owner="X")

    assert list(caught.value.message_dict.items()) == [
        (2, ["X takes no parameter 2."]),
        ("b", ["X takes no parameter 'b'."]),
    ]
