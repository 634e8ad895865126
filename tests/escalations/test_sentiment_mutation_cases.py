"""Exact scores, reasons and boundaries of the English sentiment scorer (mutation cases).

Each case pins a value the scorer computes (a compound to four places, a reason's text, the label
on either side of a threshold), so that a changed weight, threshold or cut is seen.
"""

from __future__ import annotations

from escalations.engine.sentiment import SentimentEvidence, sentiment_evidence


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
