"""Who reaches what, across every surface, in one place: pages, admin, API and sockets.

Roles: an admin, team A's lead, senior and junior, a junior of team B, and nobody signed in.
Objects are team A's (its ticket, its junior's report). The detailed per-surface matrices live
beside each surface (tests/admin, tests/api, tests/tickets, tests/reports); this one is the
cross-surface summary, with the exact answer each role gets.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib import admin
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

from kimondesk.asgi import application
from kimondesk.routing import CLOSE_NOT_FOUND
from tests import factories
from tickets.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from tickets.models import Customer, Queue, Ticket

from .conftest import World, row_counts
from .discovery import PAGES
from .test_csrf import FORMS

ROLES = ("admin", "lead_a", "senior_a", "junior_a", "junior_b", "anonymous")


def by_role(*outcomes: Any) -> dict[str, Any]:
    return dict(zip(ROLES, outcomes, strict=True))


def cases(matrix: dict[str, dict[str, Any]]) -> list[Any]:
    return [
        pytest.param(surface, role, expected, id=f"{surface}-{role}")
        for surface, row in matrix.items()
        for role, expected in row.items()
    ]


def _client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.agents[role])
    return client


# --- Pages ---------------------------------------------------------------------------------
LOGIN = 302  # signed out: to the sign-in page
ANY_AGENT = by_role(200, 200, 200, 200, 200, LOGIN)
TEAM_A = by_role(200, 200, 200, 200, 404, LOGIN)
LEADS = by_role(200, 200, 403, 403, 403, LOGIN)
SELF_OR_LEAD = by_role(200, 200, 404, 200, 404, LOGIN)

PAGE_MATRIX: dict[str, dict[str, Any]] = {
    "home": ANY_AGENT,
    "queue_mine": ANY_AGENT,
    "queue_team": ANY_AGENT,
    "queue_escalated": ANY_AGENT,
    "ticket_search": ANY_AGENT,
    "ticket_detail": TEAM_A,
    "ticket_escalate": TEAM_A,
    "ticket_live": TEAM_A,
    "ticket_history_lines": TEAM_A,
    "macro_list": ANY_AGENT,
    # a personal macro: its owner only (team A's junior)
    "macro_edit": by_role(404, 404, 404, 200, 404, LOGIN),
    "ticket_macros": TEAM_A,
    "ticket_macro_render": TEAM_A,
    # a file that came with the customer's mail on team A's ticket
    "mail_attachment_download": TEAM_A,
    "notification_list": ANY_AGENT,
    "notification_unread": ANY_AGENT,
    "reports:overview": LEADS,
    "reports:rules": LEADS,
    "reports:rule_examples": LEADS,
    "reports:macros": LEADS,
    "reports:export": LEADS,
    "reports:agent": SELF_OR_LEAD,
    "reports:agent_export": SELF_OR_LEAD,
}
# Pages outside the matrix: sign-in and health answer everyone; the rest take POST only.
OPEN_PAGES = {"login", "admin_login", "logout", "healthz", "readyz", "favicon"}


def test_the_page_matrix_covers_every_page_that_answers_get():
    pages = {p.name for p in PAGES if not p.name.startswith("admin:")}
    post_only = {name for name in FORMS if name not in PAGE_MATRIX}

    assert sorted(pages - OPEN_PAGES - post_only - set(PAGE_MATRIX)) == []
    assert sorted(set(PAGE_MATRIX) - pages) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role", "expected"), cases(PAGE_MATRIX))
def test_pages(world, page, role, expected):
    target = next(p for p in PAGES if p.name == page)
    values = world.ids()
    path = "/" + target.route
    for name in target.params:
        path = path.replace(f"<int:{name}>", str(values[name])).replace(
            f"<slug:{name}>", str(values[name])
        )

    response = _client(world, role).get(path)

    assert response.status_code == expected
    if expected == LOGIN:
        assert response["Location"].startswith("/login/?next=")


# --- Admin ---------------------------------------------------------------------------------
STAFF_LOGIN = 302  # signed out: to the admin's sign-in page
NO_CONSOLE = 403  # signed in, neither lead nor admin: a page that says so
ADMIN_ONLY = by_role(200, 403, NO_CONSOLE, NO_CONSOLE, NO_CONSOLE, STAFF_LOGIN)
LEAD_SCOPED = by_role(200, 200, NO_CONSOLE, NO_CONSOLE, NO_CONSOLE, STAFF_LOGIN)

ADMIN_MATRIX: dict[str, dict[str, Any]] = {
    "index": LEAD_SCOPED,
    "auth.group": ADMIN_ONLY,
    "authtoken.tokenproxy": ADMIN_ONLY,
    "django_q.schedule": ADMIN_ONLY,
    "django_q.success": ADMIN_ONLY,
    "django_q.failure": ADMIN_ONLY,
    "django_q.ormq": ADMIN_ONLY,
    "tickets.agent": ADMIN_ONLY,
    "tickets.team": ADMIN_ONLY,
    "tickets.queue": LEAD_SCOPED,
    "tickets.customer": ADMIN_ONLY,
    "tickets.ticket": ADMIN_ONLY,
    "tickets.tag": ADMIN_ONLY,
    "tickets.macro": LEAD_SCOPED,
    "escalations.rule": LEAD_SCOPED,
    "escalations.target": LEAD_SCOPED,
    "escalations.slapolicy": LEAD_SCOPED,
    "escalations.calendar": LEAD_SCOPED,
    "escalations.exchangerate": LEAD_SCOPED,
    "escalations.slackdelivery": LEAD_SCOPED,
    "escalations.escalation": LEAD_SCOPED,
    # read-only; a lead reads their team's configuration changes and their tickets' rows
    "escalations.auditevent": LEAD_SCOPED,
    # mailboxes (write-only IMAP password) and the record of received mail, by the queue's team
    "mail.mailbox": LEAD_SCOPED,
    "mail.inboundmail": LEAD_SCOPED,
    # django-axes: sign-in lockouts (an admin unlocks an account by deleting its attempt)
    "axes.accessattempt": ADMIN_ONLY,
    "axes.accesslog": ADMIN_ONLY,
    "axes.accessfailurelog": ADMIN_ONLY,
}


def _registered() -> set[str]:
    return {model._meta.label_lower for model in admin.site._registry}


# django_q's ``ormq`` page exists only with the ORM broker (no REDIS_URL).
ADMIN_PAGES = {k: v for k, v in ADMIN_MATRIX.items() if k == "index" or k in _registered()}


def test_the_admin_matrix_covers_every_registered_model():
    assert sorted(_registered() - set(ADMIN_MATRIX)) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role", "expected"), cases(ADMIN_PAGES))
def test_admin(world, page, role, expected):
    path = "/admin/" if page == "index" else "/admin/{}/{}/".format(*page.split("."))

    response = _client(world, role).get(path)

    assert response.status_code == expected
    if expected == STAFF_LOGIN:
        assert response["Location"].startswith("/admin/login/?next=")


# --- API -----------------------------------------------------------------------------------
EVERYONE = by_role(200, 200, 200, 200, 200, 401)
LEADS_API = by_role(200, 200, 403, 403, 403, 401)
TEAM_A_API = by_role(200, 200, 200, 200, 404, 401)

API_MATRIX: dict[str, dict[str, Any]] = {
    "teams": EVERYONE,
    "agents": EVERYONE,
    "queues": EVERYONE,
    "customers": EVERYONE,
    "tickets": EVERYONE,
    "escalations": EVERYONE,
    "targets": EVERYONE,
    "rules": EVERYONE,
    "calendars": EVERYONE,
    "sla-policies": EVERYONE,
    "exchange-rates": EVERYONE,
    "macros": EVERYONE,
    "audit-events": LEADS_API,
    "webhooks": LEADS_API,
    "reports/escalation-rate": LEADS_API,
    "reports/rule-health": LEADS_API,
    "tickets/{ticket}": TEAM_A_API,
    "tickets/{ticket}/messages": TEAM_A_API,
    "tickets/{ticket}/notes": TEAM_A_API,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "role", "expected"), cases(API_MATRIX))
def test_api(world, endpoint, role, expected):
    client = Client()
    headers = {}
    if role != "anonymous":
        token, _ = Token.objects.get_or_create(user=world.agents[role])
        headers["Authorization"] = f"Token {token.key}"
    path = "/api/v1/" + endpoint.format(ticket=world.ticket_a.pk) + "/"

    response = client.get(path, headers=headers)

    assert response.status_code == expected


# --- Sockets -------------------------------------------------------------------------------
ACCEPTED = "accepted"
TEAM_A_SOCKET = by_role(
    ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED, CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
)
OWN_SOCKET = by_role(ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED, ACCEPTED, CLOSE_UNAUTHENTICATED)

SOCKET_MATRIX: dict[str, dict[str, Any]] = {
    "ws/tickets/{ticket}": TEAM_A_SOCKET,
    "ws/notifications": OWN_SOCKET,
    "ws/tickets/abc": by_role(*[CLOSE_NOT_FOUND] * 6),
    "ws/unknown": by_role(*[CLOSE_NOT_FOUND] * 6),
    # Every role here is in a team (or an admin): each gets its own team's queue events.
    "ws/queues": OWN_SOCKET,
}


@pytest_asyncio.fixture
async def close_worker_connections(transactional_db):
    """Consumers query from a worker thread; its connection must not outlive the test."""
    yield
    await database_sync_to_async(connections.close_all)()


@sync_to_async
def _headers(world: World, role: str) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://127.0.0.1")]
    if role != "anonymous":
        client = Client()
        client.force_login(world.agents[role])
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return headers


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("socket", "role", "expected"), cases(SOCKET_MATRIX))
async def test_sockets(world, close_worker_connections, socket, role, expected):
    path = "/" + socket.format(ticket=world.ticket_a.pk) + "/"
    communicator = WebsocketCommunicator(application, path, headers=await _headers(world, role))

    connected, code = await communicator.connect()
    await communicator.disconnect()

    assert (ACCEPTED if connected else code) == expected


# --- Writes that would reach another team through a related object ---------------------------
# Each cell is one request by the role against team A's data, naming team B's queue, target or
# team (or a customer that only team A serves); the exact status, and only a 2xx writes.
@pytest.fixture
def bravo(world: World) -> dict[str, Any]:
    team_b = world.agents["junior_b"].team
    senior_b = factories.SeniorFactory(username="senior_b", team=team_b)
    return {
        "team": team_b,
        "queue": Queue.objects.get(name="Bravo general"),
        "target": factories.TargetFactory(
            name="Bravo senior", kind="agent", agent=senior_b, team=team_b
        ),
    }


def _target_at_bravo_queue(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    return (
        "post",
        "/api/v1/targets/",
        {"name": "Fence", "kind": "queue", "queue": bravo["queue"].pk},
    )


def _rule_at_bravo_target(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    trigger = {"kind": "sentiment_negative", "params": {}}
    body = {"name": "Fence", "trigger": trigger, "conditions": [], "target": bravo["target"].pk}
    return "post", "/api/v1/rules/", body


def _sla_policy_for_bravo(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    targets = [{"metric": "first_response", "minutes": 1}]
    body = {"name": "Fence", "team": bravo["team"].pk, "conditions": [], "targets": targets}
    return "post", "/api/v1/sla-policies/", body


def _exchange_rate_for_bravo(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    body = {"team": bravo["team"].pk, "base": "EUR", "quote": "USD", "rate": "1.1"}
    return "post", "/api/v1/exchange-rates/", body | {"valid_from": "2026-12-01"}


def _ticket_into_bravo_queue(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    return "patch", f"/api/v1/tickets/{world.ticket_a.pk}/", {"queue": bravo["queue"].pk}


def _escalate_to_bravo_target(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    handoff = {"tried": "a", "diagnosis": "b", "authority_needed": "c"}
    body = handoff | {"target": bravo["target"].pk}
    return "post", f"/api/v1/tickets/{world.ticket_a.pk}/escalate/", body


def _customer_tier(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    return "patch", f"/api/v1/customers/{world.ticket_a.customer_id}/", {"tier": "enterprise"}


def _customer_name(world: World, bravo: dict[str, Any]) -> tuple[str, str, dict]:
    return "patch", f"/api/v1/customers/{world.ticket_a.customer_id}/", {"name": "Renamed"}


WRITES = {
    "targets: at team B's queue": _target_at_bravo_queue,
    "rules: at team B's target": _rule_at_bravo_target,
    "sla-policies: for team B": _sla_policy_for_bravo,
    "exchange-rates: for team B": _exchange_rate_for_bravo,
    "tickets: into team B's queue": _ticket_into_bravo_queue,
    "escalate: to team B's target": _escalate_to_bravo_target,
    "customers: tier (team A's customer)": _customer_tier,
    "customers: name (team A's customer)": _customer_name,
}
LEAD_WRITE = (403, 403)  # seniors and juniors: leads-only configuration
WRITE_MATRIX: dict[str, dict[str, Any]] = {
    "targets: at team B's queue": by_role(201, 400, *LEAD_WRITE, 403, 401),
    "rules: at team B's target": by_role(201, 400, *LEAD_WRITE, 403, 401),
    "sla-policies: for team B": by_role(201, 400, *LEAD_WRITE, 403, 401),
    "exchange-rates: for team B": by_role(201, 400, *LEAD_WRITE, 403, 401),
    "tickets: into team B's queue": by_role(200, 200, 400, 400, 404, 401),
    # A lead may send a ticket beyond the team (to another team's queue or lead).
    "escalate: to team B's target": by_role(201, 201, 400, 400, 404, 401),
    "customers: tier (team A's customer)": by_role(200, 200, 403, 403, 403, 401),
    "customers: name (team A's customer)": by_role(200, 200, 200, 200, 403, 401),
}


def test_every_write_has_a_row():
    assert sorted(WRITES) == sorted(WRITE_MATRIX)


def _api_client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        token, _ = Token.objects.get_or_create(user=world.agents[role])
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("write", "role", "expected"), cases(WRITE_MATRIX))
def test_writes_through_related_objects(world, bravo, write, role, expected):
    method, path, body = WRITES[write](world, bravo)
    before = row_counts()
    ticket_before = Ticket.objects.values("queue_id", "assignee_id").get(pk=world.ticket_a.pk)
    customer_before = Customer.objects.values("name", "tier").get(pk=world.ticket_a.customer_id)

    response = getattr(_api_client(world, role), method)(
        path, body, content_type="application/json"
    )

    assert response.status_code == expected
    if expected >= 400:
        assert row_counts() == before
        assert (
            Ticket.objects.values("queue_id", "assignee_id").get(pk=world.ticket_a.pk)
            == ticket_before
        )
        assert (
            Customer.objects.values("name", "tier").get(pk=world.ticket_a.customer_id)
            == customer_before
        )
