"""The learned-model experiment of bench/sentiment_learned.py: what it reads and what it trains on."""

from __future__ import annotations

from bench.sentiment_eval import AIRLINE, AMAZON, TWEETS
from bench.sentiment_learned import (
    TRAINABLE,
    model_train,
    probability,
    training_rows,
    words_of,
)


def test_words_after_a_negator_are_marked_within_the_clause() -> None:
    # given a negated phrase followed by a new clause
    words = words_of("I am not happy with the service, great staff though")
    # then the three words after "not" are negated, and the next clause is not
    assert words == {
        "i",
        "am",
        "not",
        "not_happy",
        "not_with",
        "not_the",
        "service",
        "great",
        "staff",
        "though",
    }


def test_the_airline_set_is_never_trained_on() -> None:
    # given the sets a shipped model may learn from (bench/data/README.md: licences)
    # then the CC BY-NC-SA airline set is not one of them
    assert AIRLINE not in TRAINABLE
    assert {d.key for d in TRAINABLE} == {"amazon", "tweets", "movie", "nyt"}


def test_training_rows_leave_the_held_out_set_out_and_weigh_sets_equally() -> None:
    # given two rows of Amazon, one of tweets, three of movies and four of news
    row = ({"bias": 1.0}, True)
    rows = {"amazon": [row] * 2, "tweets": [row], "movie": [row] * 3, "nyt": [row] * 4}
    # when the rows for a model held out from Amazon are built
    keys, training = training_rows(rows, AMAZON)
    # then Amazon is left out and each remaining set weighs as much in total (mean size 8/3)
    assert keys == ["tweets", "movie", "nyt"]
    assert len(training) == 8
    totals = {
        key: sum(w for _, _, w in training[start:end])
        for key, start, end in (("tweets", 0, 1), ("movie", 1, 4), ("nyt", 4, 8))
    }
    assert {key: round(total, 6) for key, total in totals.items()} == {
        "tweets": round(8 / 3, 6),
        "movie": round(8 / 3, 6),
        "nyt": round(8 / 3, 6),
    }
    # and a model held out from the social posts keeps the other three
    assert training_rows(rows, TWEETS)[0] == ["amazon", "movie", "nyt"]


def test_model_learns_a_separable_word() -> None:
    # given messages where the word "awful" alone marks the negatives
    negative = ({"bias": 1.0, "word:awful": 1.0}, True, 1.0)
    positive = ({"bias": 1.0, "word:lovely": 1.0}, False, 1.0)
    # when a model is trained on them
    weights = model_train([negative, positive] * 20)
    # then it scores the negative above one half and the positive below
    assert probability(weights, negative[0]) > 0.5
    assert probability(weights, positive[0]) < 0.5
