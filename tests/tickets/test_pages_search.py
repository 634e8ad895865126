"""The search page and the header's search box."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import ON_POSTGRES
from tickets import services
from tickets.models import Status
from tickets.search import selectors
from tickets.search.selectors import SEARCH_QUERY_MAX_CHARS


def _ticket(subject, queue, *, customer=None):
    customer = customer or factories.CustomerFactory(name="Ines Vogt", email="ines@example.com")
    return services.ticket_create(subject=subject, customer=customer, body="Hello", queue=queue)


@pytest.mark.django_db
def test_search_page_requires_sign_in(client):
    response = client.get(reverse("ticket_search"), {"q": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_every_agent_page_has_the_header_search_box_with_its_shortcut(client, junior):
    client.force_login(junior)

    html = client.get(reverse("queue_mine")).content.decode()

    assert 'role="search" method="get" action="/search/"' in html
    assert '<label class="visually-hidden" for="header-search">Search tickets</label>' in html
    assert 'aria-keyshortcuts="/"' in html
    assert "js/workspace.js" in html


@pytest.mark.django_db
def test_search_page_lists_visible_matches_best_first(client, junior, queue):
    best = _ticket("Duplicate charge", queue)
    other_team_queue = factories.QueueFactory(team=factories.TeamFactory(name="Billing"))
    hidden = _ticket("Duplicate charge", other_team_queue)
    client.force_login(junior)

    response = client.get(reverse("ticket_search"), {"q": "duplicate"})

    assert response.status_code == 200
    assert [t.pk for t in response.context["tickets"]] == [best.pk]
    html = response.content.decode()
    assert "1 ticket match “duplicate”, best match first." in html
    assert f'href="/tickets/{best.pk}/"' in html
    assert f'href="/tickets/{hidden.pk}/"' not in html


@pytest.mark.django_db
def test_search_page_without_a_match_says_so(client, junior, queue):
    _ticket("Duplicate charge", queue)
    client.force_login(junior)

    response = client.get(reverse("ticket_search"), {"q": "nothing-like-this"})

    assert response.status_code == 200
    assert "No ticket you can see matches these words." in response.content.decode()


@pytest.mark.django_db
def test_a_too_long_query_is_a_400_with_the_reason_beside_the_field(client, junior):
    client.force_login(junior)

    response = client.get(reverse("ticket_search"), {"q": "y" * (SEARCH_QUERY_MAX_CHARS + 1)})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true" aria-describedby="search-page-q-error"' in html
    assert (
        f'<p class="field-error" id="search-page-q-error">Ensure this value has at most '
        f"{SEARCH_QUERY_MAX_CHARS} characters (it has {SEARCH_QUERY_MAX_CHARS + 1}).</p>"
    ) in html
    assert "tickets" not in response.context


@pytest.mark.django_db
@pytest.mark.parametrize("count", [3, 30], ids=["few", "many"])
def test_search_page_query_count_is_constant(
    client, junior, queue, count, django_assert_num_queries
):
    customer = factories.CustomerFactory(name="Ola Berg", email="ola@example.com")
    for number in range(count):
        _ticket(f"Modem {number}", queue, customer=customer)
    client.force_login(junior)

    # Session + agent; the search (PostgreSQL: the newest ticket id, text matches and matching
    # customers, none here;
    # SQLite: one LIKE query); count, rows, tags, SLA clocks; the messages excerpted; the
    # header's unread notifications; the agent's team (the time zone the page is shown in).
    with django_assert_num_queries(2 + (3 if ON_POSTGRES else 1) + 4 + 1 + 1 + 1):
        response = client.get(reverse("ticket_search"), {"q": "modem"})

    assert len(response.context["tickets"]) == min(count, 25)


@pytest.mark.django_db
def test_header_offers_the_switch_for_single_key_shortcuts(client, junior):
    client.force_login(junior)

    html = client.get(reverse("queue_mine")).content.decode()

    assert (
        '<button type="button" id="shortcuts-toggle" class="link shortcuts-toggle" '
        'aria-pressed="true"'
    ) in html


@pytest.mark.django_db
def test_the_tags_help_text_has_the_id_the_input_points_to(client, junior, queue):
    ticket = factories.TicketFactory(queue=queue)
    client.force_login(junior)

    html = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()

    assert 'aria-describedby="id_tags_helptext"' in html
    assert '<p class="help" id="id_tags_helptext">' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        ("", ["open", "solved"], ""),
        ("open", ["open"], " among open tickets"),
        ("done", ["solved"], " among solved or closed tickets"),
    ],
)
def test_the_search_page_searches_among_the_chosen_statuses(
    client, junior, queue, status, expected, words
):
    found = {"open": _ticket("Modem open", queue), "solved": _ticket("Modem solved", queue)}
    services.ticket_update(ticket=found["solved"], actor=junior, status=Status.SOLVED)
    client.force_login(junior)

    response = client.get(reverse("ticket_search"), {"q": "modem", "status": status})

    assert sorted(t.subject for t in response.context["tickets"]) == [
        f"Modem {name}" for name in expected
    ]
    html = response.content.decode()
    count = f"{len(expected)} ticket{'s' if len(expected) > 1 else ''}"
    assert f"{count} match “modem”{words}, best match first." in html
    if status:
        assert f'<option value="{status}" selected>' in html
        # The other pages keep the choice.
        assert response.context["query"] == f"q=modem&status={status}"


@pytest.mark.django_db
def test_the_statuses_narrow_the_ranking_not_only_the_page(junior, queue, monkeypatch):
    # The best matches among the open tickets, even when solved ones fill the bound: the
    # statuses narrow the search itself, not the best matches of all tickets afterwards.
    monkeypatch.setattr(selectors, "SEARCH_MAX_RESULTS", 2)
    still_open = _ticket("Modem old", queue)
    for number in range(3):
        solved = _ticket(f"Modem {number}", queue)
        services.ticket_update(ticket=solved, actor=junior, status=Status.SOLVED)

    assert still_open.pk not in selectors.ticket_search_ranked_ids(agent=junior, query="modem")
    open_only = selectors.ticket_search_ranked_ids(
        agent=junior, query="modem", statuses=["new", "open", "pending", "on_hold"]
    )
    assert open_only == [still_open.pk]


@pytest.mark.django_db
def test_an_unknown_status_is_a_400_naming_the_field(client, junior):
    client.force_login(junior)

    response = client.get(reverse("ticket_search"), {"q": "modem", "status": "gone"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="search-page-status-error"' in html
    assert (
        '<p class="field-error" id="search-page-status-error">Select a valid choice. gone is '
        "not one of the available choices.</p>"
    ) in html
    assert "tickets" not in response.context
