"""Rule health counts the team's refunds that a refund-threshold rule could not compare: in
another currency than the rule's, with no exchange rate in force on the refund's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from escalations.models import ExchangeRate
from reports.selectors import month_window, refunds_not_compared
from tests import factories
from tickets.models import RefundRequest

pytestmark = pytest.mark.django_db

NOW = timezone.now()
MONTH_START = datetime(NOW.year, NOW.month, 1, tzinfo=UTC)


def this_month():
    return month_window(month=NOW.date(), zone=UTC)


def refund(ticket, currency: str, at: datetime = MONTH_START + timedelta(hours=12)):
    made = RefundRequest.objects.create(ticket=ticket, amount=Decimal("100.00"), currency=currency)
    RefundRequest.objects.filter(pk=made.pk).update(created_at=at)
    return made


def rule(team, currency: str, **kwargs):
    return factories.RuleFactory(
        team=team,
        trigger_kind="refund_threshold",
        trigger_params={"amount": "500.00", "currency": currency},
        target=None,
        **kwargs,
    )


@pytest.fixture
def berlin():
    return factories.TeamFactory(name="Berlin", default_currency="EUR")


@pytest.fixture
def paris():
    return factories.TeamFactory(name="Paris")


@pytest.fixture
def berlin_ticket(berlin):
    return factories.TicketFactory(queue=factories.QueueFactory(team=berlin))


def test_refunds_in_another_currency_without_a_rate_are_counted_for_the_team_only(
    berlin, paris, berlin_ticket
):
    rule(berlin, "USD")
    rule(paris, "EUR")
    for currency in ("EUR", "EUR", "GBP", "USD"):
        refund(berlin_ticket, currency)
    refund(factories.TicketFactory(queue=factories.QueueFactory(team=paris)), "GBP")

    assert refunds_not_compared(team=berlin, window=this_month()) == 3
    assert refunds_not_compared(team=paris, window=this_month()) == 1


def test_a_rate_in_force_on_the_refunds_date_makes_it_comparable(berlin, paris, berlin_ticket):
    rule(berlin, "USD")
    day = MONTH_START.date()
    ExchangeRate.objects.create(
        team=berlin, base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=day
    )
    # Shared rates count; another team's never do; a rate from a later date not yet.
    ExchangeRate.objects.create(
        team=None, base="USD", quote="GBP", rate=Decimal("0.8"), valid_from=day
    )
    ExchangeRate.objects.create(
        team=paris, base="CHF", quote="USD", rate=Decimal("1.2"), valid_from=day
    )
    ExchangeRate.objects.create(
        team=berlin,
        base="JPY",
        quote="USD",
        rate=Decimal("0.007"),
        valid_from=day + timedelta(days=1),
    )
    refund(berlin_ticket, "EUR")
    refund(berlin_ticket, "GBP")
    refund(berlin_ticket, "CHF")
    refund(berlin_ticket, "JPY")

    assert refunds_not_compared(team=berlin, window=this_month()) == 2


def test_every_rule_currency_needs_a_rate(berlin, berlin_ticket):
    rule(berlin, "USD")
    rule(berlin, "GBP")
    rule(berlin, "CHF", enabled=False)
    rule(None, "JPY", kind="routing")
    ExchangeRate.objects.create(
        team=berlin, base="EUR", quote="USD", rate=Decimal("1.1"), valid_from=MONTH_START.date()
    )
    refund(berlin_ticket, "EUR")

    assert refunds_not_compared(team=berlin, window=this_month()) == 1


def test_no_refund_rule_or_another_month_counts_nothing(
    berlin, berlin_ticket, django_assert_num_queries
):
    refund(berlin_ticket, "EUR")
    refund(berlin_ticket, "EUR", at=MONTH_START - timedelta(days=3))

    with django_assert_num_queries(1):
        assert refunds_not_compared(team=berlin, window=this_month()) == 0
    rule(berlin, "USD")
    with django_assert_num_queries(3):
        assert refunds_not_compared(team=berlin, window=this_month()) == 1


def test_rule_health_page_says_how_many_refunds_were_not_compared(client, berlin, berlin_ticket):
    rule(berlin, "USD")
    refund(berlin_ticket, "EUR")
    refund(berlin_ticket, "EUR")
    client.force_login(factories.LeadFactory(team=berlin))

    response = client.get(
        reverse("reports:rules"), {"team": berlin.pk, "month": NOW.strftime("%Y-%m")}
    )

    assert response.status_code == 200
    assert (
        '<p class="uncompared-count">2 refund requests this month could not be compared.</p>'
        in response.text
    )


def test_rule_health_page_says_none_when_every_refund_compared(client, berlin, berlin_ticket):
    rule(berlin, "EUR")
    refund(berlin_ticket, "EUR")
    client.force_login(factories.LeadFactory(team=berlin))

    response = client.get(
        reverse("reports:rules"), {"team": berlin.pk, "month": NOW.strftime("%Y-%m")}
    )

    assert '<p class="uncompared-count">None this month.</p>' in response.text


def test_the_rule_health_api_gives_the_count_for_the_leads_team_only(berlin, paris, berlin_ticket):
    rule(berlin, "USD")
    refund(berlin_ticket, "EUR")
    client = APIClient()
    client.force_authenticate(factories.LeadFactory(team=berlin))
    month = {"month": NOW.strftime("%Y-%m")}

    own = client.get("/api/v1/reports/rule-health/", {"team": berlin.pk, **month})
    other = client.get("/api/v1/reports/rule-health/", {"team": paris.pk, **month})

    assert own.status_code == 200
    assert own.json()["refunds_not_compared"] == 1
    assert other.status_code in (403, 404)
    assert "refunds_not_compared" not in other.json()
