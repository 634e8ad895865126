"""Bad input of every kind is a clean 4xx naming what was wrong, never a server error."""

from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.exceptions import ParseError

from kimondesk.api.parsers import json_depth_check
from kimondesk.bounds import JSON_MAX_DEPTH
from tests import factories
from tickets.models import Team, Ticket

pytestmark = pytest.mark.django_db

DETAIL_ROUTES = [
    "teams",
    "agents",
    "queues",
    "customers",
    "tickets",
    "escalations",
    "targets",
    "rules",
    "calendars",
    "sla-policies",
    "webhooks",
    "audit-events",
]


@pytest.mark.parametrize("route", DETAIL_ROUTES)
@pytest.mark.parametrize(
    "raw_id", ["%C2%B2", "%D9%A3", "%EF%BC%91"], ids=["superscript-2", "arabic-3", "fullwidth-1"]
)
def test_a_non_ascii_digit_as_id_is_not_found(client_for, admin_user, route, raw_id):
    response = client_for(admin_user).get(f"/api/v1/{route}/{raw_id}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("method", "raw_path"),
    [
        ("get", "targets/a%0Ab/"),
        ("delete", "targets/a%0Ab/"),
        ("delete", "targets/x.y%0A/"),
        ("get", "tickets/%0A/messages/"),
        ("get", "no-such%0Aroute/"),
        ("post", "no-such%0Aroute/"),
    ],
    ids=["newline-in-id", "delete", "dot-and-newline", "newline-in-parent-id", "route", "post"],
)
def test_a_path_with_a_line_break_is_the_json_404(client_for, admin_user, method, raw_path):
    # Found by the API fuzzer: the catch-all's ``.*`` stopped at a line break, so such a path
    # fell through to the HTML page.
    response = getattr(client_for(admin_user), method)(f"/api/v1/{raw_path}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_json_nested_a_thousand_levels_is_a_json_400(client_for, junior, queue, customer):
    nested = "[" * 1000 + "]" * 1000
    body = (
        f'{{"subject": "Deep", "customer": {customer.pk}, "queue": {queue.pk}, '
        f'"body": "x", "tags": {nested}}}'
    )

    response = client_for(junior).post("/api/v1/tickets/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [f"JSON nested deeper than {JSON_MAX_DEPTH} levels."]
    }
    assert Ticket.objects.count() == 0


def test_json_nested_within_the_bound_is_parsed():
    json_depth_check([[[{"a": [1]}]]])

    too_deep: list = []
    for _ in range(JSON_MAX_DEPTH):
        too_deep = [too_deep]
    with pytest.raises(ParseError, match=f"nested deeper than {JSON_MAX_DEPTH} levels"):
        json_depth_check(too_deep)


@pytest.mark.parametrize(
    "customer_id", [1.5, True, "1x", [1]], ids=["float", "bool", "text", "list"]
)
def test_a_related_id_that_is_not_a_whole_number_is_refused(
    client_for, junior, queue, customer, customer_id
):
    response = client_for(junior).post(
        "/api/v1/tickets/",
        {"subject": "Id", "customer": customer_id, "queue": queue.pk, "body": "x"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["customer"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "zone", ["localtime", "Factory", "posixrules", "right/UTC", "Mars/Olympus"]
)
def test_time_zones_that_are_not_places_are_refused(client_for, admin_user, zone):
    response = client_for(admin_user).post(
        "/api/v1/teams/", {"name": "Night shift", "timezone": zone}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["timezone"]
    assert Team.objects.filter(name="Night shift").count() == 0


def test_a_real_time_zone_is_accepted(client_for, admin_user):
    response = client_for(admin_user).post(
        "/api/v1/teams/", {"name": "Night shift", "timezone": "Asia/Tokyo"}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("ordering", ["password", "-nope", "subject,bogus"])
def test_an_unknown_ordering_is_a_400_naming_the_parameter(client_for, junior, ordering):
    response = client_for(junior).get("/api/v1/tickets/", {"ordering": ordering})

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
    assert response.json()["ordering"][0].startswith("Unknown ordering ")


def test_a_known_ordering_still_sorts(client_for, junior, queue, customer):
    factories.TicketFactory(queue=queue, customer=customer, subject="b")
    factories.TicketFactory(queue=queue, customer=customer, subject="a")

    response = client_for(junior).get("/api/v1/tickets/", {"ordering": "-id"})

    assert response.status_code == 200
    assert [t["subject"] for t in response.json()["results"]] == ["a", "b"]


def test_a_juniors_audit_read_is_refused_as_a_read(client_for, junior):
    response = client_for(junior).get("/api/v1/audit-events/")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only team leads and admins can see this."}


def test_a_juniors_refused_write_still_says_change(client_for, junior):
    response = client_for(junior).post("/api/v1/teams/", {"name": "X"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role does not allow this change."}


def test_a_body_over_the_upload_limit_is_the_apis_json_413(client_for, junior, queue, customer):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = client_for(junior).post(
        "/api/v1/tickets/",
        {"subject": "Big", "customer": customer.pk, "queue": queue.pk, "body": big},
        format="json",
    )

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    }
    assert Ticket.objects.count() == 0
