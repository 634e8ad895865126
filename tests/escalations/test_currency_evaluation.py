"""A refund in another currency through the engine: the team's rate in force on the refund's
date is loaded with the event, and the escalation's evidence carries the conversion."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalations.engine.backtest import backtest_run
from escalations.models import Escalation, ExchangeRate
from tests import factories
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def usd_rule(team, lead_target):
    return factories.RuleFactory(
        name="Big refunds",
        team=team,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "800.00", "currency": "USD"},
        target=lead_target,
    )


def rate(team, base: str, quote: str, value: str, valid_from: date) -> ExchangeRate:
    return ExchangeRate.objects.create(
        team=team, base=base, quote=quote, rate=Decimal(value), valid_from=valid_from
    )


def test_a_euro_refund_escalates_on_a_dollar_rule_with_the_conversion(
    make_ticket, junior, team, usd_rule, django_capture_on_commit_callbacks
):
    today = timezone.now().date()
    rate(team, "EUR", "USD", "1.100000", today - timedelta(days=30))
    rate(team, "EUR", "USD", "0.500000", today - timedelta(days=1))
    rate(team, "EUR", "USD", "9.000000", today + timedelta(days=1))
    # Another team's rate never applies to this team's refunds.
    rate(factories.TeamFactory(name="Other"), "EUR", "USD", "5.000000", today)
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        refund = ticket_services.refund_request_create(
            ticket=ticket, amount=Decimal("1700.00"), currency="EUR", actor=None
        )

    escalation = Escalation.objects.get()
    assert escalation.rule_id == usd_rule.pk
    assert escalation.evidence == {
        "refund": refund.pk,
        "amount": "1700.00",
        "currency": "EUR",
        "threshold": "800.00",
        "threshold_currency": "USD",
        "conversion": {
            "amount": "1700.00",
            "currency": "EUR",
            "rate": "0.500000",
            "rate_date": (today - timedelta(days=1)).isoformat(),
            "converted_amount": "850.00",
            "converted_currency": "USD",
            "inverse": False,
        },
    }


def test_a_shared_inverse_rate_applies_too(
    make_ticket, junior, usd_rule, django_capture_on_commit_callbacks
):
    rate(None, "USD", "EUR", "0.800000", timezone.now().date())
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.refund_request_create(
            ticket=ticket, amount=Decimal("640.00"), currency="EUR", actor=None
        )

    assert Escalation.objects.get().evidence["conversion"]["converted_amount"] == "800.00"


def test_with_no_rate_the_refund_is_not_compared(
    make_ticket, junior, team, usd_rule, django_capture_on_commit_callbacks
):
    rate(team, "GBP", "USD", "1.250000", timezone.now().date())
    ticket = make_ticket(holder=junior)

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.refund_request_create(
            ticket=ticket, amount=Decimal("90000.00"), currency="EUR", actor=None
        )

    assert Escalation.objects.count() == 0


def test_rates_are_read_only_when_a_rule_is_in_another_currency(
    make_ticket, junior, team, usd_rule, django_capture_on_commit_callbacks
):
    rate(team, "EUR", "USD", "1.100000", timezone.now().date())
    ticket = make_ticket(holder=junior)

    def rate_reads(currency: str) -> int:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            ticket_services.refund_request_create(
                ticket=ticket, amount=Decimal("1.00"), currency=currency, actor=None
            )
        return sum('"escalations_exchangerate"' in q["sql"] for q in queries.captured_queries)

    assert (rate_reads("USD"), rate_reads("EUR")) == (0, 1)


def test_the_backtest_converts_with_the_same_rates(make_ticket, junior, team, usd_rule):
    rate(team, "EUR", "USD", "1.100000", timezone.now().date() - timedelta(days=3))
    ticket = make_ticket(holder=junior)
    ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal("1000.00"), currency="EUR", actor=None
    )
    ticket_services.refund_request_create(
        ticket=ticket, amount=Decimal("9000.00"), currency="CHF", actor=None
    )

    result = backtest_run(rule=usd_rule, days=7, now=timezone.now())

    assert [hit.evidence["conversion"]["converted_amount"] for hit in result.hits] == ["1100.00"]


@pytest.mark.parametrize("shared", [True, False], ids=["shared", "team"])
def test_the_database_keeps_one_rate_per_pair_and_day(shared):
    """Enforced by the database itself on SQLite and PostgreSQL alike (a shared rate has no team,
    and a unique index over a null team would let duplicates through)."""
    team = None if shared else factories.TeamFactory()
    day = date(2026, 11, 2)
    ExchangeRate.objects.create(team=team, base="USD", quote="EUR", rate="0.9", valid_from=day)
    # Another team's rate, or another day, is a different rate
    ExchangeRate.objects.create(
        team=factories.TeamFactory(), base="USD", quote="EUR", rate="0.8", valid_from=day
    )
    ExchangeRate.objects.create(
        team=team, base="USD", quote="EUR", rate="0.8", valid_from=date(2026, 11, 3)
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(team=team, base="USD", quote="EUR", rate="0.95", valid_from=day)
