"""Loading the exchange rates that apply to teams' refunds (reads only, one query each)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q

from escalations.models import ExchangeRate

from .rates import RateFact


def exchange_rate_facts(
    *,
    team_ids: Iterable[int | None],
    currency: str | None = None,
    on: date | None = None,
) -> tuple[RateFact, ...]:
    """The rates the teams may use (their own and the shared ones), as pure facts for
    ``rate_pick``: only pairs with ``currency`` on either side and in force by ``on`` when
    given."""
    teams = {t for t in team_ids if t is not None}
    rows = ExchangeRate.objects.filter(Q(team__isnull=True) | Q(team_id__in=teams))
    if currency is not None:
        rows = rows.filter(Q(base=currency) | Q(quote=currency))
    if on is not None:
        rows = rows.filter(valid_from__lte=on)
    return tuple(
        RateFact(
            base=row["base"],
            quote=row["quote"],
            rate=row["rate"],
            valid_from=row["valid_from"],
            team_id=row["team_id"],
        )
        for row in rows.values("base", "quote", "rate", "valid_from", "team_id")
    )


def team_rates(*, rates: Iterable[RateFact], team_id: int | None) -> tuple[RateFact, ...]:
    """The facts one team may use, out of several teams' facts."""
    return tuple(r for r in rates if r.team_id is None or r.team_id == team_id)
