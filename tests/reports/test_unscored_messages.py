"""Rule health counts the team's customer messages that were not scored for sentiment."""

from __future__ import annotations

from datetime import UTC

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.selectors import messages_unscored_by_language, month_window
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_teams():
    berlin = factories.TeamFactory(name="Berlin")
    paris = factories.TeamFactory(name="Paris")
    berlin_ticket = factories.TicketFactory(queue=factories.QueueFactory(team=berlin))
    paris_ticket = factories.TicketFactory(queue=factories.QueueFactory(team=paris))
    for language in ("de", "de", "fr"):
        factories.MessageFactory(
            ticket=berlin_ticket,
            author_type="customer",
            sentiment="unscored",
            sentiment_language=language,
        )
    factories.MessageFactory(
        ticket=berlin_ticket, author_type="customer", sentiment="negative", sentiment_language="en"
    )
    factories.MessageFactory(
        ticket=paris_ticket, author_type="customer", sentiment="unscored", sentiment_language="es"
    )
    return berlin, paris


def this_month():
    return month_window(month=timezone.now().date(), zone=UTC)


def test_unscored_messages_are_counted_per_language_for_the_team_only(two_teams):
    berlin, paris = two_teams
    assert messages_unscored_by_language(team=berlin, window=this_month()) == {"de": 2, "fr": 1}
    assert messages_unscored_by_language(team=paris, window=this_month()) == {"es": 1}


def test_unscored_messages_of_another_month_are_not_counted(two_teams):
    berlin, _paris = two_teams
    window = month_window(month=timezone.now().date().replace(year=2020), zone=UTC)
    assert messages_unscored_by_language(team=berlin, window=window) == {}


def test_rule_health_page_shows_the_count_of_its_own_team(client, two_teams):
    berlin, paris = two_teams
    lead = factories.LeadFactory(team=berlin)
    client.force_login(lead)
    month = timezone.now().strftime("%Y-%m")
    response = client.get(reverse("reports:rules"), {"team": berlin.pk, "month": month})
    assert response.status_code == 200
    assert (
        '<p class="unscored-count">3 this month: 2 in German (de), 1 in French (fr).</p>'
    ) in response.text
    # and a lead of one team cannot read another team's page
    other = client.get(reverse("reports:rules"), {"team": paris.pk, "month": month})
    assert other.status_code == 404
    assert "1 in es" not in other.text


def test_a_language_is_named_with_its_code_and_an_unknown_code_stays_as_it_is():
    from reports.templatetags.reports_tags import language_label

    assert language_label("de") == "German (de)"
    assert language_label("xx") == "xx"
