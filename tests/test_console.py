"""The console opens by role: leads and admins in, everyone else told so, signed-out to sign-in."""

from __future__ import annotations

import pytest

from kimondesk.console import console_access_allowed
from tests import factories


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "allowed"),
    [
        pytest.param(lambda: factories.AdminFactory(is_staff=False), True, id="admin-not-staff"),
        pytest.param(lambda: factories.LeadFactory(is_staff=False), True, id="lead-not-staff"),
        pytest.param(lambda: factories.LeadFactory(is_active=False), False, id="inactive-lead"),
        pytest.param(lambda: factories.SeniorFactory(is_staff=True), False, id="senior-staff"),
        pytest.param(lambda: factories.AgentFactory(is_staff=True), False, id="junior-staff"),
    ],
)
def test_console_access_follows_the_role_not_is_staff(make, allowed):
    assert console_access_allowed(user=make()) is allowed


@pytest.mark.django_db
def test_lead_without_staff_flag_opens_the_console_with_its_header(client):
    lead = factories.LeadFactory(is_staff=False)
    client.force_login(lead)

    response = client.get("/admin/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Rules, targets, SLAs and calendars | KimonDesk console</title>" in body
    assert "Django administration" not in body


@pytest.mark.django_db
def test_signed_in_junior_gets_a_no_access_page_with_navigation(client):
    junior = factories.AgentFactory(name="Jo Junior")
    client.force_login(junior)

    response = client.get("/admin/escalations/rule/")

    assert response.status_code == 403
    body = response.content.decode()
    assert "The console is for team leads and admins" in body
    assert "You are signed in as Jo Junior (Junior agent)." in body
    assert '<nav class="mainnav" aria-label="Main">' in body
    assert "Rules &amp; SLAs" not in body
    assert 'name="password"' not in body


@pytest.mark.django_db
def test_signed_in_junior_at_the_console_sign_in_is_sent_to_the_no_access_page(client):
    client.force_login(factories.AgentFactory())

    response = client.get("/admin/login/?next=/admin/", follow=True)

    assert response.redirect_chain == [("/admin/", 302)]
    assert response.status_code == 403
    assert 'name="password"' not in response.content.decode()


@pytest.mark.django_db
def test_signed_out_visitor_goes_to_the_sign_in_form(client):
    response = client.get("/admin/escalations/rule/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/escalations/rule/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "shown"),
    [
        pytest.param(lambda: factories.LeadFactory(is_staff=False), True, id="lead"),
        pytest.param(lambda: factories.AdminFactory(), True, id="admin"),
        pytest.param(lambda: factories.SeniorFactory(is_staff=True), False, id="senior"),
        pytest.param(lambda: factories.AgentFactory(), False, id="junior"),
    ],
)
def test_navigation_shows_rules_and_slas_by_role(client, make, shown):
    client.force_login(make())

    body = client.get("/").content.decode()

    assert ('<a href="/admin/">Rules &amp; SLAs</a>' in body) is shown
