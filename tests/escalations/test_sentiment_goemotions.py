"""The GoEmotions experiment of bench/sentiment_goemotions.py: its labels, hold-back and cut-offs."""

from __future__ import annotations

from pathlib import Path

from bench.sentiment_goemotions import (
    CUTOFFS,
    EMOTIONS,
    GOEMOTIONS_FILE,
    RULES,
    Scored,
    cutoff_choose,
    goemotions_label,
    goemotions_load,
    held_back,
    model_fit,
)


def emotion_ids(*names: str) -> str:
    return ",".join(str(EMOTIONS.index(name)) for name in names)


def test_a_comment_is_negative_only_with_a_negative_emotion_and_no_positive_one() -> None:
    # given comments rated with negative, positive, mixed, ambiguous and neutral emotions
    # then only the negative ones without a positive emotion are negative
    assert goemotions_label(emotion_ids("anger")) == "negative"
    assert goemotions_label(emotion_ids("annoyance", "disappointment")) == "negative"
    assert goemotions_label(emotion_ids("sadness", "confusion")) == "negative"
    assert goemotions_label(emotion_ids("anger", "amusement")) == "other"
    assert goemotions_label(emotion_ids("gratitude")) == "other"
    assert goemotions_label(emotion_ids("surprise")) == "other"
    assert goemotions_label(emotion_ids("neutral")) == "other"


def test_the_file_is_read_as_distributed(tmp_path: Path) -> None:
    # given two rows in the release's layout: text, emotion ids, comment id, no header
    path = tmp_path / "train.tsv"
    path.write_text("This is awful\t2\teaaaaaa\nThanks, great help!\t15,0\tebbbbbb\n", "utf-8")
    # when they are loaded
    messages = goemotions_load(path)
    # then each keeps its text and id and gets its label
    assert [(m.id, m.label, m.text) for m in messages] == [
        ("eaaaaaa", "negative", "This is awful"),
        ("ebbbbbb", "other", "Thanks, great help!"),
    ]


def test_the_stored_file_is_the_full_training_file() -> None:
    # given the stored GoEmotions training file
    messages = goemotions_load(GOEMOTIONS_FILE)
    # then it has the release's 43,410 rows, 9,017 of them negative by the rule
    assert len(messages) == 43_410
    assert sum(m.label == "negative" for m in messages) == 9_017


def test_a_seeded_tenth_is_held_back() -> None:
    # given a set of 1,000 rows
    held = held_back(1_000)
    # then a hundred are held back, the same ones each time
    assert len(held) == 100
    assert held == held_back(1_000)
    assert held != held_back(1_000, seed=1)


def test_the_cut_off_is_the_best_f1_at_precision_085_else_the_most_precise() -> None:
    model_rule = dict(RULES)["model"]
    # given held-back rows: two negatives at 0.6 and above, six more and a non-negative at 0.4,
    # another non-negative at 0.2
    scored = [Scored(0.9, False, True), Scored(0.6, False, True), Scored(0.4, False, False)]
    scored += [Scored(0.4, False, True)] * 6 + [Scored(0.2, False, False)]
    # then the chosen cut-off is the highest with the best F1 at precision >= 0.85: from 0.25 to
    # 0.4 precision is 8/9 and recall 1; at 0.2 precision falls to 0.8, above 0.4 recall to 1/4
    cutoff, quality = cutoff_choose(model_rule, scored)
    assert cutoff == 0.4
    assert (round(quality.precision, 3), quality.recall) == (0.889, 1.0)
    # given rows where no cut-off reaches precision 0.85
    noisy = [Scored(0.9, False, True), Scored(0.9, False, False), Scored(0.2, False, False)]
    # then the most precise cut-off is taken
    cutoff, quality = cutoff_choose(model_rule, noisy)
    assert quality.precision == 0.5
    assert cutoff in CUTOFFS


def test_model_fit_trains_on_the_named_sets_only_and_chooses_every_cut_off() -> None:
    # given two sets where one word marks the negatives, and a third that must not be read
    negative = ({"bias": 1.0, "word:awful": 1.0}, True)
    positive = ({"bias": 1.0, "word:lovely": 1.0}, False)
    sets = {"a": [negative, positive] * 20, "b": [negative, positive] * 10, "c": []}
    cues = {"a": [False] * 40, "b": [False] * 20, "c": []}
    # when a model is fitted on "a" and "b"
    trained = model_fit("a + b", sets, cues, ["a", "b"])
    # then it learned the word and has a cut-off for every rule
    assert trained.weights["word:awful"] > 0 > trained.weights["word:lovely"]
    assert set(trained.cutoffs) == {name for name, _rule in RULES}
    assert trained.cutoffs["model, p >= 0.5 (fixed, for reference)"][0] == 0.5
