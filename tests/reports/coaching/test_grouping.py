"""Coaching topics against a fixture with known escalations, receiver feedback and macro uses."""

from __future__ import annotations

from reports.coaching.selectors import team_escalation_topics

from .conftest import WINDOW


def test_groups_per_agent_by_topic_with_feedback_and_macros_in_use(
    world, django_assert_num_queries
):
    with django_assert_num_queries(5):
        topics = team_escalation_topics(team=world["team"], window=WINDOW)

    assert [row.agent.username for row in topics.agents] == ["lena", "tom"]
    tom = topics.for_agent(world["tom"].pk)
    assert tom is not None
    summary = [
        (
            g.topic.tickets_words,
            g.topic.authority,
            g.escalations,
            g.judged,
            g.avoidable,
            [(m.macro.name, m.tickets, m.solved) for m in g.macros],
        )
        for g in tom.groups
    ]
    assert summary == [
        ("Refunds tickets tagged refund", "refund of # eur", 3, 3, 2, [("Refund under 200", 4, 3)]),
        ("Invoices tickets", "credit note", 1, 1, 0, []),
    ]
    refunds = tom.groups[0]
    assert refunds.ticket_links == [t.pk for t in reversed(world["tom_refunds"])]
    assert refunds.avoidable_ticket_ids == [world["tom_refunds"][1].pk, world["tom_refunds"][0].pk]
    assert refunds.prompt == (
        "Tom Becker escalated 3 tickets: Refunds tickets tagged refund, needing “Refund of "
        "1,200.00 EUR”. The team's macro “Refund under 200” was used on 4 such tickets by "
        "others (3 now solved or closed): worth a look together. 2 of Tom Becker's were judged "
        "avoidable by the receiver (could have been solved at first level)."
    )
    lena = topics.for_agent(world["lena"].pk)
    assert lena is not None
    assert [(g.topic.authority, g.escalations, g.judged, g.avoidable) for g in lena.groups] == [
        ("credit note", 3, 2, 2)
    ]


def test_many_avoidable_without_a_macro_become_a_write_a_macro_prompt(world):
    topics = team_escalation_topics(team=world["team"], window=WINDOW)

    [prompt] = topics.write_macro
    assert [a.username for a in prompt.agents] == ["lena", "tom"]
    assert (prompt.escalations, prompt.avoidable) == (4, 2)
    assert prompt.ticket_links == [t.pk for t in reversed(world["lena_invoices"])]
    assert prompt.text == (
        "Write a macro for Invoices tickets, needing “Credit note”: 4 escalations in the month "
        "(by Lena Vogt, Tom Becker), 2 judged avoidable by the receiver, and no team macro is "
        "in use for these tickets."
    )


def test_one_agents_page_reads_only_their_groups(world):
    topics = team_escalation_topics(team=world["team"], window=WINDOW, agents=[world["tom"]])

    assert [row.agent.username for row in topics.agents] == ["tom"]
    assert [g.escalations for g in topics.agents[0].groups] == [3, 1]
    assert topics.write_macro == []
