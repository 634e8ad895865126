"""The ticket page's macro picker: its list, the rendered text and the reply sent from a macro;
another team's macro is not there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories
from tickets.macros.models import MacroUse
from tickets.models import Message, TicketEvent


@pytest.fixture
def ticket(queue, junior, customer):
    return factories.TicketFactory(queue=queue, assignee=junior, customer=customer, status="open")


@pytest.fixture
def macros(team, junior, senior):
    other_team = factories.TeamFactory(name="Billing")
    return {
        "refund": factories.MacroFactory(
            team=team,
            name="Refund under 200",
            body="Refund of {{ refund_amount }} for {{ customer_name }}",
            set_status="pending",
            add_tags=["refund"],
        ),
        "outage": factories.MacroFactory(team=team, name="Outage", body="We know, sorry."),
        "disabled": factories.MacroFactory(team=team, name="Old", enabled=False),
        "theirs": factories.MacroFactory(team=other_team, name="Refund Billing"),
        "mine": factories.MacroFactory(team=None, owner=junior, name="My refund words"),
        "seniors": factories.MacroFactory(team=None, owner=senior, name="Senior refund"),
    }


def test_the_picker_lists_the_teams_and_own_macros_and_searches(client, ticket, junior, macros):
    client.force_login(junior)
    url = reverse("ticket_macros", args=[ticket.pk])

    everything = client.get(url).json()["macros"]
    refunds = client.get(url, {"q": "refund"}).json()["macros"]
    by_text = client.get(url, {"q": "sorry"}).json()["macros"]

    assert [(m["name"], m["scope"]) for m in everything] == [
        ("My refund words", "Personal"),
        ("Outage", "Team"),
        ("Refund under 200", "Team"),
    ]
    assert [m["name"] for m in refunds] == ["My refund words", "Refund under 200"]
    assert refunds[1]["actions"] == ["set status to Pending", "add tags refund"]
    assert [m["name"] for m in by_text] == ["Outage"]


def test_a_too_long_search_is_a_400_naming_q(client, ticket, junior, macros):
    client.force_login(junior)

    response = client.get(reverse("ticket_macros", args=[ticket.pk]), {"q": "x" * 101})

    assert response.status_code == 400
    assert list(response.json()) == ["q"]


def test_the_render_fills_in_the_ticket_with_gaps_named(client, ticket, junior, macros):
    client.force_login(junior)

    data = client.get(reverse("ticket_macro_render", args=[ticket.pk, macros["refund"].pk])).json()

    assert data["text"] == f"Refund of [refund amount] for {ticket.customer.name}"
    assert data["missing"] == ["refund amount"]


@pytest.mark.parametrize("which", ["theirs", "seniors", "disabled"])
def test_a_macro_not_ours_to_use_is_404_on_the_page_and_sends_nothing(
    client, ticket, junior, macros, which
):
    client.force_login(junior)
    macro = macros[which]

    rendered = client.get(reverse("ticket_macro_render", args=[ticket.pk, macro.pk]))
    sent = client.post(
        reverse("ticket_macro_reply", args=[ticket.pk]), {"macro": macro.pk, "body": "Hello"}
    )

    assert (rendered.status_code, sent.status_code) == (404, 404)
    assert Message.objects.count() == 0
    assert TicketEvent.objects.count() == 0
    assert MacroUse.objects.count() == 0


def test_another_teams_agent_gets_404_for_our_ticket_and_macro(client, ticket, macros):
    outsider = factories.AgentFactory(username="outsider", team=macros["theirs"].team)
    client.force_login(outsider)

    listed = client.get(reverse("ticket_macros", args=[ticket.pk]))
    sent = client.post(
        reverse("ticket_macro_reply", args=[ticket.pk]),
        {"macro": macros["refund"].pk, "body": "Hello"},
    )

    assert (listed.status_code, sent.status_code) == (404, 404)
    assert Message.objects.count() == 0


def test_a_reply_from_a_macro_applies_its_actions_and_the_history_says_so(
    client, ticket, junior, macros
):
    client.force_login(junior)

    response = client.post(
        reverse("ticket_macro_reply", args=[ticket.pk]),
        {"macro": macros["refund"].pk, "body": "Refund of 20 EUR for you (edited)"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "pending"
    assert Message.objects.get().body == "Refund of 20 EUR for you (edited)"
    page = client.get(reverse("ticket_detail", args=[ticket.pk])).content.decode()
    assert "Reply sent via macro “Refund under 200”." in page
    assert page.count('<span class="via">via macro Refund under 200</span>') == 3
    assert 'id="macro-picker"' in page


def test_a_blank_reply_from_a_macro_comes_back_with_the_error(client, ticket, junior, macros):
    client.force_login(junior)

    response = client.post(
        reverse("ticket_macro_reply", args=[ticket.pk]), {"macro": macros["refund"].pk, "body": ""}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="reply-errors"' in page
    assert Message.objects.count() == 0
    assert MacroUse.objects.count() == 0
    # And the macro stays chosen: sending the corrected reply still applies it
    assert f'<input type="hidden" name="macro" id="macro-id" value="{macros["refund"].pk}">' in page
    assert "From macro “Refund under 200”." in page
    reply_url = reverse("ticket_macro_reply", args=[ticket.pk])
    assert f'<form method="post" action="{reply_url}"' in page


@pytest.mark.parametrize("macros_count", [3, 6])
def test_the_picker_list_reads_the_same_queries_for_any_number_of_macros(
    client, ticket, junior, team, django_assert_num_queries, macros_count
):
    for _ in range(macros_count):
        factories.MacroFactory(team=team, add_tags=["refund"], set_status="pending")
    client.force_login(junior)

    # session, agent, the agent's team (its time zone), the ticket (and its tags, as the page
    # reads it), the macros
    with django_assert_num_queries(6):
        response = client.get(reverse("ticket_macros", args=[ticket.pk]))

    assert len(response.json()["macros"]) == macros_count
