"""Pure conversion of an amount between currencies with the rate in force on a date.

A rate row says one unit of ``base`` buys ``rate`` units of ``quote`` from ``valid_from`` on.
Either direction converts: EUR→USD multiplies by an EUR/USD rate and divides by a USD/EUR one.
The rate that applies is the one with the latest ``valid_from`` on or before the date; on the
same date a team's own rate beats a shared one, and a direct rate beats an inverse one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

CENT = Decimal("0.01")


def rate_day(at: datetime) -> date:
    """The date whose rate applies to something that happened at ``at`` (its UTC date)."""
    return at.astimezone(UTC).date()


@dataclass(frozen=True)
class RateFact:
    base: str
    quote: str
    rate: Decimal
    valid_from: date
    team_id: int | None = None


class ConversionEvidence(TypedDict):
    """A conversion as a rule's evidence stores it (amounts and rate as decimal strings)."""

    amount: str
    currency: str
    rate: str
    rate_date: str
    converted_amount: str
    converted_currency: str
    inverse: bool


@dataclass(frozen=True)
class Conversion:
    amount: Decimal
    currency: str
    rate: Decimal  # units of ``to_currency`` per unit of ``currency`` as applied
    rate_date: date
    converted: Decimal
    to_currency: str
    inverse: bool  # the stored rate was quoted the other way round

    def words(self) -> str:
        """E.g. ``1320.00 USD at 1 EUR = 1.100000 USD, the rate from 2026-03-01``."""
        base, quote = (
            (self.to_currency, self.currency) if self.inverse else (self.currency, self.to_currency)
        )
        return (
            f"{self.converted} {self.to_currency} at 1 {base} = {self.rate} {quote}, "
            f"the rate from {self.rate_date.isoformat()}"
        )

    @classmethod
    def from_evidence(cls, evidence: ConversionEvidence) -> Conversion:
        """The conversion a rule's evidence stored (its amounts and rate as written then)."""
        return cls(
            amount=Decimal(evidence["amount"]),
            currency=evidence["currency"],
            rate=Decimal(evidence["rate"]),
            rate_date=date.fromisoformat(evidence["rate_date"]),
            converted=Decimal(evidence["converted_amount"]),
            to_currency=evidence["converted_currency"],
            inverse=evidence["inverse"],
        )

    def evidence(self) -> ConversionEvidence:
        return {
            "amount": str(self.amount),
            "currency": self.currency,
            "rate": str(self.rate),
            "rate_date": self.rate_date.isoformat(),
            "converted_amount": str(self.converted),
            "converted_currency": self.to_currency,
            "inverse": self.inverse,
        }


def rate_pick(
    *, rates: Iterable[RateFact], from_currency: str, to_currency: str, on: date
) -> RateFact | None:
    """The rate in force on ``on`` between the two currencies (either direction), or None."""
    best: RateFact | None = None
    best_key: tuple[date, bool, bool] | None = None
    for fact in rates:
        direct = (fact.base, fact.quote) == (from_currency, to_currency)
        inverse = (fact.base, fact.quote) == (to_currency, from_currency)
        if not (direct or inverse) or fact.valid_from > on:
            continue
        key = (fact.valid_from, fact.team_id is not None, direct)
        if best_key is None or key > best_key:
            best, best_key = fact, key
    return best


def amount_convert(
    *, amount: Decimal, currency: str, to_currency: str, rates: Iterable[RateFact], on: date
) -> Conversion | None:
    """``amount`` in ``currency`` expressed in ``to_currency`` (to the cent), or None when no
    rate is in force on ``on``."""
    fact = rate_pick(rates=rates, from_currency=currency, to_currency=to_currency, on=on)
    if fact is None:
        return None
    inverse = fact.base != currency
    converted = amount / fact.rate if inverse else amount * fact.rate
    return Conversion(
        amount=amount,
        currency=currency,
        rate=fact.rate,
        rate_date=fact.valid_from,
        converted=converted.quantize(CENT, rounding=ROUND_HALF_UP),
        to_currency=to_currency,
        inverse=inverse,
    )
