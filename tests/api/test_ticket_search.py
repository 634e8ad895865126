"""``GET /api/v1/tickets/?search=``: ranked, permission-filtered, bounded, in the schema."""

from __future__ import annotations

import pytest

from tests import factories
from tickets import services
from tickets.models import Status
from tickets.search import selectors
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
@pytest.mark.parametrize("narrowing", ["status", "queue", "tag"])
def test_filters_narrow_the_ranking_not_only_the_page(
    client_for, junior, queue, monkeypatch, narrowing
):
    # Three closed tickets in another queue fill the bound: the filters narrow the search
    # itself, so the one ticket they leave is still found.
    monkeypatch.setattr(selectors, "SEARCH_MAX_RESULTS", 2)
    customer = factories.CustomerFactory()
    wanted = services.ticket_create(
        subject="Modem old", customer=customer, body="-", queue=queue, tags=["router"]
    )
    elsewhere = factories.QueueFactory(team=queue.team)
    for number in range(3):
        other = services.ticket_create(
            subject=f"Modem {number}", customer=customer, body="-", queue=elsewhere
        )
        services.ticket_update(ticket=other, actor=junior, status=Status.CLOSED)
    params = {"status": "new", "queue": queue.pk, "tag": "router"}

    unfiltered = client_for(junior).get(URL, {"search": "modem"}).json()
    filtered = client_for(junior).get(URL, {"search": "modem", narrowing: params[narrowing]})

    assert wanted.pk not in [t["id"] for t in unfiltered["results"]]
    assert [t["id"] for t in filtered.json()["results"]] == [wanted.pk]


@pytest.mark.django_db
def test_without_other_filters_the_ranking_is_not_narrowed(client_for, junior, monkeypatch):
    # The visible tickets are the ranking's scope already: narrowing by them again would cost a
    # subquery in every band of the ranking.
    seen = []
    original = selectors.ticket_search_ranked_ids

    def spy(**kwargs):
        seen.append(kwargs["within"])
        return original(**kwargs)

    monkeypatch.setattr(selectors, "ticket_search_ranked_ids", spy)

    client_for(junior).get(URL, {"search": "modem"})
    client_for(junior).get(URL, {"search": "modem", "escalated": "false"})

    assert seen[0] is None
    assert seen[1] is not None


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
