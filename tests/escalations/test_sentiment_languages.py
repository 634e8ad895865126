"""A message in a language with no scorer is "not scored (<code>)"; scorers plug in by settings."""

from __future__ import annotations

from escalations.engine.sentiment import (
    SentimentScore,
    sentiment_score_message,
    sentiment_scorer_for,
)
from kimondesk.conf import KimonDeskSettings

GERMAN = "Das ist eine Frechheit, ich warte seit drei Wochen auf meine Bestellung!"


def german_scorer(text: str) -> SentimentScore:
    """A team's own scorer, plugged in through settings in these tests."""
    label = "negative" if "frechheit" in text.lower() else "neutral"
    return SentimentScore(label, -0.8 if label == "negative" else 0.0, ("german cue",))


def test_a_german_message_is_not_scored_by_default() -> None:
    score = sentiment_score_message(GERMAN)
    assert score == SentimentScore("unscored", None, ("not scored (de)",), "de")


def test_an_english_message_is_scored_and_tagged_english() -> None:
    score = sentiment_score_message("Please cancel my account.")
    assert score.label == "negative"
    assert score.language == "en"


def test_a_scorer_plugged_in_for_german_scores_german(settings) -> None:
    # given a German scorer configured next to the built-in English one
    settings.KIMONDESK = {
        **settings.KIMONDESK,
        "SENTIMENT_SCORERS": {
            **KimonDeskSettings().sentiment_scorers,
            "de": "tests.escalations.test_sentiment_languages.german_scorer",
        },
    }
    # when a German message is scored
    score = sentiment_score_message(GERMAN)
    # then the German scorer decided, and the language is recorded
    assert score == SentimentScore("negative", -0.8, ("german cue",), "de")
    assert sentiment_scorer_for("de") is german_scorer


def test_without_an_english_scorer_english_is_not_scored(settings) -> None:
    settings.KIMONDESK = {**settings.KIMONDESK, "SENTIMENT_SCORERS": {}}
    score = sentiment_score_message("Please cancel my account.")
    assert score == SentimentScore("unscored", None, ("not scored (en)",), "en")
    assert sentiment_scorer_for("en") is None
