"""Who may change a customer (``tickets.selectors.customer_change_refusal``), and the audit of
every change with its before and after values."""

from __future__ import annotations

import pytest

from escalations.models import AuditEvent
from tests import factories
from tickets.models import Customer, CustomerTierChange, EventKind, TicketEvent

pytestmark = pytest.mark.django_db

TIER = "Only team leads and admins change a customer's tier."
TEAM = "The customer has tickets only in other teams' queues: ask one of those teams or an admin."


@pytest.fixture
def people(admin_user, lead, junior, other_team):
    return {
        "admin": admin_user,
        "lead": lead,
        "junior": junior,
        "other_lead": factories.LeadFactory(username="other-lead", team=other_team),
        "other_junior": factories.AgentFactory(username="other-junior", team=other_team),
    }


@pytest.fixture
def customer_of_team(queue, customer):
    """A standard customer with one open ticket in the team's queue."""
    factories.TicketFactory(queue=queue, customer=customer, status="open")
    return customer


@pytest.mark.parametrize(
    ("who", "change", "status", "refusal"),
    [
        pytest.param("admin", {"tier": "enterprise"}, 200, None, id="admin-tier"),
        pytest.param("lead", {"tier": "enterprise"}, 200, None, id="own-lead-tier"),
        pytest.param("junior", {"tier": "enterprise"}, 403, TIER, id="own-junior-tier"),
        pytest.param("other_lead", {"tier": "enterprise"}, 403, TEAM, id="other-lead-tier"),
        pytest.param("other_junior", {"tier": "enterprise"}, 403, TIER, id="other-junior-tier"),
        pytest.param("admin", {"name": "Renamed"}, 200, None, id="admin-name"),
        pytest.param("junior", {"name": "Renamed"}, 200, None, id="own-junior-name"),
        pytest.param("other_junior", {"name": "Renamed"}, 403, TEAM, id="other-junior-name"),
        pytest.param("other_lead", {"email": "x@example.com"}, 403, TEAM, id="other-lead-email"),
    ],
)
def test_who_may_change_a_customer(
    client_for, people, customer_of_team, who, change, status, refusal
):
    customer = customer_of_team
    before = Customer.objects.values("name", "email", "tier").get(pk=customer.pk)

    response = client_for(people[who]).patch(
        f"/api/v1/customers/{customer.pk}/", change, format="json"
    )

    assert response.status_code == status
    after = Customer.objects.values("name", "email", "tier").get(pk=customer.pk)
    if refusal is None:
        assert after == before | change
        audit = AuditEvent.objects.get(kind="customer.updated")
        assert (audit.actor, audit.object_id) == (people[who], str(customer.pk))
        assert (audit.before, audit.after) == ({f: before[f] for f in change}, change)
    else:
        assert response.json() == {"detail": refusal}
        assert after == before
        assert AuditEvent.objects.filter(kind="customer.updated").count() == 0
        assert CustomerTierChange.objects.count() == 0
        assert TicketEvent.objects.filter(kind=EventKind.TIER_CHANGED).count() == 0


def test_a_customer_without_tickets_is_changed_by_any_agent(client_for, people, customer):
    response = client_for(people["other_junior"]).patch(
        f"/api/v1/customers/{customer.pk}/", {"name": "New name"}, format="json"
    )

    assert response.status_code == 200
    assert AuditEvent.objects.get(kind="customer.updated").after == {"name": "New name"}


def test_an_unchanged_value_writes_no_audit_row(client_for, people, customer_of_team):
    response = client_for(people["lead"]).patch(
        f"/api/v1/customers/{customer_of_team.pk}/",
        {"tier": customer_of_team.tier},
        format="json",
    )

    assert response.status_code == 200
    assert AuditEvent.objects.filter(kind="customer.updated").count() == 0
