"""Customer-message sentiment: VADER plus a support-specific layer.

The score is VADER's compound score of the message (after @mentions and links are dropped, HTML
entities decoded and a few support idioms rewritten, see ``sentiment_lexicon.REWRITES``) plus one
penalty per kind of support evidence found: churn threats, a switch to a competitor, malfunction
reports, factual complaints ("three weeks, no response", "on hold for 40 minutes"), repeated
contact, service failures ("was delayed again", "hidden fees"), rhetorical complaints ("how hard
is it to ..."), sarcasm ("thanks for losing ..."), complaint wording, and all-caps anger or
exclamation runs. Each piece
of evidence becomes a short human reason ("churn threat: 'cancel my account'") that the escalation
engine stores with the escalation. Quality and speed are measured by ``bench/sentiment_eval.py``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from django.utils.module_loading import import_string
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from escalations.engine.language import language_detect
from escalations.engine.sentiment_lexicon import (
    CUES,
    LEXICON_OVERRIDES,
    NEGATORS,
    REWRITES,
    Cue,
)
from kimondesk.conf import kimondesk_settings
from tickets.models import Sentiment

NEGATIVE_THRESHOLD = -0.05
# Without any support cue, VADER alone must be clearly negative: mildly negative wording in a
# neutral report ("no more than 2 hours", "point and shoot") is the main source of false alarms.
# -0.2 was chosen on the dev splits of both benchmark sets (bench/sentiment_eval.py).
VADER_ONLY_NEGATIVE_THRESHOLD = -0.2
# A single direct question or polite request ("Is my order delayed?", "Could you explain the
# charges on my bill?") asks for something: without a support cue it is negative only when VADER
# is clearly negative. Chosen on the dev splits (bench/sentiment_eval.py).
ASKING_NEGATIVE_THRESHOLD = -0.5
ASKING_MAX_CHARS = 200
POSITIVE_THRESHOLD = 0.05
# Anger cues count only when the wording is not clearly positive ("THANK YOU SO MUCH!!!").
ANGER_MAX_COMPOUND = 0.3
SHOUT_MIN_LETTERS = 12
SHOUT_MIN_RATIO = 0.7
SHOUT_PENALTY = -0.5
EXCLAMATION_PENALTY = -0.25
NEGATION_WINDOW_WORDS = 3
NEGATIVE_WORD_VALENCE = -1.0
MAX_REASONS = 6
EXCERPT_CHARS = 60
# Only a bounded part of a message is scored: its first SCORED_HEAD_CHARS and last
# SCORED_TAIL_CHARS characters (the opening states the problem, the end the demand or the threat;
# the middle of a long message is mostly quoted history, logs or pasted text). Scoring time is
# therefore linear in the length up to HEAD + TAIL and constant beyond it: a 1 MB body scores as
# fast as a 3,000-character one (bench/sentiment_scaling.py, docs/benchmarks.md).
SCORED_HEAD_CHARS = 2_000
SCORED_TAIL_CHARS = 1_000
# A cut is moved back to the nearest whitespace within this many characters, not to split a word.
CUT_SLACK_CHARS = 40
SCORED_GAP = "\n…\n"
# VADER's own cost grows with the square of the word count (it re-reads the whole word list for
# every sentiment word), so text longer than this is scored in sentence-aligned chunks of at most
# this many characters and the chunks' raw VADER sums are added before VADER's normalisation.
# A message up to this length is one chunk: exactly VADER's score.
VADER_CHUNK_CHARS = 500
VADER_ALPHA = 15  # VADER's normalisation constant: compound = sum / sqrt(sum^2 + alpha)
VADER_MAX_COMPOUND = 0.9999

# Patterns are matched on lower-cased text (faster than re.IGNORECASE), each starting at a word.
_WORD_START = r"(?<![\w'])(?=\w)"
_WORD_END = r"(?:(?<=\W)|(?!\w))"
_REWRITE_ANY_RE = re.compile(
    _WORD_START + "(?:" + "|".join(p for p, _ in REWRITES) + ")" + _WORD_END
)
_REWRITE_RES = tuple(
    (re.compile(_WORD_START + "(?:" + pattern + ")" + _WORD_END, re.IGNORECASE), replacement)
    for pattern, replacement in REWRITES
)
# One pass over the message for every cue: a named group per cue, the first match of each kept.
_CUES_BY_KEY = {cue.key: cue for cue in CUES}
_CUE_RE = re.compile(
    _WORD_START
    + "(?:"
    + "|".join(f"(?P<{cue.key}>{'|'.join(cue.patterns)})" for cue in CUES)
    + ")"
    + _WORD_END
)
_NEGATOR_RE = re.compile(NEGATORS)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z']*")
_EXCLAMATION_RE = re.compile(r"!{2,}|[!?]{3,}|\?!|!\?")
_SPACES_RE = re.compile(r"\s+")
_ASKING_RE = re.compile(
    r"(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: there)?[ ,!.]+)?"
    r"(?:(?:quick question|just checking)[ ,:]+)?"
    r"(?:is|are|can|could|would|will|do|does|how|what|where|when|which|may|should|please|"
    r"i'?d like|i would like|we'?d like|we would like)\b"
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+|\n+")
# Addressing and links carry no sentiment but can hold lexicon words ("@united", "/great-deals").
_ADDRESSING_RE = re.compile(r"(?<![\w.])@\w+|https?://\S+|www\.\S+")


# Longest run of negative customer messages a "turned negative" rule can wait for.
NEGATIVE_RUN_MAX = 10


@dataclass(frozen=True)
class SentimentScore:
    """``label``: "negative", "neutral", "positive", or "unscored" (no scorer for ``language``)."""

    label: str
    compound: float | None
    reasons: tuple[str, ...] = ()
    language: str = "en"


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(LEXICON_OVERRIDES)
    return analyzer


def _chunks(text: str) -> list[str]:
    """``text`` in sentence-aligned pieces of at most ``VADER_CHUNK_CHARS`` characters."""
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE_END_RE.split(text):
        while len(sentence) > VADER_CHUNK_CHARS:
            cut = sentence.rfind(" ", 0, VADER_CHUNK_CHARS)
            cut = cut if cut > 0 else VADER_CHUNK_CHARS
            chunks.append(sentence[:cut])
            sentence = sentence[cut:].lstrip()
        if current and len(current) + 1 + len(sentence) > VADER_CHUNK_CHARS:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        chunks.append(current)
    return chunks


def _vader_compound(text: str) -> float:
    """VADER's compound score, chunk by chunk past ``VADER_CHUNK_CHARS`` (linear in length)."""
    analyzer = _analyzer()
    if len(text) <= VADER_CHUNK_CHARS:
        return float(analyzer.polarity_scores(text)["compound"])
    total = 0.0
    for chunk in _chunks(text):
        compound = float(analyzer.polarity_scores(chunk)["compound"])
        compound = max(-VADER_MAX_COMPOUND, min(VADER_MAX_COMPOUND, compound))
        # The inverse of VADER's normalisation: the chunk's raw sum of valences.
        total += compound * math.sqrt(VADER_ALPHA / (1 - compound * compound))
    return round(total / math.sqrt(total * total + VADER_ALPHA), 4)


def _excerpt(phrase: str) -> str:
    phrase = _SPACES_RE.sub(" ", phrase.strip(" \t\n.,;:!?"))
    if len(phrase) > EXCERPT_CHARS:
        phrase = phrase[: EXCERPT_CHARS - 1].rstrip() + "…"
    return phrase


def _is_negated(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start]
    window = " ".join(before.split()[-NEGATION_WINDOW_WORDS:])
    return _NEGATOR_RE.search(window) is not None


def _fold(text: str) -> str:
    """Lower case with straight apostrophes: the form every lexicon pattern is written for."""
    return text.lower().replace("\u2019", "'")


def sentiment_scored_text(text: str) -> str:
    """The bounded part of ``text`` that is scored: all of it, or its head and tail (see above)."""
    if len(text) <= SCORED_HEAD_CHARS + len(SCORED_GAP) + SCORED_TAIL_CHARS:
        return text
    head = text[:SCORED_HEAD_CHARS]
    cut = head.rfind(" ", SCORED_HEAD_CHARS - CUT_SLACK_CHARS)
    if cut > 0:
        head = head[:cut]
    tail = text[-SCORED_TAIL_CHARS:]
    cut = tail.find(" ", 0, CUT_SLACK_CHARS)
    if cut >= 0:
        tail = tail[cut + 1 :]
    return head + SCORED_GAP + tail


def _normalise(text: str) -> str:
    """Drop @mentions and links, decode HTML entities, straighten apostrophes."""
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\u2019", "'")
    if "@" in text or "://" in text or "www." in text:
        text = _ADDRESSING_RE.sub(" ", text)
    return text


def _rewrite(text: str) -> str:
    if _REWRITE_ANY_RE.search(text.lower()) is None:
        return text
    for pattern, replacement in _REWRITE_RES:
        text = pattern.sub(replacement, text)
    return text


def _cue_hits(lowered: str) -> list[tuple[Cue, str]]:
    """The first un-negated match of each cue, in the lexicon's order."""
    found: dict[str, str] = {}
    for match in _CUE_RE.finditer(lowered):
        key = match.lastgroup or ""
        cue = _CUES_BY_KEY[key]
        if key in found or (cue.negatable and _is_negated(lowered, match.start())):
            continue
        found[key] = match.group(0)
    return [(cue, found[cue.key]) for cue in CUES if cue.key in found]


def _is_asking(text: str) -> bool:
    """One short sentence that opens as a question or a polite request."""
    flat = text.strip()
    if len(flat) > ASKING_MAX_CHARS or _ASKING_RE.match(_fold(flat)) is None:
        return False
    return len(_SENTENCE_END_RE.split(flat.rstrip(" .!?"))) == 1


def _shout_ratio(text: str) -> float:
    letters = upper = 0
    for word in _WORD_RE.findall(text):
        if len(word) < 2:
            continue
        letters += len(word)
        upper += sum(1 for char in word if char.isupper())
    return upper / letters if letters >= SHOUT_MIN_LETTERS else 0.0


def _negative_words(text: str) -> list[str]:
    lexicon = _analyzer().lexicon
    words: list[str] = []
    for word in _WORD_RE.findall(text.lower()):
        if lexicon.get(word, 0.0) <= NEGATIVE_WORD_VALENCE and word not in words:
            words.append(word)
    return words


@dataclass(frozen=True)
class SentimentEvidence:
    """What the scorer found: the combined compound, whether a support cue added a penalty."""

    compound: float
    cued: bool
    asking: bool  # one direct question or polite request (see ASKING_NEGATIVE_THRESHOLD)
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SentimentThresholds:
    """Compound at or below which a message is negative, with and without a support cue."""

    cued: float = NEGATIVE_THRESHOLD
    uncued: float = VADER_ONLY_NEGATIVE_THRESHOLD
    asking: float = ASKING_NEGATIVE_THRESHOLD


def sentiment_evidence(text: str) -> SentimentEvidence:
    """VADER plus the support cue layer on the bounded part of ``text`` (no label yet)."""
    text = _normalise(sentiment_scored_text(text))
    rewritten = _rewrite(text)
    vader = _vader_compound(rewritten)
    penalty = 0.0
    reasons: list[str] = []
    for cue, phrase in _cue_hits(_fold(rewritten)):
        penalty += cue.penalty
        reasons.append(f"{cue.reason}: '{_excerpt(phrase)}'")
    if vader < ANGER_MAX_COMPOUND:
        ratio = _shout_ratio(text)
        if ratio >= SHOUT_MIN_RATIO:
            penalty += SHOUT_PENALTY
            reasons.append(f"all-caps anger: {ratio:.0%} capitals")
        # An exclamation run amplifies other negative evidence; on its own it is just emphasis.
        run = _EXCLAMATION_RE.search(text) if penalty < 0 or vader < 0 else None
        if run is not None:
            penalty += EXCLAMATION_PENALTY
            reasons.append(f"exclamation run: '{run.group(0)}'")
    if vader <= NEGATIVE_THRESHOLD:
        words = _negative_words(rewritten)
        shown = ", ".join(f"'{w}'" for w in words[:3])
        reasons.append(f"negative wording ({vader:+.2f})" + (f": {shown}" if shown else ""))
    compound = round(max(-1.0, min(1.0, vader + penalty)), 4)
    return SentimentEvidence(compound, penalty < 0, _is_asking(text), tuple(reasons[:MAX_REASONS]))


def sentiment_label(evidence: SentimentEvidence, *, thresholds: SentimentThresholds) -> str:
    """ "negative", "neutral" or "positive" for the evidence under the given thresholds."""
    if evidence.cued:
        threshold = thresholds.cued
    else:
        threshold = thresholds.asking if evidence.asking else thresholds.uncued
    if evidence.compound <= threshold:
        return "negative"
    if evidence.compound >= POSITIVE_THRESHOLD:
        return "positive"
    return "neutral"


def sentiment_score_english(text: str) -> SentimentScore:
    """The built-in English scorer: VADER plus the support cue layer."""
    evidence = sentiment_evidence(text)
    label = sentiment_label(evidence, thresholds=SentimentThresholds())
    return SentimentScore(label, evidence.compound, evidence.reasons if label == "negative" else ())


@lru_cache(maxsize=32)
def _scorer_import(path: str) -> Callable[[str], SentimentScore]:
    scorer: Callable[[str], SentimentScore] = import_string(path)
    return scorer


def sentiment_scorer_for(language: str) -> Callable[[str], SentimentScore] | None:
    """The scorer configured for ``language`` in ``KIMONDESK["SENTIMENT_SCORERS"]``, if any."""
    path = kimondesk_settings().sentiment_scorers.get(language)
    return _scorer_import(path) if path else None


def sentiment_score_message(text: str) -> SentimentScore:
    """Score one customer message with the scorer of its language, or mark it not scored.

    Only ``sentiment_scored_text(text)`` is read, so any length scores in bounded time. The
    language is detected offline (``engine/language.py``); a language with no configured scorer
    gives ``label="unscored"`` and the reason "not scored (<code>)".
    """
    scored = sentiment_scored_text(text)
    language = language_detect(scored)
    scorer = sentiment_scorer_for(language)
    if scorer is None:
        return SentimentScore(Sentiment.UNSCORED, None, (f"not scored ({language})",), language)
    return replace(scorer(scored), language=language)
