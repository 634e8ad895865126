"""Sentiment scoring reads a bounded head and tail of a message, whatever its length."""

from __future__ import annotations

import pytest

from escalations.engine import sentiment
from escalations.engine.sentiment import (
    SCORED_GAP,
    SCORED_HEAD_CHARS,
    SCORED_TAIL_CHARS,
    sentiment_score_message,
    sentiment_scored_text,
)

FILLER = "The invoice is 12345 and the order is 67890, sent from the Leeds office. "
ONE_MB = 1_000_000


def filler_of(length: int) -> str:
    return (FILLER * (length // len(FILLER) + 1))[:length]


def test_a_short_message_is_scored_whole() -> None:
    # given a message exactly at the bound
    text = filler_of(SCORED_HEAD_CHARS + SCORED_TAIL_CHARS)
    # when the scored part is taken
    # then it is the whole message
    assert sentiment_scored_text(text) == text


def test_a_1_mb_message_scores_only_its_head_and_tail() -> None:
    # given a 1 MB body that starts with "HEAD-MARK" and ends with "TAIL-MARK"
    body = "HEAD-MARK " + filler_of(ONE_MB - 20) + " TAIL-MARK"
    assert len(body) == ONE_MB
    # when the scored part is taken
    scored = sentiment_scored_text(body)
    # then it is the first 2,000 and the last 1,000 characters, cut at word boundaries
    head, gap, tail = scored.partition(SCORED_GAP)
    assert gap == SCORED_GAP
    assert body.startswith(head)
    assert body.endswith(tail)
    assert SCORED_HEAD_CHARS - 40 <= len(head) <= SCORED_HEAD_CHARS
    assert SCORED_TAIL_CHARS - 40 <= len(tail) <= SCORED_TAIL_CHARS
    assert head.startswith("HEAD-MARK ")
    assert tail.endswith(" TAIL-MARK")
    assert not head.endswith(" ")
    assert not tail.startswith(" ")


@pytest.mark.parametrize(
    ("where", "label", "reasons"),
    [
        pytest.param("start", "negative", ("churn threat: 'cancel my account'",), id="in-head"),
        pytest.param("end", "negative", ("churn threat: 'cancel my account'",), id="in-tail"),
        pytest.param("middle", "neutral", (), id="in-the-unscored-middle"),
    ],
)
def test_a_1_mb_message_scores_a_threat_in_its_head_or_tail_only(
    where: str, label: str, reasons: tuple[str, ...]
) -> None:
    # given a 1 MB neutral body with a churn threat at the start, the end or the middle
    threat = " Please cancel my account today. "
    filler = filler_of(ONE_MB - len(threat))
    half = len(filler) // 2
    body = {
        "start": threat + filler,
        "end": filler + threat,
        "middle": filler[:half] + threat + filler[half:],
    }[where]
    assert len(body) == ONE_MB
    # when it is scored
    score = sentiment_score_message(body)
    # then the threat counts only where the scorer reads
    assert score.label == label
    assert score.reasons == reasons


def test_the_scorer_reads_nothing_but_the_bounded_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a 1 MB body and a record of what the normaliser receives
    body = filler_of(ONE_MB)
    seen: list[str] = []
    normalise = sentiment._normalise

    def recording(text: str) -> str:
        seen.append(text)
        return normalise(text)

    monkeypatch.setattr(sentiment, "_normalise", recording)
    # when it is scored
    sentiment_score_message(body)
    # then only the head and tail reach the scorer
    assert seen == [sentiment_scored_text(body)]
    assert len(seen[0]) <= SCORED_HEAD_CHARS + len(SCORED_GAP) + SCORED_TAIL_CHARS


@pytest.mark.parametrize(
    "encoded",
    [
        pytest.param("It doesn&rsquo;t work at all.", id="named-entity"),
        pytest.param("It doesn&#x27;t work at all.", id="hex-entity"),
        pytest.param("It doesn&#39;t work at all.", id="decimal-entity"),
    ],
)
def test_html_entities_are_decoded_before_scoring(encoded: str) -> None:
    # given a message with an HTML-encoded apostrophe
    # when it is scored
    score = sentiment_score_message(encoded)
    # then it scores exactly as the plain text does
    assert score == sentiment_score_message("It doesn't work at all.")
    assert score.reasons == ("malfunction: 'doesn't work'",)


def test_a_long_message_is_scored_in_chunks_with_the_negative_part_counted() -> None:
    # given a 2,900-character neutral message with one angry sentence in its middle
    angry = "This is the worst, most useless and terrible service I have ever had. "
    text = filler_of(1_400) + " " + angry + filler_of(1_400)
    # when it is scored
    score = sentiment_score_message(text)
    # then VADER's chunked score still sees the angry sentence
    assert score.label == "negative"
    assert score.reasons == (
        "complaint wording: 'worst'",
        "negative wording (-0.89): 'worst', 'useless', 'terrible'",
    )
