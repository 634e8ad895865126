"""The search page and the header's search box."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tests.conftest import ON_POSTGRES
from tickets import services
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
