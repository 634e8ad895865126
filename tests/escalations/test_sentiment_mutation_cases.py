"""Exact scores, reasons and boundaries of the English sentiment scorer (mutation cases).

Each case pins a value the scorer computes (a compound to four places, a reason's text, the label
on either side of a threshold), so that a changed weight, threshold or cut is seen.
"""

from __future__ import annotations

import pytest

from escalations.engine import sentiment
from escalations.engine.sentiment import (
    SCORED_GAP,
    SentimentEvidence,
    SentimentScore,
    SentimentThresholds,
    sentiment_evidence,
    sentiment_label,
    sentiment_score_english,
    sentiment_score_message,
    sentiment_scored_text,
)


def test_a_churn_threat_adds_its_penalty_to_vader_and_names_the_phrase() -> None:
    # given a polite request to cancel (VADER: +0.3182 for "Please")
    # when its evidence is taken
    evidence = sentiment_evidence("Please cancel my account.")
    # then the churn penalty of -0.9 is added and the phrase is the reason
    assert evidence == SentimentEvidence(
        compound=-0.5818,
        cued=True,
        asking=True,
        reasons=("churn threat: 'cancel my account'",),
    )


# --- Labels at the thresholds ------------------------------------------------------------------
def evidence_of(compound: float, *, cued: bool = False, asking: bool = False) -> SentimentEvidence:
    return SentimentEvidence(compound=compound, cued=cued, asking=asking, reasons=())


@pytest.mark.parametrize(
    ("compound", "cued", "asking", "label"),
    [
        pytest.param(-0.05, True, False, "negative", id="cued-at-threshold"),
        pytest.param(-0.0499, True, False, "neutral", id="cued-just-above"),
        pytest.param(-0.05, True, True, "negative", id="cued-question-uses-cued-threshold"),
        pytest.param(-0.2, False, False, "negative", id="uncued-at-threshold"),
        pytest.param(-0.1999, False, False, "neutral", id="uncued-just-above"),
        pytest.param(-0.5, False, True, "negative", id="asking-at-threshold"),
        pytest.param(-0.4999, False, True, "neutral", id="asking-just-above"),
        pytest.param(0.05, False, False, "positive", id="positive-at-threshold"),
        pytest.param(0.0499, False, False, "neutral", id="positive-just-below"),
        pytest.param(0.05, True, False, "positive", id="cued-but-positive"),
    ],
)
def test_the_label_at_each_threshold(compound, cued, asking, label) -> None:
    evidence = evidence_of(compound, cued=cued, asking=asking)
    assert sentiment_label(evidence, thresholds=SentimentThresholds()) == label


def test_the_thresholds_given_are_the_ones_used() -> None:
    thresholds = SentimentThresholds(cued=-0.3, uncued=-0.6, asking=-0.8)
    labels = [
        sentiment_label(evidence_of(-0.3, cued=True), thresholds=thresholds),
        sentiment_label(evidence_of(-0.29, cued=True), thresholds=thresholds),
        sentiment_label(evidence_of(-0.6), thresholds=thresholds),
        sentiment_label(evidence_of(-0.59), thresholds=thresholds),
        sentiment_label(evidence_of(-0.8, asking=True), thresholds=thresholds),
        sentiment_label(evidence_of(-0.79, asking=True), thresholds=thresholds),
    ]
    assert labels == ["negative", "neutral", "negative", "neutral", "negative", "neutral"]


@pytest.mark.parametrize(
    ("text", "score"),
    [
        pytest.param(
            "The anxious parcel arrived.",
            SentimentScore("negative", -0.25, ("negative wording (-0.25): 'anxious'",)),
            id="negative-keeps-its-reasons",
        ),
        pytest.param(
            "Is my order delayed?",
            SentimentScore("neutral", -0.2263, ()),
            id="neutral-question-drops-its-reasons",
        ),
        pytest.param("Thanks, great help!", SentimentScore("positive", 0.8748, ()), id="positive"),
    ],
)
def test_the_english_score_gives_reasons_only_for_a_negative_label(text, score) -> None:
    assert sentiment_score_english(text) == score


def test_a_message_in_a_language_without_a_scorer_says_so(settings) -> None:
    settings.KIMONDESK = {**settings.KIMONDESK, "SENTIMENT_SCORERS": {}}
    assert sentiment_score_message("Please cancel my account.") == SentimentScore(
        "unscored", None, ("not scored (en)",), "en"
    )


# --- The bounded text ----------------------------------------------------------------------------
def text_with_spaces(length: int, spaces: tuple[int, ...]) -> str:
    chars = ["w"] * length
    for at in spaces:
        chars[at] = " "
    return "".join(chars)


@pytest.mark.parametrize(
    ("length", "whole"),
    [
        pytest.param(3003, True, id="head-gap-and-tail-long-is-whole"),
        pytest.param(3004, False, id="one-more-is-cut"),
        pytest.param(1004, True, id="far-below"),
    ],
)
def test_a_message_up_to_head_gap_and_tail_is_scored_whole(length, whole) -> None:
    text = "w" * length
    expected = text if whole else "w" * 2000 + SCORED_GAP + "w" * 1000
    assert sentiment_scored_text(text) == expected


@pytest.mark.parametrize(
    ("spaces", "head_length"),
    [
        pytest.param((1960,), 1960, id="space-at-the-slack-edge"),
        pytest.param((1959,), 2000, id="space-before-the-slack-is-not-used"),
        pytest.param((1970, 1990), 1990, id="last-space-in-the-slack"),
        pytest.param((), 2000, id="no-space"),
    ],
)
def test_the_head_is_cut_at_its_last_space_within_the_slack(spaces, head_length) -> None:
    text = text_with_spaces(5000, spaces)
    head, _, _ = sentiment_scored_text(text).partition(SCORED_GAP)
    assert head == text[:head_length]


@pytest.mark.parametrize(
    ("spaces", "tail_start"),
    [
        pytest.param((4000,), 4001, id="space-first-in-the-tail"),
        pytest.param((4039,), 4040, id="space-at-the-slack-edge"),
        pytest.param((4040,), 4000, id="space-past-the-slack-is-not-used"),
        pytest.param((4005, 4020), 4006, id="first-space-in-the-slack"),
        pytest.param((4100,), 4000, id="space-far-in"),
        pytest.param((), 4000, id="no-space"),
    ],
)
def test_the_tail_starts_after_its_first_space_within_the_slack(spaces, tail_start) -> None:
    text = text_with_spaces(5000, spaces)
    _, _, tail = sentiment_scored_text(text).partition(SCORED_GAP)
    assert tail == text[tail_start:]


# --- VADER in chunks -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sentences", "chunks"),
    [
        pytest.param(
            ["a" * 249 + ".", "b" * 248 + "."],
            ["a" * 249 + ". " + "b" * 248 + "."],
            id="two-sentences-filling-500-are-one-chunk",
        ),
        pytest.param(
            ["a" * 249 + ".", "b" * 249 + "."],
            ["a" * 249 + ".", "b" * 249 + "."],
            id="one-character-more-is-two",
        ),
        pytest.param(
            ["a" * 99 + ".", "b" * 49 + ".", "c" * 600 + "."],
            ["c" * 500, "a" * 99 + ". " + "b" * 49 + ". " + "c" * 100 + "."],
            id="a-long-sentences-head-is-a-chunk-its-rest-joins-the-sentences-before",
        ),
    ],
)
def test_sentences_are_packed_into_chunks_of_at_most_500(sentences, chunks) -> None:
    assert sentiment._chunks(" ".join(sentences)) == chunks


def test_a_first_sentence_of_exactly_500_is_one_chunk() -> None:
    sentence = ("word " * 100)[:499] + "."
    assert sentiment._chunks(sentence) == [sentence]


def test_a_long_sentence_is_cut_at_its_last_space_before_500() -> None:
    sentence = ("abcd " * 240).strip()
    assert sentiment._chunks(sentence) == [sentence[:499], sentence[500:999], sentence[1000:]]


@pytest.mark.parametrize(
    ("sentence", "chunks"),
    [
        pytest.param("x" * 1200, ["x" * 500, "x" * 500, "x" * 200], id="no-space"),
        pytest.param(" " + "y" * 600, [" " + "y" * 499, "y" * 101], id="only-a-leading-space"),
        pytest.param("a " + "z" * 600, ["a", "z" * 500, "z" * 100], id="space-after-one-letter"),
    ],
)
def test_a_sentence_without_a_usable_space_is_cut_at_500(sentence, chunks) -> None:
    assert sentiment._chunks(sentence) == chunks


@pytest.mark.parametrize(
    ("text", "compound"),
    [
        pytest.param(("xD " * 167)[:500], 1.0, id="500-chars-is-vader-itself"),
        pytest.param(("xD " * 168)[:501], 0.9999, id="501-chars-is-chunked-and-capped"),
        pytest.param(
            "The parcel was late and the courier was rude. " * 12
            + "Otherwise the product is good and I like it. " * 10,
            0.9328,
            id="three-chunks-summed",
        ),
    ],
)
def test_vader_scores_a_long_message_as_the_sum_of_its_chunks(text, compound) -> None:
    assert sentiment._vader_compound(text) == compound


def test_a_long_message_has_the_exact_chunked_compound() -> None:
    text = (
        "The parcel was late and the courier was rude. " * 12
        + "Otherwise the product is good and I like it. " * 10
    )
    assert sentiment_evidence(text) == SentimentEvidence(
        compound=0.4828, cued=True, asking=False, reasons=("complaint wording: 'rude'",)
    )


# --- Support cues, negation and the excerpt ------------------------------------------------------
def evidence(compound: float, *reasons: str, cued: bool = True, asking: bool = False):
    """The evidence expected: cued (a penalty added) unless told otherwise."""
    return SentimentEvidence(compound=compound, cued=cued, asking=asking, reasons=reasons)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The screen froze, then the app crashed.",
            evidence(-0.65, "malfunction: 'froze'"),
            id="a-cue-counts-once-with-its-first-phrase",
        ),
        pytest.param(
            "It is not broken, but it is stuck.",
            evidence(
                -0.8335, "malfunction: 'stuck'", "negative wording (-0.18): 'broken', 'stuck'"
            ),
            id="a-negated-match-is-skipped-for-a-later-one",
        ),
        pytest.param(
            "I am switching to Zendesk and I want a refund.",
            evidence(
                -1.0,
                "churn threat: 'want a refund'",
                "competitor switch: 'switching to zendesk'",
            ),
            id="reasons-in-the-lexicons-order",
        ),
        pytest.param("Cons  : too slow.", evidence(-0.45, "complaint wording: 'cons'"), id="cons"),
        pytest.param("It is not really broken.", evidence(0.4158, cued=False), id="negated"),
        pytest.param(
            "It is not at all really broken.",
            evidence(-1.0, "malfunction: 'broken'", "negative wording (-0.53): 'broken'"),
            id="negator-four-words-back-does-not-count",
        ),
        pytest.param("Not broken.", evidence(0.3724, cued=False), id="negator-first-word"),
        pytest.param(
            "not incomprehensiblenes extraordinarily broken",
            evidence(0.3724, cued=False),
            id="negator-40-characters-back-counts",
        ),
        pytest.param(
            "not incomprehensibleness extraordinarily broken",
            evidence(-0.2776, "malfunction: 'broken'"),
            id="negator-41-characters-back-does-not-count",
        ),
    ],
)
def test_cues_count_their_first_unnegated_phrase(text, expected) -> None:
    assert sentiment_evidence(text) == expected


@pytest.mark.parametrize(
    ("word", "phrase"),
    [
        pytest.param("a" * 29, "won't be inclined to buy " + "a" * 29 + " again", id="60-kept"),
        pytest.param("a" * 30, "won't be inclined to buy " + "a" * 30 + " aga…", id="61-cut"),
        pytest.param("a" * 33, "won't be inclined to buy " + "a" * 33 + "…", id="cut-at-a-space"),
    ],
)
def test_a_phrase_over_60_characters_is_cut_with_an_ellipsis(word, phrase) -> None:
    text = f"I won't be inclined to buy {word} again."
    assert sentiment_evidence(text).reasons == (f"churn threat: '{phrase}'",)


def test_a_reason_phrase_has_its_spaces_collapsed() -> None:
    # given a phrase matched over a line break (the only cue with a free space is "cons :")
    assert sentiment._excerpt("  cons \n\t :  ") == "cons"
    assert sentiment._excerpt("never\n\n again") == "never again"


# --- Shouting and exclamations -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "WHERE IS MY BAG",
            evidence(-0.5, "all-caps anger: 100% capitals", asking=True),
            id="12-letters",
        ),
        pytest.param("WHERE IS MY ID", evidence(0.0, cued=False, asking=True), id="11-letters"),
        pytest.param(
            "I WANT MY BAG NOW",
            evidence(-0.4228, "all-caps anger: 100% capitals"),
            id="one-letter-words-are-skipped",
        ),
        pytest.param(
            "WHERE IS MY ORDER parcel",
            evidence(-0.5, "all-caps anger: 70% capitals", asking=True),
            id="70-percent",
        ),
        pytest.param(
            "WHERE IS MY ORDER parcels",
            evidence(0.0, cued=False, asking=True),
            id="under-70-percent",
        ),
        pytest.param(
            "CANCEL MY ACCOUNT TODAY",
            evidence(-1.0, "churn threat: 'cancel my account'", "all-caps anger: 100% capitals"),
            id="shouting-adds-to-a-cue",
        ),
        pytest.param("The parcel arrived!!", evidence(0.0, cued=False), id="emphasis-alone"),
        pytest.param(
            "Cancel my account?!",
            evidence(-1.0, "churn threat: 'cancel my account'", "exclamation run: '?!'"),
            id="exclamations-add-to-a-cue",
        ),
        pytest.param(
            "Cancel my account. It is ability and not acceptations!!",
            evidence(-0.6, "churn threat: 'cancel my account'"),
            id="not-when-vader-is-0.3",
        ),
    ],
)
def test_shouting_and_exclamation_runs(text, expected) -> None:
    assert sentiment_evidence(text) == expected


# --- Negative wording ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The anxious parcel arrived.",
            evidence(-0.25, "negative wording (-0.25): 'anxious'", cued=False),
            id="a-word-of-valence-minus-1",
        ),
        pytest.param(
            "awful, awful, awful service",
            evidence(-0.8402, "negative wording (-0.84): 'awful'", cued=False),
            id="each-word-once",
        ),
        pytest.param(
            "The parcel is awful, horrible, terrible and useless.",
            evidence(
                -1.0,
                "complaint wording: 'useless'",
                "negative wording (-0.91): 'awful', 'horrible', 'terrible'",
            ),
            id="three-words-shown",
        ),
        pytest.param(
            "The parcel is admire and not awesome.",
            evidence(-0.05, "negative wording (-0.05)", cued=False),
            id="at-minus-0.05",
        ),
    ],
)
def test_negative_wording_names_up_to_three_words(text, expected) -> None:
    assert sentiment_evidence(text) == expected


def test_at_most_six_reasons_are_given() -> None:
    text = (
        "I want to cancel my account, I am switching to Zendesk, it doesn't work, I have been "
        "waiting 3 weeks, this is my third email, the order was delayed again, how hard is it to "
        "reply, thanks for nothing, this is unacceptable"
    )
    assert sentiment_evidence(text).reasons == (
        "churn threat: 'cancel my account'",
        "competitor switch: 'switching to zendesk'",
        "malfunction: 'doesn't work'",
        "factual complaint: 'been waiting 3 weeks'",
        "repeated contact: 'third email'",
        "service failure: 'was delayed'",
    )


# --- What is read ------------------------------------------------------------------------------
def test_a_mention_is_not_read() -> None:
    # "@awful" would otherwise be read as the word "awful"
    assert sentiment_evidence("@awful the parcel arrived.") == evidence(0.0, cued=False)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("WHERE IS MY ORDER https://shop.example/orders", id="link"),
        pytest.param("WHERE IS MY ORDER www.shop.example/orders", id="bare-www-link"),
        pytest.param("WHERE IS MY ORDER @shopdesk", id="mention"),
    ],
)
def test_a_link_or_mention_does_not_dilute_shouting(text) -> None:
    # the lower-case letters of the link or mention would bring the capitals under 70 %
    assert sentiment_evidence(text) == evidence(-0.5, "all-caps anger: 100% capitals", asking=True)


def test_curly_apostrophes_score_as_straight_ones() -> None:
    assert sentiment_evidence("I don\u2019t like it") == evidence(
        -0.7255, "complaint wording: 'don't like'", "negative wording (-0.28)"
    )


def test_support_idioms_are_rewritten_before_scoring() -> None:
    assert sentiment_evidence("No problems with the parcel.") == evidence(0.2023, cued=False)


@pytest.mark.parametrize(
    ("text", "asking"),
    [
        pytest.param("Is " + "x" * 196 + "?", True, id="200-characters"),
        pytest.param("Is " + "x" * 197 + "?", False, id="201-characters"),
        pytest.param("  Is it delivered?  ", True, id="padded"),
        pytest.param("@dave is it delivered?", True, id="after-a-mention"),
        pytest.param("Is it delivered?!", True, id="one-sentence"),
        pytest.param("Is it delivered? It is late.", False, id="two-sentences"),
        pytest.param("It is delivered?", False, id="not-opening-as-a-question"),
    ],
)
def test_a_single_short_question_is_asking(text, asking) -> None:
    assert sentiment_evidence(text).asking is asking
