"""Refunds in another currency than the threshold's, converted with the exchange rate in force
on the refund's date: pure (no database)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from escalations.currency.rates import RateFact, amount_convert, rate_day, rate_pick
from escalations.engine.triggers import TRIGGERS, TriggerEvent
from tests.escalations.test_triggers import ctx

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
EUR_USD_FEB = RateFact("EUR", "USD", Decimal("1.080000"), date(2026, 2, 1), team_id=7)
EUR_USD_MAR = RateFact("EUR", "USD", Decimal("1.100000"), date(2026, 3, 1), team_id=7)
EUR_USD_APR = RateFact("EUR", "USD", Decimal("1.500000"), date(2026, 4, 1), team_id=7)
USD_EUR_MAR = RateFact("USD", "EUR", Decimal("0.800000"), date(2026, 3, 1), team_id=7)


def refund(amount: str, currency: str, rates: tuple[RateFact, ...]) -> TriggerEvent:
    return TriggerEvent(
        id=900,
        kind="refund_requested",
        data={"refund": 12, "amount": amount, "currency": currency},
        created_at=AT,
        rates=rates,
    )


def fire(ev: TriggerEvent, amount: str = "800", currency: str = "USD"):
    trigger = TRIGGERS.get("refund_threshold")
    params = trigger.clean_params({"amount": amount, "currency": currency})
    return trigger.evaluate(ev, ctx(), params)


def test_a_euro_refund_over_a_dollar_threshold_fires_with_the_conversion_in_the_evidence():
    ev = refund("1200.00", "EUR", (EUR_USD_FEB, EUR_USD_MAR, EUR_USD_APR))

    firing = fire(ev)

    assert firing is not None
    assert firing.occurrence == "refund:12"
    assert firing.evidence == {
        "refund": 12,
        "amount": "1200.00",
        "currency": "EUR",
        "threshold": "800.00",
        "threshold_currency": "USD",
        "conversion": {
            "amount": "1200.00",
            "currency": "EUR",
            "rate": "1.100000",
            "rate_date": "2026-03-01",
            "converted_amount": "1320.00",
            "converted_currency": "USD",
            "inverse": False,
        },
    }
    assert firing.sentence == (
        "A refund of 1200.00 EUR (1320.00 USD at 1 EUR = 1.100000 USD, the rate from "
        "2026-03-01) was requested (threshold 800.00 USD)."
    )


def test_an_inverse_rate_divides():
    ev = refund("700.00", "EUR", (USD_EUR_MAR,))

    firing = fire(ev)

    assert firing is not None
    assert firing.evidence["conversion"] == {
        "amount": "700.00",
        "currency": "EUR",
        "rate": "0.800000",
        "rate_date": "2026-03-01",
        "converted_amount": "875.00",
        "converted_currency": "USD",
        "inverse": True,
    }
    assert firing.sentence == (
        "A refund of 700.00 EUR (875.00 USD at 1 USD = 0.800000 EUR, the rate from "
        "2026-03-01) was requested (threshold 800.00 USD)."
    )


@pytest.mark.parametrize(
    ("amount", "rates"),
    [
        pytest.param("727.26", (EUR_USD_MAR,), id="converted-just-below"),
        pytest.param("9000.00", (), id="no-rate"),
        pytest.param("9000.00", (EUR_USD_APR,), id="only-a-later-rate"),
        pytest.param(
            "9000.00",
            (RateFact("GBP", "USD", Decimal("1.25"), date(2026, 1, 1)),),
            id="rate-of-another-pair",
        ),
    ],
)
def test_no_firing_below_or_without_a_rate(amount, rates):
    assert fire(refund(amount, "EUR", rates)) is None


def test_a_converted_amount_at_the_threshold_fires():
    # 727.27 EUR x 1.1 = 799.997 -> 800.00 USD (compared to the cent); 727.26 -> 799.99.
    assert fire(refund("727.27", "EUR", (EUR_USD_MAR,)), amount="800.00") is not None
    assert fire(refund("727.27", "EUR", (EUR_USD_MAR,)), amount="800.01") is None


def test_a_refund_in_the_rules_currency_ignores_the_rates():
    firing = fire(refund("800.00", "USD", (EUR_USD_MAR,)))

    assert firing is not None
    assert "conversion" not in firing.evidence


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(date(2026, 1, 31), None, id="before-any-rate"),
        pytest.param(date(2026, 2, 1), EUR_USD_FEB, id="on-the-first-rate-day"),
        pytest.param(date(2026, 2, 28), EUR_USD_FEB, id="between-rates"),
        pytest.param(date(2026, 3, 1), EUR_USD_MAR, id="on-a-new-rate-day"),
        pytest.param(date(2026, 12, 31), EUR_USD_APR, id="after-the-last-rate"),
    ],
)
def test_the_latest_rate_on_or_before_the_date_applies(on, expected):
    rates = (EUR_USD_APR, EUR_USD_FEB, EUR_USD_MAR)

    assert rate_pick(rates=rates, from_currency="EUR", to_currency="USD", on=on) == expected


def test_on_the_same_date_a_teams_rate_beats_a_shared_one_and_direct_beats_inverse():
    shared = RateFact("EUR", "USD", Decimal("1.2"), date(2026, 3, 1), team_id=None)

    picked = rate_pick(
        rates=(shared, USD_EUR_MAR, EUR_USD_MAR),
        from_currency="EUR",
        to_currency="USD",
        on=AT.date(),
    )
    shared_only = rate_pick(
        rates=(USD_EUR_MAR, shared), from_currency="EUR", to_currency="USD", on=AT.date()
    )

    assert picked == EUR_USD_MAR
    assert shared_only == USD_EUR_MAR


def test_a_newer_inverse_rate_beats_an_older_direct_one():
    newer = RateFact("USD", "EUR", Decimal("0.5"), date(2026, 3, 2))

    conversion = amount_convert(
        amount=Decimal("10.00"),
        currency="EUR",
        to_currency="USD",
        rates=(EUR_USD_MAR, newer),
        on=AT.date(),
    )

    assert conversion is not None
    assert conversion.converted == Decimal("20.00")
    assert conversion.rate_date == date(2026, 3, 2)


def test_the_rate_day_is_the_utc_date():
    late_in_new_york = datetime.fromisoformat("2026-03-01T22:30:00-05:00")

    assert rate_day(late_in_new_york) == date(2026, 3, 2)


@pytest.mark.parametrize(
    "rates", [(EUR_USD_MAR,), (USD_EUR_MAR,)], ids=["direct-rate", "inverse-rate"]
)
def test_the_sentence_is_rebuilt_word_for_word_from_the_stored_evidence(rates):
    # Given a converted refund's firing, its evidence stored as JSON and read back
    firing = fire(refund("1200.00", "EUR", rates))
    assert firing is not None
    stored = json.loads(json.dumps(firing.evidence))

    # Then the trigger's sentence from the stored evidence is the firing's own
    assert TRIGGERS.get("refund_threshold").sentence(stored) == firing.sentence
