"""Sentiment trigger quality: negative-class precision, recall and F1, and throughput.

Two human-labelled data sets (provenance and licences: ``bench/data/README.md``):

1. Primary, the one the target verdict is computed from: Twitter US Airline Sentiment
   (Figure Eight / CrowdFlower, Data for Everyone), tweets from customers to US airlines, each
   labelled negative / neutral / positive by human contributors. ``bench/data/airline_tweets.tsv``
   holds the first 4,057 rows of the 14,640-row file (all Virgin America and most United tweets).
   Gold label: ``negative`` when ``airline_sentiment == "negative"``, non-negative otherwise;
   every row is used, no confidence filter (both fixed before any scoring).
   Split: a seeded shuffle (seed 20261202) of the sorted tweet ids, the first half is the dev set,
   the second half the held-out test set.
2. Secondary: the Amazon product-review snippets of the VADER paper (Hutto & Gilbert, ICWSM
   2014), 3,708 sentences from 300 customer reviews, each rated by 20 independent human raters on
   a -4..+4 scale (``bench/data/amazon_review_snippets.tsv``). Gold label: ``negative`` when more
   than half of the 20 raters gave a negative rating, ``positive`` when more than half gave a
   positive one, ``neutral`` otherwise. Split: by review (every sentence of one review lands on
   the same side), a seeded shuffle (seed 20261125) of the 300 review ids, first half dev.

Lexicon, phrases, penalties and thresholds are tuned on the dev splits only; the test splits are
reported, never tuned on.

    .venv/bin/python bench/sentiment_eval.py --dev-only # dev figures only (while tuning)
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

AIRLINE_FILE = ROOT / "bench" / "data" / "airline_tweets.tsv"
AMAZON_FILE = ROOT / "bench" / "data" / "amazon_review_snippets.tsv"
DOCS_FILE = ROOT / "docs" / "benchmarks.md"
AIRLINE_NAME = (
    "Twitter US Airline Sentiment (Figure Eight / CrowdFlower, Data for Everyone): first 4,057 "
    "of its 14,640 customer tweets to airlines, human-labelled negative / neutral / positive; "
    "gold negative = `airline_sentiment` negative, all rows"
)
AMAZON_NAME = (
    "VADER ICWSM-2014 Amazon product-review snippets (3,708 sentences from 300 reviews, "
    "20 human ratings each; majority-of-raters label)"
)
AIRLINE_SPLIT_SEED = 20261202
AMAZON_SPLIT_SEED = 20261125
TARGET_F1 = 0.70
TARGET_PRECISION = 0.85
SECTION_TITLE = "## Sentiment trigger quality"
NOTES = (
    "Notes: the target verdict is computed from the airline test split. Tweets to airlines are "
    "real customer-service messages labelled by humans, but they are short public tweets (often "
    "replies in a thread, with @handles, hashtags and links), not support tickets; only a "
    "contiguous part of the file (Virgin America and most United tweets) was available here, "
    "see `bench/data/README.md`. The support phrase layer (new cue families, @mention/link "
    "stripping) and the lower no-cue threshold (-0.2, was -0.3) were chosen by looking at "
    "airline dev and Amazon dev errors only, with patterns phrased for any business (orders, "
    "accounts, subscriptions), no airline names or airline-only words. The airline test split "
    "was scored {test_runs}, after that tuning, by this script; the unit-test quality gates "
    "re-check both test splits against fixed thresholds (pass/fail only). The Amazon test split "
    "had been scored twice in earlier work; during this round its only reading was the existing "
    "pass/fail gate (precision >= 0.80) until this run. Amazon test moved from precision 0.814 / "
    "F1 0.632 to the figures above (recall up, precision down slightly, from the lower no-cue "
    "threshold). Throughput is single-process on a machine shared with other jobs, so it varies "
    "from run to run; VADER alone is timed in the same run for scale. VADER alone scores far "
    "below the issue's 0.59 on the airline tweets mainly because it reads the addressee handle "
    "of one airline as the positive word it spells; the KimonDesk scorer drops @mentions."
)
AIRLINE_TEST_RUNS = "once"


@dataclass(frozen=True)
class LabeledMessage:
    id: str
    group: str  # the unit the split shuffles: a review for Amazon, the tweet itself for airlines
    label: str
    text: str


@dataclass(frozen=True)
class Quality:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Dataset:
    key: str
    name: str
    load: Callable[[], list[LabeledMessage]]
    seed: int
    split_unit: str


def rating_label(ratings: list[int]) -> str:
    """Majority-of-raters label: more than half negative (or positive) ratings decides."""
    half = len(ratings) / 2
    if sum(1 for r in ratings if r < 0) > half:
        return "negative"
    if sum(1 for r in ratings if r > 0) > half:
        return "positive"
    return "neutral"


def tsv_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with ``#`` comment lines and no quoting."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def amazon_load(path: Path = AMAZON_FILE) -> list[LabeledMessage]:
    return [
        LabeledMessage(
            id=row["id"],
            group=row["id"].split("_", 1)[0],
            label=rating_label([int(r) for r in row["ratings"].split()]),
            text=row["text"],
        )
        for row in tsv_rows(path)
    ]


def airline_load(path: Path = AIRLINE_FILE) -> list[LabeledMessage]:
    return [
        LabeledMessage(
            id=row["tweet_id"],
            group=row["tweet_id"],
            label="negative" if row["airline_sentiment"] == "negative" else "non-negative",
            text=row["text"],
        )
        for row in tsv_rows(path)
    ]


AIRLINE = Dataset("airline", AIRLINE_NAME, airline_load, AIRLINE_SPLIT_SEED, "tweet id")
AMAZON = Dataset("amazon", AMAZON_NAME, amazon_load, AMAZON_SPLIT_SEED, "review")
DATASETS = (AIRLINE, AMAZON)


def dataset_split(
    messages: list[LabeledMessage], seed: int
) -> tuple[list[LabeledMessage], list[LabeledMessage]]:
    """(dev, test): a seeded half/half split of the sorted group ids."""
    groups = sorted({m.group for m in messages}, key=int)
    random.Random(seed).shuffle(groups)
    dev_groups = set(groups[: len(groups) // 2])
    dev = [m for m in messages if m.group in dev_groups]
    test = [m for m in messages if m.group not in dev_groups]
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


def dataset_report(
    dataset: Dataset, splits: tuple[str, ...]
) -> tuple[list[str], dict[str, dict[str, Quality]], list[LabeledMessage]]:
    messages = dataset.load()
    dev, test = dataset_split(messages, dataset.seed)
    chosen = {"dev": dev, "test": test}
    scorers = {"VADER compound <= -0.05": vader_predict(), "KimonDesk scorer": kimondesk_predict}
    results: dict[str, dict[str, Quality]] = {
        name: {split: negative_quality(chosen[split], fn) for split in splits}
        for name, fn in scorers.items()
    }
    lines = [
        f"Data set: {dataset.name}.",
        f"Split: by {dataset.split_unit}, seed {dataset.seed}: dev {len(dev)} messages "
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
    return lines, results, messages


def report_build(
    splits: tuple[str, ...] = ("dev", "test"),
) -> tuple[str, dict[str, dict[str, dict[str, Quality]]], float]:
    """The docs body, the figures by data set, scorer and split, and the airline throughput."""
    lines: list[str] = []
    results: dict[str, dict[str, dict[str, Quality]]] = {}
    rates: dict[str, tuple[float, float]] = {}
    for number, dataset in enumerate(DATASETS, start=1):
        table, results[dataset.key], messages = dataset_report(dataset, splits)
        role = "target data set" if dataset is AIRLINE else "second data set"
        lines += [f"### {number}. {dataset.key.capitalize()} ({role})", "", *table, ""]
        rates[dataset.key] = throughput_measure(messages)
        if dataset is AIRLINE and "test" in splits:
            held_out = results[dataset.key]["KimonDesk scorer"]["test"]
            met = held_out.f1 >= TARGET_F1 and held_out.precision >= TARGET_PRECISION
            lines += [
                f"Target (F1 >= {TARGET_F1:.2f} on the negative class at precision >= "
                f"{TARGET_PRECISION:.2f}, airline held-out test split): "
                f"{'met' if met else 'NOT met'} "
                f"(F1 {held_out.f1:.3f}, precision {held_out.precision:.3f}).",
                "",
            ]
    throughput = "; ".join(
        f"{rate:,.0f} messages/s on the {key} set ({vader_rate:,.0f}/s for VADER alone)"
        for key, (rate, vader_rate) in rates.items()
    )
    lines.append(
        f"Throughput of the KimonDesk scorer: {throughput}; every message of each set, one "
        "process, best of 3, VADER timed in the same run."
    )
    return "\n".join(lines), results, rates[AIRLINE.key][0]


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
            NOTES.format(test_runs=AIRLINE_TEST_RUNS),
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
