"""``GET /api/v1/tickets/?search=``: ranked, permission-filtered, bounded, in the schema."""

from __future__ import annotations

import pytest

from tests import factories
from tickets import services
from tickets.search.selectors import SEARCH_QUERY_MAX_CHARS

URL = "/api/v1/tickets/"


@pytest.fixture
def tickets(queue, other_team):
    customer = factories.CustomerFactory(name="Nadia Holm", email="nadia@example.com")

    def create(subject, body, q=queue):
        return services.ticket_create(subject=subject, customer=customer, body=body, queue=q)

    return {
        "subject": create("Refund not received", "Where is my money?"),
        "message": create("Order 5521", "I asked for a refund last week"),
        "other": create("Refund again", "Other team", q=factories.QueueFactory(team=other_team)),
        "none": create("Password reset", "Cannot sign in"),
    }


@pytest.mark.django_db
def test_search_returns_visible_matches_best_first(client_for, junior, tickets):
    response = client_for(junior).get(URL, {"search": "refund"})

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [t["id"] for t in response.json()["results"]] == [
        tickets["subject"].pk,
        tickets["message"].pk,
    ]


@pytest.mark.django_db
def test_search_combines_with_filters_and_an_explicit_ordering(client_for, junior, tickets):
    response = client_for(junior).get(URL, {"search": "refund", "ordering": "id"})
    filtered = client_for(junior).get(URL, {"search": "refund", "status": "closed"})

    assert [t["id"] for t in response.json()["results"]] == [
        tickets["subject"].pk,
        tickets["message"].pk,
    ]
    assert filtered.json()["count"] == 0


@pytest.mark.django_db
def test_search_by_number_of_another_teams_ticket_finds_nothing(client_for, junior, tickets):
    response = client_for(junior).get(URL, {"search": f"#{tickets['other'].pk}"})

    assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.django_db
def test_a_too_long_search_is_a_400_naming_search(client_for, junior, tickets):
    response = client_for(junior).get(URL, {"search": "x" * (SEARCH_QUERY_MAX_CHARS + 1)})

    assert response.status_code == 400
    assert response.json() == {
        "search": [
            f"Ensure this value has at most {SEARCH_QUERY_MAX_CHARS} characters (it has "
            f"{SEARCH_QUERY_MAX_CHARS + 1})."
        ]
    }


@pytest.mark.django_db
def test_search_is_in_the_openapi_schema(client_for, junior):
    response = client_for(junior).get("/api/schema/", {"format": "json"})

    parameters = response.json()["paths"][URL]["get"]["parameters"]
    search = next(p for p in parameters if p["name"] == "search")
    assert search["in"] == "query"
    assert search["schema"] == {"type": "string"}
    assert f"At most {SEARCH_QUERY_MAX_CHARS} characters" in search["description"]
    assert "customer name, email or external id" in search["description"]
