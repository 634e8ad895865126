"""The coaching pages show the topics and macro prompts; the macro usage page who used which
macro and which were never used; each only to whom may see the team's reports."""

from __future__ import annotations

from django.urls import reverse

from tests import factories

MONTH = {"month": "2026-11"}


def test_the_overview_prompts_the_lead_to_write_a_macro_with_tickets_one_click_away(client, world):
    client.force_login(world["lead"])

    page = client.get(reverse("reports:overview"), MONTH).content.decode()

    assert "Write a macro for Invoices tickets, needing “Credit note”" in page
    assert f'href="{reverse("admin:tickets_macro_add")}">Write the macro</a>' in page
    for ticket in world["lena_invoices"]:
        assert f'href="/tickets/{ticket.pk}/">#{ticket.pk}</a>' in page
    assert "The team&#x27;s macro “Refund under 200” was used on 4 such tickets by others" in page
    assert f'href="/admin/tickets/macro/{world["macro"].pk}/change/"' in page


def test_the_agents_own_page_shows_their_topics_and_the_macro_text(client, world):
    client.force_login(world["tom"])

    page = client.get(reverse("reports:agent", args=[world["tom"].pk]), MONTH).content.decode()

    assert "Tom Becker escalated 3 tickets: Refunds tickets tagged refund" in page
    assert (
        '<pre class="macro-body">Hello {{ customer_name }}, about {{ ticket_number }}: </pre>'
        in page
    )
    assert "Write a macro for" not in page
    assert "/admin/tickets/macro/" not in page  # an agent has no console


def test_the_macro_usage_page_shows_use_by_whom_and_never_used(client, world):
    client.force_login(world["lead"])

    response = client.get(reverse("reports:macros"), MONTH)

    assert response.status_code == 200
    usage = response.context["usage"]
    [row] = usage.used
    assert (row.macro, row.uses) == (world["macro"], 6)
    assert [(agent.username, n) for agent, n in row.by_agent] == [("aisha", 5), ("tom", 1)]
    assert usage.never_used == [world["unused"]]
    assert usage.unused_in_window == []
    assert f'data-never-used="{world["unused"].pk}"' in response.content.decode()


def test_agents_and_other_teams_do_not_see_the_macro_usage_page(client, world):
    client.force_login(world["tom"])
    refused = client.get(reverse("reports:macros"), MONTH)
    other_lead = factories.LeadFactory(username="other-lead", team=world["other_team"])
    client.force_login(other_lead)
    hidden = client.get(reverse("reports:macros"), {**MONTH, "team": world["team"].pk})
    own = client.get(reverse("reports:macros"), MONTH)

    assert (refused.status_code, hidden.status_code, own.status_code) == (403, 404, 200)
    assert [row.macro.name for row in own.context["usage"].used] == ["Theirs"]
