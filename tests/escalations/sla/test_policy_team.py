"""An SLA policy owned by a team applies to that team's tickets only (as rules do); a policy
without a team applies to every team."""

from __future__ import annotations

import pytest

from tests import factories

from .conftest import clock_of

pytestmark = pytest.mark.django_db


def _policy(*, name: str, team, order: int, minutes: int):
    policy = factories.SLAPolicyFactory(name=name, team=team, order=order)
    factories.SLATargetFactory(policy=policy, metric="first_response", minutes=minutes)
    return policy


@pytest.fixture
def billing(db):
    return factories.TeamFactory(name="Billing")


def test_another_teams_policy_does_not_apply(make_ticket, team, billing, now):
    _policy(name="Billing rush", team=billing, order=1, minutes=1)
    own = _policy(name="Support standard", team=team, order=50, minutes=60)

    ticket = make_ticket()

    clock = clock_of(ticket)
    assert (clock.policy_id, clock.target_minutes) == (own.pk, 60)


def test_another_teams_policy_without_a_target_does_not_hide_the_shared_one(
    make_ticket, billing, now
):
    # A Billing policy with only a resolution target comes first by order
    billing_policy = factories.SLAPolicyFactory(name="Billing", team=billing, order=1)
    factories.SLATargetFactory(policy=billing_policy, metric="resolution", minutes=600)
    shared = _policy(name="Everyone", team=None, order=50, minutes=120)

    ticket = make_ticket()

    clock = clock_of(ticket)
    assert (clock.policy_id, clock.target_minutes) == (shared.pk, 120)


def test_the_owning_teams_tickets_get_its_policy(make_ticket, billing, now):
    billing_policy = _policy(name="Billing rush", team=billing, order=1, minutes=15)
    _policy(name="Everyone", team=None, order=50, minutes=120)
    billing_queue = factories.QueueFactory(name="Invoices", team=billing)

    ticket = make_ticket(queue=billing_queue)

    clock = clock_of(ticket)
    assert (clock.policy_id, clock.target_minutes) == (billing_policy.pk, 15)
