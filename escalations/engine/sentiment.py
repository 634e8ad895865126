"""Customer-message sentiment: VADER plus a support-specific layer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NEGATIVE_THRESHOLD = -0.05
POSITIVE_THRESHOLD = 0.05


@dataclass(frozen=True)
class SentimentScore:
    label: str
    compound: float
    reasons: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment_score_message(text: str) -> SentimentScore:
    compound = float(_analyzer().polarity_scores(text)["compound"])
    if compound <= NEGATIVE_THRESHOLD:
        return SentimentScore("negative", compound, ("negative wording",))
    if compound >= POSITIVE_THRESHOLD:
        return SentimentScore("positive", compound)
    return SentimentScore("neutral", compound)
