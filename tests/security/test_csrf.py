"""CSRF on every form of the site: discovered from the URL resolver, so a new form is covered.

Every page of the site's own apps (tickets, reports, sign-in and sign-out, the admin views the
project adds) refuses a POST without a CSRF token with 403 and writes nothing. The pages that
accept a POST are found by asking each one; each of them must have valid data in ``FORMS`` and
succeed when the token is there. The API is covered by its own tests (DRF: CSRF for session auth).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from escalations.audit import audit_record
from escalations.audit.config import config_snapshot
from escalations.models import Escalation, Rule
from tests import factories
from tickets.notifications.models import Notification

from .conftest import OWN_APPS, World, row_counts
from .discovery import PAGES, Page, fill

REVERT = re.compile(r"^admin:(\w+?)_(\w+)_revert$")


def _audited_objects(world: World) -> dict[str, Any]:
    """One object of each model the admin audits and reverts, with a change to revert."""
    team = world.ticket_a.queue.team
    calendar = factories.CalendarFactory(name="Alpha hours", team=team)
    factories.OpeningHoursFactory(calendar=calendar)
    objects = {
        "rule": factories.RuleFactory(name="Angry", team=team),
        "target": factories.TargetFactory(name="Lead of Alpha", team=team),
        "slapolicy": factories.SLAPolicyFactory(name="Alpha SLA", team=team, calendar=calendar),
        "calendar": calendar,
        "macro": factories.MacroFactory(name="Alpha greeting", team=team),
    }
    events = {}
    for model_name, obj in objects.items():
        before = {**config_snapshot(obj), "name": f"{obj.name} (old name)"}
        event = audit_record(
            kind=f"{model_name}.changed", actor=world.agents["admin"], obj=obj, before=before
        )
        events[model_name] = {"object_id": obj.pk, "event_id": event.pk}
    return events


@pytest.fixture
def urls(world) -> Callable[[Page], str]:
    values = world.ids()
    audited = _audited_objects(world)

    def url(page: Page) -> str:
        revert = REVERT.match(page.name)
        model_name = revert.group(2) if revert else "rule"
        return fill(page, {**values, **audited[model_name]})

    return url


def _client(world: World, *, who: str | None = "admin") -> Client:
    client = Client(enforce_csrf_checks=True)
    if who is not None:
        client.force_login(world.agents[who])
    return client


def _token(client: Client, world: World, *, signed_in: bool) -> str:
    """The token as a browser has it: the cookie set by a page with a form."""
    client.get(f"/tickets/{world.ticket_a.pk}/" if signed_in else "/login/")
    return client.cookies["csrftoken"].value


def _acknowledged(world: World) -> bool:
    return Escalation.objects.filter(pk=world.escalation_id, acknowledged_at__isnull=False).exists()


def _notifications_read(world: World) -> int:
    return Notification.objects.filter(
        agent=world.agents["junior_a"], read_at__isnull=False
    ).count()


@dataclass(frozen=True)
class Form:
    """Who posts (``None``: signed out), valid data, the tables that gain or lose rows, and any
    other proof that the post took effect."""

    who: str | None
    data: Callable[[World], dict[str, Any]] = lambda world: {}
    writes: tuple[str, ...] = ()
    done: Callable[[World], bool] | None = None


FORMS: dict[str, Form] = {
    "login": Form(
        None,
        lambda w: {"username": "junior_a", "password": "pw-for-tests-1"},
        ("sessions.Session",),
    ),
    "admin_login": Form(
        None, lambda w: {"username": "admin", "password": "pw-for-tests-1"}, ("sessions.Session",)
    ),
    "logout": Form("junior_a", writes=("sessions.Session",)),
    "ticket_reply": Form(
        "junior_a", lambda w: {"body": "We refunded the second charge."}, ("tickets.Message",)
    ),
    "ticket_note": Form("junior_a", lambda w: {"body": "Checked the invoice."}, ("tickets.Note",)),
    "macro_list": Form(
        "junior_a",
        lambda w: {"name": "Thanks", "body": "Thanks, {{ customer_name }}!", "enabled": "on"},
        ("tickets.Macro", "escalations.AuditEvent"),
    ),
    "macro_edit": Form(
        "junior_a",
        lambda w: {"name": "Sign-off", "body": "Best, {{ agent_name }}", "enabled": "on"},
        ("escalations.AuditEvent",),
    ),
    "macro_delete": Form("junior_a", writes=("tickets.Macro", "escalations.AuditEvent")),
    "ticket_macro_reply": Form(
        "junior_a",
        lambda w: {"macro": w.macro_id, "body": "We refunded the second charge."},
        ("tickets.Message", "tickets.MacroUse", "tickets.TicketEvent"),
    ),
    "ticket_controls": Form(
        "junior_a",
        lambda w: factories.ticket_controls_data(
            w.ticket_a, status="pending", priority="high", assignee=w.agents["junior_a"].pk
        ),
        ("tickets.TicketEvent",),
    ),
    "ticket_tags": Form("junior_a", lambda w: {"tags": "billing"}, ("tickets.Tag",)),
    "ticket_refund": Form(
        "junior_a",
        lambda w: {"amount": "25.00", "currency": "USD", "reason": "Double charge"},
        ("tickets.RefundRequest",),
    ),
    "ticket_escalate": Form(
        "junior_a",
        lambda w: {
            "tried": "Refunded once",
            "diagnosis": "Billing ran twice",
            "authority_needed": "A second refund",
            "target": "",
        },
        ("escalations.Escalation",),
    ),
    "escalation_acknowledge_page": Form(
        "senior_a", writes=("escalations.AuditEvent", "tickets.TicketEvent"), done=_acknowledged
    ),
    "escalation_feedback_page": Form(
        "senior_a",
        lambda w: {"needed": "no", "reason": "first_level"},
        ("escalations.EscalationFeedback", "escalations.AuditEvent"),
    ),
    "escalation_question_page": Form(
        "senior_a",
        lambda w: {"body": "Did the customer confirm the card number?"},
        ("tickets.Note", "tickets.TicketEvent", "notifications.Notification"),
    ),
    "notification_read": Form("junior_a", done=lambda w: _notifications_read(w) == 1),
    "notification_read_all": Form("junior_a", done=lambda w: _notifications_read(w) == 1),
    "saved_view_create": Form(
        "junior_a",
        lambda w: {"name": "Urgent", "page": "team", "query": "priority=urgent"},
        ("tickets.SavedView",),
    ),
    "saved_view_delete": Form("junior_a", writes=("tickets.SavedView",)),
    "tickets_bulk_update": Form(
        "junior_a",
        lambda w: {"tickets": [w.ticket_a.pk], "priority": "urgent", "page": "mine", "query": ""},
        ("tickets.TicketEvent", "escalations.AuditEvent"),
    ),
    # The rule preview reads only; posting the unsaved form is how it previews edits.
    "admin:escalations_rule_preview": Form("admin"),
    "admin:escalations_rule_preview_unsaved": Form("admin"),
    # So do the SLA policy and calendar previews (the deadlines the unsaved edits would move).
    "admin:escalations_slapolicy_preview": Form("admin"),
    "admin:escalations_slapolicy_preview_unsaved": Form("admin"),
    "admin:escalations_calendar_preview": Form("admin"),
    "admin:escalations_calendar_preview_unsaved": Form("admin"),
}
# The history of every audited model offers a revert button.
FORMS.update(
    {
        f"admin:escalations_{model_name}_revert": Form("admin", writes=("escalations.AuditEvent",))
        for model_name in ("rule", "target", "slapolicy", "calendar")
    }
)
FORMS["admin:tickets_macro_revert"] = Form("admin", writes=("escalations.AuditEvent",))


def _changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {label for label, count in after.items() if before[label] != count}


@pytest.mark.django_db
def test_every_page_that_accepts_a_post_is_a_known_form(world, urls):
    """A POST with a valid token answers 405 on read-only pages; everything else is a form
    listed in ``FORMS`` (so a new form cannot escape the checks below)."""
    accepting = set()
    for page in PAGES:
        client = _client(world)
        token = _token(client, world, signed_in=True)
        response = client.post(urls(page), {"csrfmiddlewaretoken": token})
        assert response.status_code != 403, page.name
        if response.status_code != 405:
            accepting.add(page.name)

    assert sorted(accepting - set(FORMS)) == []
    assert sorted(set(FORMS) - accepting) == []


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_post_without_token_is_refused_and_writes_nothing(world, urls, page):
    form = FORMS.get(page.name, Form("admin"))
    client = _client(world, who=form.who)
    before = row_counts()

    response = client.post(urls(page), form.data(world))

    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert row_counts() == before
    if form.done is not None:
        assert form.done(world) is False


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
def test_post_with_token_goes_through(world, urls, name):
    page = next(p for p in PAGES if p.name == name)
    form = FORMS[name]
    client = _client(world, who=form.who)
    token = _token(client, world, signed_in=form.who is not None)
    before = row_counts()

    response = client.post(urls(page), {**form.data(world), "csrfmiddlewaretoken": token})

    assert response.status_code in (200, 302), response.content[:300]
    assert set(form.writes) <= _changed(before, row_counts())
    if not form.writes:
        assert row_counts() == before
    if form.done is not None:
        assert form.done(world) is True


@pytest.mark.django_db
def test_token_in_the_header_is_accepted_too(world):
    """The ticket page's scripts send the token as ``X-CSRFToken``."""
    client = _client(world, who="senior_a")
    token = _token(client, world, signed_in=True)
    escalation = Escalation.objects.get(pk=world.escalation_id)

    response = client.post(f"/escalations/{escalation.pk}/acknowledge/", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == world.agents["senior_a"]


def test_discovery_finds_the_forms_of_every_app():
    names = {p.name for p in PAGES}

    assert {"login", "logout", "ticket_reply", "reports:overview"} <= names
    assert "admin:escalations_rule_revert" in names
    assert not any(n.startswith("api") for n in names)
    assert Rule._meta.app_label in OWN_APPS
