"""Topics in words: what groups together, and the prompts' sentences (pure, no database)."""

from __future__ import annotations

import pytest

from reports.coaching.topics import (
    authority_key,
    group_prompt,
    judged_words,
    macro_matches,
    topic_for,
    write_macro_prompt,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Refund of 150 EUR.", "refund of # eur"),
        ("refund of 1,200.50 eur", "refund of # eur"),
        ("  Refund   of 90\nEUR!! ", "refund of # eur"),
        ("Credit note", "credit note"),
        ("", ""),
    ],
    ids=["plain", "thousands", "spacing", "other-words", "blank"],
)
def test_authority_needed_ignores_case_spacing_punctuation_and_numbers(text, key):
    assert authority_key(text) == key


def test_a_topic_leaves_the_escalate_tag_out_and_reads_in_words():
    topic = topic_for(
        queue_id=3,
        queue_name="Refunds",
        tags=["refund", "escalate", "vip"],
        authority_needed="Refund of 150 EUR",
    )

    assert topic.key == (3, ("refund", "vip"), "refund of # eur")
    assert topic.words == "Refunds tickets tagged refund, vip, needing “Refund of 150 EUR”"


def test_macros_match_the_queue_and_the_topics_tags_besides_those_the_macro_adds():
    topic = topic_for(queue_id=3, queue_name="Refunds", tags=["refund"], authority_needed="x")
    untagged = topic_for(queue_id=3, queue_name="Refunds", tags=[], authority_needed="x")

    assert macro_matches(topic=topic, queue_id=3, tags=["refund", "escalate"])
    assert macro_matches(
        topic=topic, queue_id=3, tags=["refund", "refund-approved"], macro_tags=["refund-approved"]
    )
    assert macro_matches(topic=topic, queue_id=3, tags=["refund"], macro_tags=["refund"])
    assert not macro_matches(topic=topic, queue_id=3, tags=["refund", "vip"])
    assert not macro_matches(topic=topic, queue_id=3, tags=[])
    assert not macro_matches(topic=topic, queue_id=4, tags=["refund"])
    assert not macro_matches(topic=untagged, queue_id=3, tags=["refund"])
    assert macro_matches(topic=untagged, queue_id=3, tags=["refund"], macro_tags=["refund"])


def test_the_prompts_read_as_sentences_with_counts_never_a_score():
    topic = topic_for(
        queue_id=3, queue_name="Refunds", tags=["refund"], authority_needed="Refund of 150 EUR"
    )

    with_macro = group_prompt(
        agent="Tom",
        topic=topic,
        escalations=6,
        judged=5,
        avoidable=4,
        macro="Refund under 200",
        macro_tickets=40,
        macro_solved=35,
    )
    without = group_prompt(
        agent="Tom",
        topic=topic,
        escalations=1,
        judged=0,
        avoidable=0,
        macro=None,
        macro_tickets=0,
        macro_solved=0,
    )

    assert with_macro == (
        "Tom escalated 6 tickets: Refunds tickets tagged refund, needing “Refund of 150 EUR”. "
        "The team's macro “Refund under 200” was used on 40 such tickets by others (35 now "
        "solved or closed): worth a look together. 4 of Tom's were judged avoidable by the "
        "receiver (could have been solved at first level)."
    )
    assert without == (
        "Tom escalated 1 ticket: Refunds tickets tagged refund, needing “Refund of 150 EUR”. "
        "The team has no macro in use for these tickets. The receiver has not judged it yet."
    )
    assert write_macro_prompt(topic=topic, escalations=5, avoidable=3, agents=["Lena", "Tom"]) == (
        "Write a macro for Refunds tickets tagged refund, needing “Refund of 150 EUR”: "
        "5 escalations in the month (by Lena, Tom), 3 judged avoidable by the receiver, and no "
        "team macro is in use for these tickets."
    )


@pytest.mark.parametrize(
    ("escalations", "judged", "avoidable", "words"),
    [
        (1, 0, 0, "The receiver has not judged it yet."),
        (3, 0, 0, "The receivers have not judged them yet."),
        (1, 1, 0, "The receiver did not judge it avoidable."),
        (3, 2, 0, "The receivers judged none of the 2 avoidable."),
        (1, 1, 1, "The receiver judged it avoidable (could have been solved at first level)."),
        (
            3,
            3,
            1,
            "1 of Tom's was judged avoidable by the receiver (could have been solved at first level).",
        ),
        (
            3,
            3,
            2,
            "2 of Tom's were judged avoidable by the receiver (could have been solved at first level).",
        ),
    ],
    ids=[
        "one-unjudged",
        "unjudged",
        "one-needed",
        "none-avoidable",
        "one-avoidable",
        "1-of-3",
        "2-of-3",
    ],
)
def test_the_judgement_reads_well_for_every_count(escalations, judged, avoidable, words):
    assert (
        judged_words(agent="Tom", escalations=escalations, judged=judged, avoidable=avoidable)
        == words
    )
