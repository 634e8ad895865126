"""Sentiment trigger quality: negative-class precision, recall and F1, and throughput.

Four human-labelled sets of different kinds (provenance and licences: ``bench/data/README.md``):

1. Support-style messages: Twitter US Airline Sentiment (Figure Eight / CrowdFlower, Data for
   Everyone), tweets from customers to US airlines' support accounts, labelled negative / neutral /
   positive by human contributors (``airline_tweets.tsv``, first 4,057 rows of 14,640). Gold:
   ``negative`` when ``airline_sentiment == "negative"``; every row, no confidence filter. Split: a
   seeded shuffle (seed 20261202) of the sorted tweet ids, first half dev, second half test.
2. Product reviews: the Amazon review snippets of the VADER paper (Hutto & Gilbert, ICWSM 2014),
   3,708 sentences from 300 reviews, 20 human ratings each on -4..+4
   (``amazon_review_snippets.tsv``). Gold: ``negative`` when more than half of the raters gave a
   negative rating. Split: by review, seed 20261125, first half dev.
3. Social posts: the tweets of the same paper (everyday posts, not addressed to a company), 4,004
   tweets with 20+ human ratings each (``vader_tweets.tsv``). Same majority-of-raters gold. Never
   used for tuning anything; split by tweet, seed 20261206, for the same dev/test reporting.
4. Movie reviews: the movie-review snippets of the same paper (10,605 Rotten Tomatoes sentences,
   15 or more human ratings each, ``movie_review_snippets.tsv``). Same majority-of-raters gold.
   Never used for tuning; split by snippet, seed 20261207.
5. News opinion: the New York Times editorial snippets of the same paper (5,190 sentences from
   498 opinion articles, 20 human ratings each, ``nyt_editorial_snippets.tsv``). Same gold. Never
   used for tuning; split by article, seed 20261208.
6. Neutral support questions and requests written for this benchmark
   (``support_neutral_questions.tsv``, 152 lines, all neutral): the false-positive rate of the
   "negative" label on them is reported; none of them is a negative.

The cue layer (``escalations/engine/sentiment_lexicon.py``) was written by reading airline dev and
Amazon dev errors only. Leave-one-data-set-out: the two thresholds of the scorer (with and without
a support cue) are calibrated on one set (highest F1 at precision >= 0.85 on that set) and reported
on the others; the shipped thresholds are reported on every set.

    .venv/bin/python bench/sentiment_eval.py --dev-only # dev figures only (while tuning)
    .venv/bin/python bench/sentiment_eval.py            # print the figures
    .venv/bin/python bench/sentiment_eval.py --write    # also update docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import csv
import os
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

import django  # noqa: E402

# The scorer reads its per-language scorers from the settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kimondesk.settings.test")
django.setup()

from bench.docs import benchmarks_section_write  # noqa: E402
from escalations.engine.language import language_detect  # noqa: E402
from escalations.engine.sentiment import (  # noqa: E402
    SentimentEvidence,
    SentimentThresholds,
    sentiment_evidence,
    sentiment_label,
    sentiment_score_message,
)

AIRLINE_FILE = ROOT / "bench" / "data" / "airline_tweets.tsv"
AMAZON_FILE = ROOT / "bench" / "data" / "amazon_review_snippets.tsv"
TWEETS_FILE = ROOT / "bench" / "data" / "vader_tweets.tsv"
MOVIE_FILE = ROOT / "bench" / "data" / "movie_review_snippets.tsv"
NYT_FILE = ROOT / "bench" / "data" / "nyt_editorial_snippets.tsv"
NEUTRAL_FILE = ROOT / "bench" / "data" / "support_neutral_questions.tsv"
GERMAN_FILE = ROOT / "bench" / "data" / "support_german_messages.tsv"
DOCS_FILE = ROOT / "docs" / "benchmarks.md"
AIRLINE_NAME = (
    "support-style messages: Twitter US Airline Sentiment (Figure Eight / CrowdFlower), first "
    "4,057 of 14,640 customer tweets to airlines, human-labelled; gold negative = "
    "`airline_sentiment` negative, all rows"
)
AMAZON_NAME = (
    "product reviews: VADER ICWSM-2014 Amazon review snippets (3,708 sentences from 300 reviews, "
    "20 human ratings each; majority-of-raters label)"
)
TWEETS_NAME = (
    "social posts: VADER ICWSM-2014 tweets (4,004 everyday tweets, 20+ human ratings each; "
    "majority-of-raters label); never used for tuning"
)
MOVIE_NAME = (
    "movie reviews: VADER ICWSM-2014 movie-review snippets (10,605 Rotten Tomatoes sentences, "
    "15+ human ratings each; majority-of-raters label); never used for tuning"
)
NYT_NAME = (
    "news opinion: VADER ICWSM-2014 New York Times editorial snippets (5,190 sentences from "
    "498 opinion articles, 20 human ratings each; majority-of-raters label); never used for tuning"
)
NEUTRAL_NAME = "152 neutral support questions and requests written for this benchmark"
AIRLINE_SPLIT_SEED = 20261202
AMAZON_SPLIT_SEED = 20261125
TWEETS_SPLIT_SEED = 20261206
MOVIE_SPLIT_SEED = 20261207
NYT_SPLIT_SEED = 20261208
TARGET_F1 = 0.75
TARGET_PRECISION = 0.85
# Thresholds tried when calibrating on one set: every multiple of 0.05 from -0.05 to -0.8.
THRESHOLD_GRID = tuple(round(-0.05 * step, 2) for step in range(1, 17))
SECTION_TITLE = "## Sentiment trigger quality"
NOTES = (
    "Notes: the cue layer was written by reading airline dev and Amazon dev errors only; the "
    "social posts, the movie reviews, the news opinion and the neutral questions were never used "
    "to choose a phrase or a threshold, so they (and the two test splits) are the text the "
    "scorer was not tuned on. "
    "The neutral questions were written before any of them was scored. The question/request "
    "rule (a single question or polite request needs VADER <= -0.5 without a cue) was written "
    "after seeing that 8 of the 152 neutral questions scored negative (the issue's own example, "
    "“Is my order delayed?”, among them), so the neutral figure above is not blind; its "
    "threshold was chosen on the airline and Amazon dev splits (-0.5 against -0.2, -0.35, "
    "-0.65: dev F1 unchanged within 0.001, precision +0.006 on airline). "
    "The social posts, the Amazon, movie and news snippets come from VADER's own paper, whose "
    "authors validated VADER on them, which favours VADER alone there. The leave-one-data-set-out "
    "table re-chooses only the two thresholds on one whole set; the phrases stay those of the cue "
    "layer, so its rows measure how well a calibration carries from one kind of text to another. "
    "On the movie reviews and the news opinion no pair of thresholds reaches precision 0.85 even "
    "on the set itself (the calibration then keeps the most precise pair, which carries over as "
    "very low recall): there the words often describe something bleak while the writer's "
    "opinion is favourable (“a tale of horror and revenge that is nearly perfect”), or the "
    "criticism is understated with no negative word (“doesn't have enough innovation or "
    "pizazz”). "
    "The target (precision >= 0.85 and F1 >= 0.75 on text not tuned on) is not met on any set: "
    "on support-style text precision is high and recall short; on product reviews and social "
    "posts precision is about 0.80. Neither re-calibrating per message length (the uncued "
    "threshold made stricter by 0.05 to 0.3 per 100 characters past 60: on the dev splits "
    "precision rose by at most 0.018 and F1 rose at no slope) nor a small learned model "
    "(section “Sentiment: a learned model, left one data set out” below: trained on four sets, "
    "reported on the fifth) strictly improves on the cue layer on held-out text, so the shipped "
    "scorer is unchanged. More phrases written from the airline dev misses (“still do not have "
    "my bag”, “25 minute hold”, “pushed back my flight”, “not at all happy”) caught 6 more of "
    "its 1,310 negatives (recall +0.005) and added an Amazon dev false alarm: too small to "
    "reach the target, not shipped. Throughput is single-process on a machine shared with other jobs."
)


@dataclass(frozen=True)
class LabeledMessage:
    id: str
    group: str  # the unit the split shuffles: a review for Amazon, the message itself otherwise
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
    title: str


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


def rated_load(path: Path, *, by_review: bool) -> list[LabeledMessage]:
    return [
        LabeledMessage(
            id=row["id"],
            group=row["id"].split("_", 1)[0] if by_review else row["id"],
            label=rating_label([int(r) for r in row["ratings"].split()]),
            text=row["text"],
        )
        for row in tsv_rows(path)
    ]


def amazon_load(path: Path = AMAZON_FILE) -> list[LabeledMessage]:
    return rated_load(path, by_review=True)


def tweets_load(path: Path = TWEETS_FILE) -> list[LabeledMessage]:
    return rated_load(path, by_review=False)


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


def movie_load(path: Path = MOVIE_FILE) -> list[LabeledMessage]:
    return rated_load(path, by_review=False)


def nyt_load(path: Path = NYT_FILE) -> list[LabeledMessage]:
    return rated_load(path, by_review=True)


def neutral_load(path: Path = NEUTRAL_FILE) -> list[LabeledMessage]:
    return [
        LabeledMessage(id=row["id"], group=row["id"], label=row["label"], text=row["text"])
        for row in tsv_rows(path)
    ]


AIRLINE = Dataset("airline", AIRLINE_NAME, airline_load, AIRLINE_SPLIT_SEED, "tweet id", "Airline")
AMAZON = Dataset("amazon", AMAZON_NAME, amazon_load, AMAZON_SPLIT_SEED, "review", "Amazon")
TWEETS = Dataset("tweets", TWEETS_NAME, tweets_load, TWEETS_SPLIT_SEED, "tweet", "Tweets")
MOVIE = Dataset("movie", MOVIE_NAME, movie_load, MOVIE_SPLIT_SEED, "snippet", "Movie reviews")
NYT = Dataset("nyt", NYT_NAME, nyt_load, NYT_SPLIT_SEED, "article", "News opinion (nyt)")
DATASETS = (AIRLINE, AMAZON, TWEETS, MOVIE, NYT)


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


def quality_of(pairs: list[tuple[bool, bool]]) -> Quality:
    """Negative-class quality of (predicted negative, gold negative) pairs."""
    return weighted_quality_of([(p, g, 1.0) for p, g in pairs])


def weighted_quality_of(triples: list[tuple[bool, bool, float]]) -> Quality:
    """Negative-class quality of (predicted negative, gold negative, weight) triples."""
    tp = sum(w for p, g, w in triples if p and g)
    fp = sum(w for p, g, w in triples if p and not g)
    fn = sum(w for p, g, w in triples if g and not p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Quality(precision, recall, f1, round(tp + fn))


def negative_quality(messages: list[LabeledMessage], predict: Callable[[str], str]) -> Quality:
    return quality_of([(predict(m.text) == "negative", m.label == "negative") for m in messages])


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
    return sentiment_score_message(text).label


Scored = list[tuple[SentimentEvidence, bool]]


def scored_of(messages: list[LabeledMessage]) -> Scored:
    """The scorer's evidence for each message, with its gold label (negative or not)."""
    return [(sentiment_evidence(m.text), m.label == "negative") for m in messages]


def calibrated_quality(scored: Scored, thresholds: SentimentThresholds) -> Quality:
    return quality_of(
        [
            (sentiment_label(evidence, thresholds=thresholds) == "negative", gold)
            for evidence, gold in scored
        ]
    )


def thresholds_calibrate(scored: Scored) -> SentimentThresholds:
    """The grid thresholds with the highest F1 at precision >= the target on ``scored``."""
    best: tuple[float, float, SentimentThresholds] | None = None
    for cued in THRESHOLD_GRID:
        for uncued in THRESHOLD_GRID:
            thresholds = SentimentThresholds(cued=cued, uncued=uncued)
            q = calibrated_quality(scored, thresholds)
            rank = (q.f1 if q.precision >= TARGET_PRECISION else -1.0, q.precision)
            if best is None or rank > best[:2]:
                best = (*rank, thresholds)
    assert best is not None
    return best[2]


def false_positive_rate(scored: Scored, thresholds: SentimentThresholds) -> float:
    negatives = sum(
        1
        for evidence, _ in scored
        if sentiment_label(evidence, thresholds=thresholds) == "negative"
    )
    return negatives / len(scored)


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


def quality_row(name: str, split: str, q: Quality) -> str:
    return f"| {name} | {split} | {q.precision:.3f} | {q.recall:.3f} | {q.f1:.3f} |"


def verdict(q: Quality) -> str:
    met = q.precision >= TARGET_PRECISION and q.f1 >= TARGET_F1
    return f"{'met' if met else 'NOT met'} (precision {q.precision:.3f}, F1 {q.f1:.3f})"


def language_lines() -> list[str]:
    """How the offline language detection reads the English sets and the German messages."""
    german = [row["text"] for row in tsv_rows(GERMAN_FILE)]
    english = {d.key: [m.text for m in d.load()] for d in DATASETS}
    english["neutral"] = [m.text for m in neutral_load()]
    everything = [text for texts in english.values() for text in texts]
    other = {key: sum(language_detect(t) != "en" for t in texts) for key, texts in english.items()}
    read_german = sum(language_detect(text) == "de" for text in german)
    started = time.perf_counter()
    for text in everything:
        language_detect(text)
    per_second = len(everything) / (time.perf_counter() - started)
    misread = ", ".join(f"{key} {count}" for key, count in other.items() if count)
    return [
        "### Language detection",
        "",
        "Stop-word vote (`escalations/engine/language.py`, no dependency, no download): "
        f"{len(everything) - sum(other.values()):,} of {len(everything):,} messages of the "
        f"English sets read as English (read as another language: {misread or 'none'}; among "
        "the social posts some are written in Dutch or Spanish); "
        f"{read_german} of {len(german)} German support messages "
        f"(`bench/data/support_german_messages.tsv`) read as German; {per_second:,.0f} "
        f"messages/s ({1000 / per_second:.3f} ms a message). A model-based detector (e.g. "
        "lingua-language-detector) was not tried: this heuristic needs no package and already "
        "separates the sets above.",
        "",
    ]


def report_build(splits: tuple[str, ...] = ("dev", "test")) -> tuple[str, dict[str, Quality]]:
    """The docs body and the shipped scorer's figures by ``<set>/<split>``."""
    shipped = SentimentThresholds()
    vader = vader_predict()
    figures: dict[str, Quality] = {}
    whole: dict[str, Scored] = {}
    lines = [
        f"Shipped thresholds: {shipped.cued} with a support cue, {shipped.uncued} without. "
        f"Target on text not tuned on: precision >= {TARGET_PRECISION:.2f} and F1 >= "
        f"{TARGET_F1:.2f} for the negative class.",
        "",
    ]
    for number, dataset in enumerate(DATASETS, start=1):
        messages = dataset.load()
        dev, test = dataset_split(messages, dataset.seed)
        chosen = {"dev": dev, "test": test}
        whole[dataset.key] = scored_of(messages)
        lines += [
            f"### {number}. {dataset.title}",
            "",
            f"Data set: {dataset.name}.",
            f"Split: by {dataset.split_unit}, seed {dataset.seed}: dev {len(dev)} messages "
            f"({sum(m.label == 'negative' for m in dev)} negative), test {len(test)} messages "
            f"({sum(m.label == 'negative' for m in test)} negative).",
            "",
            "| scorer | split | precision | recall | F1 (negative class) |",
            "| --- | --- | ---: | ---: | ---: |",
        ]
        for split in splits:
            lines.append(
                quality_row(
                    "VADER compound <= -0.05", split, negative_quality(chosen[split], vader)
                )
            )
        for split in splits:
            q = calibrated_quality(scored_of(chosen[split]), shipped)
            figures[f"{dataset.key}/{split}"] = q
            lines.append(quality_row("KimonDesk scorer", split, q))
        if "test" in splits:
            lines += [
                "",
                f"Target on the {dataset.key} test split: {verdict(figures[f'{dataset.key}/test'])}.",
            ]
        lines.append("")
    neutral = scored_of(neutral_load())
    rate = false_positive_rate(neutral, shipped)
    flagged = [
        m.text
        for m, (evidence, _) in zip(neutral_load(), neutral, strict=True)
        if sentiment_label(evidence, thresholds=shipped) == "negative"
    ]
    lines += [
        f"### {len(DATASETS) + 1}. Neutral support questions",
        "",
        f"Data set: {NEUTRAL_NAME}. Scored negative: {len(flagged)} of {len(neutral)} "
        f"(false-positive rate {rate:.3f})"
        + (": " + "; ".join(f"“{t}”" for t in flagged) if flagged else "")
        + ".",
        "",
    ]
    if "test" in splits:
        lines += [
            "### Leave one data set out",
            "",
            "Thresholds calibrated on one whole set (highest F1 at precision >= "
            f"{TARGET_PRECISION:.2f} there, grid -0.05..-0.80), reported on the others and on the "
            "neutral questions (false-positive rate).",
            "",
            "| calibrated on | thresholds (cue / no cue) | reported on | precision | recall | F1 | "
            "neutral FP rate |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for tuned in DATASETS:
            thresholds = thresholds_calibrate(whole[tuned.key])
            fp = false_positive_rate(neutral, thresholds)
            for other in DATASETS:
                if other is tuned:
                    continue
                q = calibrated_quality(whole[other.key], thresholds)
                lines.append(
                    f"| {tuned.key} | {thresholds.cued} / {thresholds.uncued} | {other.key} | "
                    f"{q.precision:.3f} | {q.recall:.3f} | {q.f1:.3f} | {fp:.3f} |"
                )
        lines.append("")
    lines += language_lines()
    airline = AIRLINE.load()
    rate_ours = messages_per_second(airline, sentiment_score_message)
    lines.append(
        f"Throughput of the KimonDesk scorer: {rate_ours:,.0f} messages/s on the airline set, one "
        "process, best of 3."
    )
    return "\n".join(lines), figures


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
    body, _figures = report_build(("dev",) if args.dev_only else ("dev", "test"))
    print(body)
    if args.write:
        docs_write(docs_section(body))
        print(f"\nwritten to {DOCS_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
