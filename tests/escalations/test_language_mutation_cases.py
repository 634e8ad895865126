"""Offline language detection (``escalations/engine/language.py``): the cases a mutation run of
the module showed unguarded, at the edges of the vote (``MIN_HITS`` and ``MIN_LEAD``)."""

from __future__ import annotations

import pytest

from escalations.engine.language import (
    DEFAULT_LANGUAGE,
    MAX_CHARS,
    MIN_HITS,
    MIN_LEAD,
    _words,
    language_detect,
)


def test_the_vote_thresholds():
    assert (DEFAULT_LANGUAGE, MIN_HITS, MIN_LEAD, MAX_CHARS) == ("en", 2, 2, 1_000)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # German-only stop words: "und", "ich", "nicht", "bitte"; French-only: "merci", "avec"
        pytest.param("und", "en", id="one-hit-is-not-enough"),
        pytest.param("und ich", "de", id="two-hits-and-no-rival"),
        pytest.param("und ich nicht merci avec", "en", id="a-lead-of-one-is-not-enough"),
        pytest.param("und ich nicht merci", "de", id="a-lead-of-two"),
        pytest.param("und ich merci avec", "en", id="a-tie"),
        pytest.param("UND ICH", "de", id="capitals"),
        pytest.param("la und ich", "de", id="a-shared-word-first-is-skipped"),
        pytest.param("und und", "de", id="a-word-counts-each-time"),
    ],
)
def test_the_vote(text, language):
    assert language_detect(text) == language


def test_words_inside_the_read_limit_count():
    # Filler up to just before the limit, then two German words that end at character 1,000
    tail = " und ich"
    text = "x " * ((MAX_CHARS - len(tail)) // 2) + tail

    assert len(text) <= MAX_CHARS
    assert language_detect(text) == "de"


def test_a_word_list_splits_on_any_whitespace():
    # The lists are built once at import, before any test runs: checked here directly
    assert _words(" der  die\ndas der ") == frozenset({"der", "die", "das"})
