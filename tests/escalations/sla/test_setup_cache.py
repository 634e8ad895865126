"""The compiled SLA setup is kept per process and version: fresh after every configuration write,
from any process, and never read twice for one version."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from escalations.models import SLAClock, SLASetupVersion
from escalations.sla import selectors
from escalations.sla.selectors import sla_setup_load
from tickets.models import Status
from tickets.services import ticket_update

from .conftest import T0, clock_of


def _policies_read(queries) -> int:
    return sum('FROM "escalations_slapolicy"' in q["sql"] for q in queries.captured_queries)


def test_the_next_event_reuses_the_setup_compiled_for_this_version(
    policy, make_ticket, now, django_assert_num_queries
):
    # Given a ticket whose event compiled the setup of this version
    ticket = make_ticket()
    token = SLASetupVersion.objects.get().token
    assert list(selectors._SETUP_CACHE) == [token]

    # When another event moves its clocks
    with django_assert_num_queries(9) as queries:
        ticket_update(ticket=ticket, actor=None, status=Status.PENDING)

    # Then no policy or target was read again
    assert _policies_read(queries) == 0
    assert clock_of(ticket).state == "paused"


def _targets_resave(policy, minutes: int) -> None:
    for target in policy.targets.filter(metric="first_response", priority=None):
        target.minutes = minutes
        target.save()


EDITS = {
    # edit: (what it does to the policy, the new ticket's first-response target in minutes)
    "target-deleted": (lambda p: p.targets.filter(metric="first_response").delete(), None),
    "target-saved": (lambda p: _targets_resave(p, 10), 10),
    "policy-disabled": (lambda p: setattr(p, "enabled", False) or p.save(), None),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_a_configuration_save_is_seen_by_the_next_event(policy, make_ticket, now, name):
    # Given a setup compiled in this process
    make_ticket()
    edit, minutes = EDITS[name]

    # When the configuration is changed through the ORM (admin, API and fixtures save rows)
    edit(policy)
    ticket = make_ticket(subject="After the edit")

    # Then the next ticket follows the edited configuration
    due_at = clock_of(ticket).due_at
    assert due_at == (T0 + timedelta(minutes=minutes) if minutes else None)


def test_a_version_written_by_another_process_discards_this_process_setup(policy, make_ticket, now):
    # Given a setup compiled here, and a target edited in bulk elsewhere (no save signal here),
    # where the other process's write replaced the version token
    make_ticket()
    policy.targets.filter(metric="first_response", priority=None).update(minutes=15)
    SLASetupVersion.objects.update(token="written-by-another-process")

    # When the next ticket opens here
    ticket = make_ticket(subject="Seen everywhere")

    # Then its clock follows the edit, and the setup is kept under the new token
    assert clock_of(ticket).due_at == T0 + timedelta(minutes=15)
    assert list(selectors._SETUP_CACHE) == ["written-by-another-process"]


def test_without_a_version_row_nothing_is_cached(policy, db):
    # Given a database whose version row is gone (a flushed test database)
    SLASetupVersion.objects.all().delete()
    selectors.sla_calendar_cache_clear()

    # When the setup is loaded twice, then it is compiled each time and kept nowhere
    assert sla_setup_load() is not sla_setup_load()
    assert selectors._SETUP_CACHE == {}


def test_a_rolled_back_edit_never_leaves_its_setup_behind(policy, make_ticket, now):
    # Given an edit whose transaction rolls back after an event compiled the edited setup
    make_ticket()
    before = SLASetupVersion.objects.get().token

    @transaction.atomic
    def edit_then_fail() -> None:
        policy.targets.filter(metric="first_response", priority=None).update(minutes=5)
        policy.save()
        make_ticket(subject="Rolled back")
        raise RuntimeError

    with pytest.raises(RuntimeError):
        edit_then_fail()

    # When the next ticket opens
    ticket = make_ticket(subject="After the rollback")

    # Then it follows the committed policy (60 min), under the committed token
    assert SLASetupVersion.objects.get().token == before
    assert clock_of(ticket).due_at == T0 + timedelta(minutes=60)
    assert SLAClock.objects.filter(ticket__subject="Rolled back").count() == 0
