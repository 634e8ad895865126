"""Sentiment trigger quality: negative-class precision, recall and F1, and throughput.

Data set: the Amazon product-review snippets of the VADER paper (Hutto & Gilbert, ICWSM 2014),
3,708 sentences from 300 customer reviews, each rated by 20 independent human raters on a
-4..+4 scale (shipped in the vaderSentiment 3.3.2 source distribution; extracted to
``bench/data/amazon_review_snippets.tsv``, see ``bench/data/README.md``).

Gold label: ``negative`` when more than half of the 20 raters gave a negative rating, ``positive``
when more than half gave a positive one, ``neutral`` otherwise (fixed before any tuning).

Split: by review (every sentence of one review lands on the same side), a seeded shuffle of the
300 review ids (seed 20261125), the first half is the dev set (lexicon and thresholds were tuned
there only), the second half is the held-out test set (reported, never tuned on).

    .venv/bin/python bench/sentiment_eval.py            # print the figures
    .venv/bin/python bench/sentiment_eval.py --write    # also update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.docs import benchmarks_section_write  # noqa: E402

DATA_FILE = ROOT / "bench" / "data" / "amazon_review_snippets.tsv"
DOCS_FILE = ROOT / "docs" / "benchmarks.md"
DATASET_NAME = (
    "VADER ICWSM-2014 Amazon product-review snippets (3,708 sentences from 300 reviews, "
    "20 human ratings each; majority-of-raters label)"
)
SPLIT_SEED = 20261125
TARGET_F1 = 0.70
TARGET_PRECISION = 0.85
SECTION_TITLE = "## Sentiment trigger quality"
NOTES = (
    "Notes: the issue's target is stated for customer-service messages; no human-labeled "
    "customer-service set (such as the Twitter US Airline Sentiment tweets) is distributed "
    "through the package registries reachable here, so these human-rated customer review "
    "sentences stand in for them (provenance and licence: `bench/data/README.md`). Phrases, "
    "rewrites, penalties and both thresholds were chosen by looking at dev errors only; the "
    "test split was scored once after that tuning and once more after fixes driven by the "
    "hand-written unit-test messages, with the same figures. Throughput is single-process on a "
    "machine shared with other jobs, so it varies from run to run; VADER alone is timed in the "
    "same run for scale."
)


@dataclass(frozen=True)
class LabeledMessage:
    id: str
    review: str
    label: str
    text: str


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float
    support: int


def rating_label(ratings: list[int]) -> str:
    """Majority-of-raters label: more than half negative (or positive) ratings decides."""
    half = len(ratings) / 2
    if sum(1 for r in ratings if r < 0) > half:
        return "negative"
    if sum(1 for r in ratings if r > 0) > half:
        return "positive"
    return "neutral"


def dataset_load(path: Path = DATA_FILE) -> list[LabeledMessage]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t")
        return [
            LabeledMessage(
                id=row["id"],
                review=row["id"].split("_", 1)[0],
                label=rating_label([int(r) for r in row["ratings"].split()]),
                text=row["text"],
            )
            for row in reader
        ]


def dataset_split(
    messages: list[LabeledMessage], seed: int = SPLIT_SEED
) -> tuple[list[LabeledMessage], list[LabeledMessage]]:
    """(dev, test): a seeded half/half split of the review ids."""
    reviews = sorted({m.review for m in messages}, key=int)
    random.Random(seed).shuffle(reviews)
    dev_reviews = set(reviews[: len(reviews) // 2])
    dev = [m for m in messages if m.review in dev_reviews]
    test = [m for m in messages if m.review not in dev_reviews]
    return dev, test


def negative_quality(messages: list[LabeledMessage], predict: Callable[[str], str]) -> Quality:
    tp = fp = fn = 0
    for message in messages:
        predicted = predict(message.text) == "negative"
        gold = message.label == "negative"
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(precision, recall, f1, tp + fn)


def vader_predict() -> Callable[[str], str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(text: str) -> str:
        compound = analyzer.polarity_scores(text)["compound"]
        if compound <= -0.05:
            return "negative"
        return "positive" if compound >= 0.05 else "neutral"

    return predict


def kimondesk_predict(text: str) -> str:
    from escalations.engine.sentiment import sentiment_score_message

    return sentiment_score_message(text).label


def messages_per_second(
    messages: list[LabeledMessage], score: Callable[[str], object], rounds: int = 3
) -> float:
    """Best of ``rounds`` passes over every message, one process, one core."""
    texts = [m.text for m in messages]
    score(texts[0])  # build the analyzer outside the timing
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for text in texts:
            score(text)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best


def throughput_measure(messages: list[LabeledMessage]) -> tuple[float, float]:
    """(KimonDesk scorer, VADER alone) messages per second, measured back to back."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from escalations.engine.sentiment import sentiment_score_message

    analyzer = SentimentIntensityAnalyzer()
    return (
        messages_per_second(messages, sentiment_score_message),
        messages_per_second(messages, analyzer.polarity_scores),
    )


def report_build(
    splits: tuple[str, ...] = ("dev", "test"),
) -> tuple[str, dict[str, dict[str, Quality]], float]:
    messages = dataset_load()
    dev, test = dataset_split(messages)
    chosen = {"dev": dev, "test": test}
    scorers = {"VADER compound <= -0.05": vader_predict(), "KimonDesk scorer": kimondesk_predict}
    results: dict[str, dict[str, Quality]] = {
        name: {split: negative_quality(chosen[split], fn) for split in splits}
        for name, fn in scorers.items()
    }
    rate, vader_rate = throughput_measure(messages)
    lines = [
        f"Data set: {DATASET_NAME}.",
        f"Split: by review, seed {SPLIT_SEED}: dev {len(dev)} messages "
        f"({sum(m.label == 'negative' for m in dev)} negative), held-out test {len(test)} "
        f"messages ({sum(m.label == 'negative' for m in test)} negative). "
        "Tuned on dev only; test is reported.",
        "",
        "| scorer | split | precision | recall | F1 (negative class) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for name, by_split in results.items():
        for split, q in by_split.items():
            lines.append(f"| {name} | {split} | {q.precision:.3f} | {q.recall:.3f} | {q.f1:.3f} |")
    if "test" in splits:
        held_out = results["KimonDesk scorer"]["test"]
        met = held_out.f1 >= TARGET_F1 and held_out.precision >= TARGET_PRECISION
        lines += [
            "",
            f"Target (F1 >= {TARGET_F1:.2f} on the negative class at precision >= "
            f"{TARGET_PRECISION:.2f}, held-out split): {'met' if met else 'NOT met'} "
            f"(F1 {held_out.f1:.3f}, precision {held_out.precision:.3f}).",
        ]
    lines += [
        "",
        f"Throughput: {rate:,.0f} messages/s for the KimonDesk scorer ({vader_rate:,.0f}/s for "
        f"VADER alone in the same run), all {len(messages)} messages, one process, best of 3.",
    ]
    return "\n".join(lines), results, rate


def docs_section(body: str) -> str:
    machine = f"{platform.machine()}, 2 cores, Python {platform.python_version()}"
    return "\n".join(
        [
            SECTION_TITLE,
            "",
            "Command: `.venv/bin/python bench/sentiment_eval.py --write`",
            "",
            f"Machine: {machine}.",
            "",
            body,
            "",
            NOTES,
            "",
        ]
    )


def docs_write(section: str, path: Path = DOCS_FILE) -> None:
    """Replace (or append) this section in docs/benchmarks.md, leaving the others alone."""
    title, _, body = section.partition("\n")
    benchmarks_section_write(title.removeprefix("## "), body, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument(
        "--dev-only", action="store_true", help="score the dev split only (while tuning)"
    )
    args = parser.parse_args(argv)
    if args.write and args.dev_only:
        parser.error("--write reports both splits; drop --dev-only")
    body, _results, _rate = report_build(("dev",) if args.dev_only else ("dev", "test"))
    print(body)
    if args.write:
        docs_write(docs_section(body))
        print(f"\nwritten to {DOCS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
