"""Saved queue views: own and team views, who may share and delete them, bounds, the pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests import factories
from tickets.models import SavedView
from tickets.saved_views import services
from tickets.saved_views.selectors import saved_views_for_page
from tickets.saved_views.services import SAVED_VIEWS_MAX_PER_OWNER


@pytest.fixture
def other_lead(db):
    return factories.LeadFactory(username="other-lead", team=factories.TeamFactory(name="Billing"))


@pytest.mark.django_db
def test_an_agent_saves_a_view_without_the_page_number(junior, queue):
    view = services.saved_view_create(
        agent=junior,
        name="  Urgent   open ",
        page="team",
        query=f"priority=urgent&page=3&queue={queue.pk}",
    )

    assert (view.name, view.page, view.query, view.team_id) == (
        "Urgent open",
        "team",
        f"priority=urgent&queue={queue.pk}",
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"name": " "}, {"name": ["Give the view a name."]}),
        ({"name": "x" * 61}, {"name": ["A name has at most 60 characters."]}),
        ({"page": "reports"}, {"page": ["Unknown queue page 'reports'."]}),
        ({"query": "colour=red"}, {"query": ["Unknown filter: colour."]}),
        ({"query": "priority=extreme"}, {"query": ["These filters are not valid: priority."]}),
        (
            {"query": "tag=" + "a" * 500},
            {"query": ["A view keeps at most 500 characters of filters."]},
        ),
        ({"shared": True}, {"shared": ["Only the team's lead shares views with the whole team."]}),
    ],
    ids=[
        "blank-name",
        "long-name",
        "page",
        "unknown-filter",
        "bad-value",
        "long-query",
        "junior-shares",
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(junior, kwargs, errors):
    arguments = {"name": "Mine", "page": "team", "query": "", "shared": False} | kwargs

    with pytest.raises(ValidationError) as refused:
        services.saved_view_create(agent=junior, **arguments)

    assert refused.value.message_dict == errors
    assert SavedView.objects.count() == 0


@pytest.mark.django_db
def test_another_teams_queue_is_not_a_valid_filter(junior, other_lead):
    theirs = factories.QueueFactory(team=other_lead.team)

    with pytest.raises(ValidationError) as refused:
        services.saved_view_create(
            agent=junior, name="Spy", page="team", query=f"queue={theirs.pk}"
        )

    assert refused.value.message_dict == {"query": ["These filters are not valid: queue."]}


@pytest.mark.django_db
def test_names_are_unique_per_agent_and_page(junior):
    services.saved_view_create(agent=junior, name="Mine", page="team", query="")

    with pytest.raises(ValidationError) as refused:
        services.saved_view_create(agent=junior, name="Mine", page="team", query="priority=low")

    assert refused.value.message_dict == {"name": ["There is already a view called 'Mine'."]}
    assert services.saved_view_create(agent=junior, name="Mine", page="mine", query="").pk


@pytest.mark.django_db
def test_an_agent_keeps_a_bounded_number_of_views(junior):
    SavedView.objects.bulk_create(
        SavedView(owner=junior, page="team", name=f"v{n}") for n in range(SAVED_VIEWS_MAX_PER_OWNER)
    )

    with pytest.raises(ValidationError) as refused:
        services.saved_view_create(agent=junior, name="One more", page="team", query="")

    assert refused.value.message_dict == {"name": ["You can keep at most 30 views: delete one."]}


@pytest.mark.django_db
def test_a_leads_shared_view_reaches_the_team_only(lead, junior, other_lead):
    shared = services.saved_view_create(
        agent=lead, name="VIP", page="team", query="tier=enterprise", shared=True
    )
    own = services.saved_view_create(agent=junior, name="Mine", page="team", query="")
    services.saved_view_create(agent=lead, name="Lead's own", page="team", query="")

    assert shared.team_id == lead.team_id
    assert saved_views_for_page(agent=junior, page="team") == [shared, own]
    assert saved_views_for_page(agent=other_lead, page="team") == []


@pytest.mark.django_db
def test_only_the_owner_or_the_teams_lead_deletes_a_view(lead, junior, senior, other_lead):
    shared = services.saved_view_create(agent=lead, name="VIP", page="team", query="", shared=True)
    own = services.saved_view_create(agent=junior, name="Mine", page="team", query="")

    for agent, view in ((junior, shared), (senior, own), (other_lead, shared)):
        with pytest.raises(PermissionDenied):
            services.saved_view_delete(agent=agent, saved_view=view)
    assert SavedView.objects.count() == 2

    services.saved_view_delete(agent=junior, saved_view=own)
    services.saved_view_delete(agent=lead, saved_view=shared)
    assert SavedView.objects.count() == 0


# --- Pages ---


@pytest.mark.django_db
def test_saving_from_the_queue_page_redirects_to_the_view(client, junior, queue):
    client.force_login(junior)

    response = client.post(
        reverse("saved_view_create"),
        {"name": "Urgent", "page": "team", "query": "priority=urgent&page=2"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/queues/team/?priority=urgent"
    page = client.get(response["Location"]).content.decode()
    assert '<a href="/queues/team/?priority=urgent" aria-current="true">Urgent</a>' in page
    assert 'aria-label="Delete view Urgent"' in page


@pytest.mark.django_db
def test_a_refused_save_is_a_400_with_the_reason_beside_the_name(client, junior):
    client.force_login(junior)

    response = client.post(
        reverse("saved_view_create"), {"name": "", "page": "team", "query": "priority=low"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="field-error" id="saved-view-name-error">Give the view a name.</p>' in html
    assert 'aria-describedby="saved-view-name-error"' in html
    assert SavedView.objects.count() == 0


@pytest.mark.django_db
def test_only_leads_are_offered_sharing(client, lead, junior):
    client.force_login(junior)
    junior_page = client.get(reverse("queue_team")).content.decode()
    client.force_login(lead)
    lead_page = client.get(reverse("queue_team")).content.decode()

    assert "Share with my team" not in junior_page
    assert '<input type="checkbox" name="shared"> Share with my team' in lead_page


@pytest.mark.django_db
def test_deleting_someone_elses_view_is_refused(client, lead, junior, other_lead):
    shared = services.saved_view_create(agent=lead, name="VIP", page="team", query="", shared=True)
    theirs = services.saved_view_create(agent=other_lead, name="Theirs", page="team", query="")
    client.force_login(junior)

    forbidden = client.post(reverse("saved_view_delete", args=[shared.pk]))
    invisible = client.post(reverse("saved_view_delete", args=[theirs.pk]))

    assert (forbidden.status_code, invisible.status_code) == (403, 404)
    assert SavedView.objects.count() == 2
