"""Styled 403/404/500 pages with the reason and the navigation; /favicon.ico."""

from __future__ import annotations

import pytest
from django.template.loader import get_template

from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_junior_opening_a_leads_page_reads_why_beside_the_navigation(
    client, junior, settings, debug
):
    settings.DEBUG = debug
    client.force_login(junior)

    response = client.get("/reports/")

    assert response.status_code == 403
    html = response.content.decode()
    # The report refusal says why, links to the junior's own report, beside the navigation
    assert '<h1 id="refusal-h">Team reports are for team leads and admins.</h1>' in html
    assert f'href="/reports/agents/{junior.pk}/"' in html
    assert '<nav class="mainnav" aria-label="Main">' in html


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_an_unknown_or_invisible_ticket_is_a_styled_404(client, junior, settings, debug):
    settings.DEBUG = debug
    other = factories.TicketFactory(queue=factories.QueueFactory(team=factories.TeamFactory()))
    client.force_login(junior)

    for path in ("/no-such-page/", f"/tickets/{other.pk}/"):
        response = client.get(path)

        assert response.status_code == 404
        html = response.content.decode()
        assert '<h1 id="error-h">Page not found</h1>' in html
        assert '<nav class="mainnav" aria-label="Main">' in html
        assert "URLconf" not in html


@pytest.mark.django_db
def test_the_api_keeps_its_json_404(client, junior):
    client.force_login(junior)

    response = client.get("/api/v1/tickets/999999/")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_the_500_page_renders_without_a_request():
    html = get_template("500.html").render({})

    assert '<h1 id="error-h">Something went wrong on our side</h1>' in html
    assert "The error has been logged." in html
    assert '<a class="button" href="/">Back to my tickets</a>' in html


@pytest.mark.django_db
def test_favicon_ico_points_to_the_static_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")
    assert client.get("/static/favicon.svg").status_code == 200
