"""More and more varied training text: does a learned model trained on GoEmotions generalise?

The same logistic regression as ``bench/sentiment_learned.py`` (the scorer's evidence, so the cue
layer is one of its inputs, and the message's words with negation marked), now trained on the
43,410 human-rated Reddit comments of GoEmotions' training file (``goemotions_train.tsv``, Apache
2.0, see ``bench/data/README.md``). A comment is negative when its emotions include one of the
negative group of GoEmotions' own ``sentiment_dict.json`` (anger, annoyance, disappointment,
disapproval, disgust, embarrassment, fear, grief, nervousness, remorse, sadness) and none of the
positive group; every other comment (positive, ambiguous, neutral, mixed) is not negative.

Two training sets: GoEmotions alone (one model, the same for every held-out set), and GoEmotions
plus the MIT-licensed sets except the held-out one (each set weighing as much as the others in
total). The airline set (CC BY-NC-SA) is never trained on. A seeded tenth of each training set is
held back from training; every cut-off is chosen on that tenth only (highest F1 at precision >= 0.85,
the sets weighing equally; the highest precision where no cut-off reaches 0.85), never on a
held-out set: the model alone, the cue layer or the model ("either"), the cue layer and the model
("both"). Each held-out set is reported on its test split (the split of the cue layer's figures),
beside the shipped cue layer, with the neutral support questions each rule scores negative. It is
an experiment that informs the choice of scorer, not part of the product.

    .venv/bin/python bench/sentiment_goemotions.py           # print the table
    .venv/bin/python bench/sentiment_goemotions.py --write   # also update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.docs import benchmarks_section_write  # noqa: E402
from bench.sentiment_eval import (  # noqa: E402
    DATASETS,
    LabeledMessage,
    Quality,
    dataset_split,
    kimondesk_predict,
    neutral_load,
    quality_of,
    weighted_quality_of,
)
from bench.sentiment_learned import (  # noqa: E402
    TRAINABLE,
    Features,
    features_of,
    model_train,
    probability,
    quality_cells,
)

GOEMOTIONS_FILE = ROOT / "bench" / "data" / "goemotions_train.tsv"
GOEMOTIONS = "goemotions"
# GoEmotions' emotions.txt (the ids of the file's second column index this list) and the two
# groups of its sentiment_dict.json that decide the label; the ambiguous group and neutral are
# not negative.
EMOTIONS = [
    "admiration",
    "amusement",
    "anger",
    "annoyance",
    "approval",
    "caring",
    "confusion",
    "curiosity",
    "desire",
    "disappointment",
    "disapproval",
    "disgust",
    "embarrassment",
    "excitement",
    "fear",
    "gratitude",
    "grief",
    "joy",
    "love",
    "nervousness",
    "optimism",
    "pride",
    "realization",
    "relief",
    "remorse",
    "sadness",
    "surprise",
    "neutral",
]
NEGATIVE_EMOTIONS = frozenset(
    [
        "fear",
        "nervousness",
        "remorse",
        "embarrassment",
        "disappointment",
        "sadness",
        "grief",
        "disgust",
        "anger",
        "annoyance",
        "disapproval",
    ]
)
POSITIVE_EMOTIONS = frozenset(
    [
        "amusement",
        "excitement",
        "joy",
        "love",
        "desire",
        "optimism",
        "caring",
        "pride",
        "admiration",
        "gratitude",
        "relief",
        "approval",
    ]
)
HOLD_BACK_SEED = 20261207
HOLD_BACK_SHARE = 0.1
TARGET_PRECISION = 0.85
CUTOFFS = tuple(round(0.05 * step, 2) for step in range(2, 20))  # 0.10 .. 0.95
SHIPPED = "shipped cue layer"
MODEL_AT_HALF = "model, p >= 0.5 (fixed, for reference)"
# name -> how a message is called negative from (model probability, cut-off, cue layer's verdict)
RULES: tuple[tuple[str, Callable[[float, float, bool], bool]], ...] = (
    ("model", lambda p, t, cue: p >= t),
    (MODEL_AT_HALF, lambda p, t, cue: p >= 0.5),
    ("cue layer or model", lambda p, t, cue: cue or p >= t),
    ("cue layer and model", lambda p, t, cue: cue and p >= t),
)
SECTION_TITLE = "Sentiment: a learned model trained on GoEmotions, left one data set out"

SUMMARY = (
    "Command: `.venv/bin/python bench/sentiment_goemotions.py --write`\n\n"
    "The model of the section above, trained on far more and more varied human-labelled text: "
    "the 43,410 Reddit comments of GoEmotions' training file (Apache 2.0; "
    "`bench/data/goemotions_train.tsv`), negative when a rated emotion is in GoEmotions' "
    "negative group and none in its positive group (9,017 of 43,410). Two training sets: "
    "GoEmotions alone (one model for every row), and GoEmotions plus the MIT sets except the "
    "held-out one, each set weighing as much as the others; the airline set is never trained on. "
    "Every cut-off was chosen on a held-back tenth of the training sets only (highest F1 at "
    "precision >= 0.85 there, else the most precise; its figures there are in the table), never "
    "on a held-out set; the model at a fixed 0.5 is shown for reference. Each row is the "
    "held-out set's test split.\n\n"
    "Result: no rule strictly improves on the cue layer, so nothing is shipped, and the issue's "
    "target (precision >= 0.85 with F1 >= 0.75 on text the scorer was not tuned on) is still not "
    "met: no rule reaches both on any held-out set. On the training data no cut-off of the "
    "model alone reaches precision 0.85 with useful recall (GoEmotions' held-back tenth: 0.870 / "
    "F1 0.140 at 0.95), so the chosen model-alone rules are near silent on the held-out sets "
    "(airline recall 0.026 and 0.180). At 0.5 the GoEmotions model is precise on the airline "
    "set (0.932) but finds under a third of the negatives (F1 0.441). Combined with the cue "
    "layer, 'either' is the only useful rule and it trades precision for recall: with "
    "GoEmotions alone (p >= 0.65) F1 rises on every set (airline 0.721 against 0.712, Amazon "
    "0.664 / 0.656, social posts 0.838 / 0.832, movie 0.516 / 0.504, news 0.581 / 0.571) with "
    "the same 2 neutral questions, but airline precision falls (0.916 against 0.921) and so does "
    "movie precision (0.714 / 0.717); with GoEmotions plus the MIT sets it gains more airline F1 "
    "(0.734) but loses precision there (0.918) and on Amazon, the social posts and the news "
    "opinion, and scores 3 neutral questions negative against 2. 'Both' keeps precision high (airline 0.967 to 0.984) "
    "but keeps only a small share of the negatives. Emotions rated on Reddit replies (annoyance "
    "or disapproval of an opinion, sadness at a story) are not the same thing as a customer "
    "turning negative: far more and more varied labelled text moves F1 by 0.022 at most and "
    "never raises airline precision with it, and the product keeps the cue layer with its "
    "human-readable reasons.\n"
)


def goemotions_label(emotion_ids: str) -> str:
    """``negative`` when a negative-group emotion is named and no positive-group one is."""
    names = {EMOTIONS[int(i)] for i in emotion_ids.split(",")}
    negative = bool(names & NEGATIVE_EMOTIONS) and not names & POSITIVE_EMOTIONS
    return "negative" if negative else "other"


def goemotions_load(path: Path = GOEMOTIONS_FILE) -> list[LabeledMessage]:
    """Rows of GoEmotions' train.tsv as distributed: text, emotion ids, comment id (no header)."""
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, emotion_ids, comment_id = line.split("\t")
        messages.append(LabeledMessage(comment_id, comment_id, goemotions_label(emotion_ids), text))
    return messages


Row = tuple[Features, bool]  # features, gold negative


@dataclass(frozen=True)
class Scored:
    """What the rules need of one message: model probability, cue verdict, gold, set weight."""

    p: float
    cue: bool
    gold: bool
    weight: float = 1.0


def held_back(size: int, seed: int = HOLD_BACK_SEED) -> set[int]:
    """Indices of a seeded tenth of a set's rows, kept out of training for choosing cut-offs."""
    order = list(range(size))
    random.Random(seed).shuffle(order)
    return set(order[: int(size * HOLD_BACK_SHARE)])


def quality_at(
    rule: Callable[[float, float, bool], bool], cutoff: float, scored: list[Scored]
) -> Quality:
    return weighted_quality_of([(rule(s.p, cutoff, s.cue), s.gold, s.weight) for s in scored])


def cutoff_choose(
    rule: Callable[[float, float, bool], bool], scored: list[Scored]
) -> tuple[float, Quality]:
    """Highest F1 at precision >= 0.85 on training data (the higher cut-off of a tie); the most
    precise cut-off otherwise."""
    qualities = {t: quality_at(rule, t, scored) for t in CUTOFFS}
    reaching = [t for t in CUTOFFS if qualities[t].precision >= TARGET_PRECISION]
    if reaching:
        chosen = max(reaching, key=lambda t: (qualities[t].f1, t))
    else:
        chosen = max(CUTOFFS, key=lambda t: (qualities[t].precision, qualities[t].f1))
    return chosen, qualities[chosen]


@dataclass(frozen=True)
class Trained:
    name: str  # which sets it was trained on
    weights: Features
    # rule name -> cut-off chosen on the held-back tenth, and its quality there
    cutoffs: dict[str, tuple[float, Quality]]


def model_fit(
    name: str, sets: dict[str, list[Row]], cues: dict[str, list[bool]], keys: list[str]
) -> Trained:
    """Train on all but a held-back tenth of each set in ``keys``; choose cut-offs on that tenth."""
    mean_size = sum(len(sets[key]) for key in keys) / len(keys)
    training: list[tuple[Features, bool, float]] = []
    held_rows: list[tuple[Row, bool, float]] = []
    for key in keys:
        weight = mean_size / len(sets[key])
        held = held_back(len(sets[key]))
        for i, ((f, g), cue) in enumerate(zip(sets[key], cues[key], strict=True)):
            if i in held:
                held_rows.append(((f, g), cue, weight))
            else:
                training.append((f, g, weight))
    weights = model_train(training)
    scored = [Scored(probability(weights, f), cue, g, w) for (f, g), cue, w in held_rows]
    cutoffs = {
        n: (0.5, quality_at(rule, 0.5, scored))
        if n == MODEL_AT_HALF
        else cutoff_choose(rule, scored)
        for n, rule in RULES
    }
    return Trained(name, weights, cutoffs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    messages = {d.key: d.load() for d in DATASETS}
    messages[GOEMOTIONS] = goemotions_load()
    sets = {
        key: [(features_of(m), m.label == "negative") for m in ms] for key, ms in messages.items()
    }
    cues = {
        key: [kimondesk_predict(m.text) == "negative" for m in ms] for key, ms in messages.items()
    }
    neutral = neutral_load()
    neutral_rows = [(features_of(m), kimondesk_predict(m.text) == "negative") for m in neutral]
    alone = model_fit(GOEMOTIONS, sets, cues, [GOEMOTIONS])
    lines = [
        "| trained on | reported on (test split) | scorer | cut-off | on the held-back tenth "
        "(P / F1) | precision | recall | F1 | neutral scored negative |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for held in DATASETS:
        keys = [GOEMOTIONS] + [d.key for d in TRAINABLE if d is not held]
        mixed = model_fit(" + ".join(keys), sets, cues, keys)
        _dev, test = dataset_split(messages[held.key], held.seed)
        test_ids = {m.id for m in test}
        test_rows = [
            (f, cue, g)
            for m, (f, g), cue in zip(
                messages[held.key], sets[held.key], cues[held.key], strict=True
            )
            if m.id in test_ids
        ]
        shipped = quality_of([(cue, g) for _f, cue, g in test_rows])
        flagged = sum(cue for _f, cue in neutral_rows)
        lines.append(
            f"| - | {held.key} | {SHIPPED} | - | - | {quality_cells(shipped)} | "
            f"{flagged} of {len(neutral)} |"
        )
        for trained in (alone, mixed):
            for name, rule in RULES:
                t, fitted = trained.cutoffs[name]
                q = quality_of(
                    [(rule(probability(trained.weights, f), t, cue), g) for f, cue, g in test_rows]
                )
                flagged = sum(
                    rule(probability(trained.weights, f), t, cue) for f, cue in neutral_rows
                )
                lines.append(
                    f"| {trained.name} | {held.key} | {name} | {t:.2f} | "
                    f"{fitted.precision:.3f} / {fitted.f1:.3f} | {quality_cells(q)} | "
                    f"{flagged} of {len(neutral)} |"
                )
        print("\n".join(lines[-9:]), flush=True)
    table = "\n".join(lines)
    print(table)
    if args.write:
        benchmarks_section_write(
            SECTION_TITLE, SUMMARY + "\n" + table + "\n", ROOT / "docs" / "benchmarks.md"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
