"""Sentiment scorer: each support cue, negation, polite and positive messages, and the quality gate.

The messages in the parametrized cases are hand-written support messages (a challenge set for the
cue layer), not the human-labeled benchmark; the quality gate at the end scores the held-out split
of the human-rated benchmark data in bench/data/.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.sentiment_eval import (
    AIRLINE_SPLIT_SEED,
    AMAZON_SPLIT_SEED,
    MOVIE_SPLIT_SEED,
    NYT_SPLIT_SEED,
    TWEETS_SPLIT_SEED,
    LabeledMessage,
    airline_load,
    amazon_load,
    dataset_split,
    docs_write,
    kimondesk_predict,
    movie_load,
    negative_quality,
    neutral_load,
    nyt_load,
    rating_label,
    thresholds_calibrate,
    tweets_load,
    vader_predict,
)
from escalations.engine.sentiment import (
    SentimentEvidence,
    SentimentScore,
    SentimentThresholds,
    sentiment_score_message,
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "Please cancel my account effective today.",
            "churn threat: 'cancel my account'",
            id="cancel-account",
        ),
        pytest.param("Please close my account.", "churn threat: 'close my account'", id="close"),
        pytest.param(
            "I will file a chargeback with my bank.",
            "churn threat: 'chargeback'",
            id="chargeback",
        ),
        pytest.param("My lawyer will be in touch.", "churn threat: 'lawyer'", id="lawyer"),
        pytest.param("Never again.", "churn threat: 'never again'", id="never-again"),
        pytest.param(
            "I want a refund for the last three months.",
            "churn threat: 'want a refund'",
            id="refund",
        ),
    ],
)
def test_churn_threat_is_negative_with_the_phrase_as_reason(text: str, reason: str) -> None:
    # given a customer message that threatens to leave
    # when it is scored
    score = sentiment_score_message(text)
    # then it is negative and the matched phrase is its own reason
    assert score.label == "negative"
    assert score.reasons[0] == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "If this isn't fixed by Friday I'm switching to Zendesk.",
            "competitor switch: 'switching to zendesk'",
            id="named-competitor",
        ),
        pytest.param(
            "Honestly I'm thinking about moving to a competitor.",
            "competitor switch: 'moving to a competitor'",
            id="a-competitor",
        ),
        pytest.param(
            "We will go with another provider next quarter.",
            "competitor switch: 'go with another provider'",
            id="another-provider",
        ),
    ],
)
def test_competitor_switch_is_negative(text: str, reason: str) -> None:
    score = sentiment_score_message(text)
    assert score.label == "negative"
    assert score.reasons == (reason,)


def test_factual_complaint_vader_misses_is_caught() -> None:
    # given a factual complaint with no negative word, which VADER alone scores non-negative
    text = "I have been waiting 10 days for the replacement."
    assert vader_predict()(text) == "neutral"
    # when it is scored, then the support layer makes it negative
    assert sentiment_score_message(text).label == "negative"


def test_all_caps_anger_is_negative_with_the_capitals_ratio() -> None:
    # given a shouted message with no negative word in it
    text = "WHERE IS MY ORDER I HAVE BEEN WAITING FOREVER"
    # when it is scored
    score = sentiment_score_message(text)
    # then the shouting alone makes it negative
    assert score.label == "negative"
    assert score.reasons == ("all-caps anger: 100% capitals",)


def test_exclamation_run_amplifies_a_complaint() -> None:
    score = sentiment_score_message("This is unacceptable!!!")
    assert score.label == "negative"
    assert score.reasons[:2] == ("complaint wording: 'unacceptable'", "exclamation run: '!!!'")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("THANK YOU SO MUCH, YOU ARE AMAZING!!!", id="happy-shouting"),
        pytest.param("Got it working, see you tomorrow!!", id="happy-exclamations"),
        pytest.param("Please see the attached PDF from IBM and SAP.", id="acronyms"),
    ],
)
def test_caps_and_exclamations_alone_are_not_anger(text: str) -> None:
    score = sentiment_score_message(text)
    assert score.label != "negative"
    assert score.reasons == ()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "Three weeks, no response.",
            "factual complaint: 'three weeks, no response'",
            id="weeks-no-response",
        ),
        pytest.param(
            "Still waiting for an answer to my ticket.",
            "factual complaint: 'still waiting'",
            id="still-waiting",
        ),
        pytest.param(
            "The export is still not fixed.",
            "factual complaint: 'still not fixed'",
            id="still-not-fixed",
        ),
        pytest.param(
            "No one has replied to my emails.",
            "factual complaint: 'no one has replied'",
            id="no-one-replied",
        ),
        pytest.param(
            "I have been waiting 10 days for the replacement.",
            "factual complaint: 'been waiting 10 days'",
            id="waiting-days",
        ),
    ],
)
def test_factual_complaint_is_negative(text: str, reason: str) -> None:
    # given a complaint stated as plain facts
    # when it is scored
    score = sentiment_score_message(text)
    # then the support layer makes it negative and says why
    assert score.label == "negative"
    assert score.reasons[0] == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "This is the third time I'm writing about this.",
            "repeated contact: 'third time'",
            id="third-time",
        ),
        pytest.param(
            "I have emailed you three times about the invoice.",
            "repeated contact: 'emailed you three times'",
            id="emailed-three-times",
        ),
        pytest.param(
            "I already explained the problem to your colleague.",
            "repeated contact: 'i already explained'",
            id="already-explained",
        ),
    ],
)
def test_repeated_contact_is_negative(text: str, reason: str) -> None:
    score = sentiment_score_message(text)
    assert score.label == "negative"
    assert score.reasons[0] == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "The app crashes every time I open the reports page.",
            "malfunction: 'crashes'",
            id="crashes",
        ),
        pytest.param("I can't log in since yesterday.", "malfunction: 'can't log in'", id="login"),
        pytest.param(
            "I was charged twice for my subscription.",
            "malfunction: 'charged twice'",
            id="charged-twice",
        ),
    ],
)
def test_malfunction_report_is_negative(text: str, reason: str) -> None:
    score = sentiment_score_message(text)
    assert score.label == "negative"
    assert score.reasons[0] == reason


def test_curly_apostrophes_match_like_straight_ones() -> None:
    # given a message typed in a mail client that curls apostrophes
    score = sentiment_score_message("I can\u2019t log in and it\u2019s still not fixed.")
    # then the cues match as with straight apostrophes
    assert score.label == "negative"
    assert score.reasons == (
        "malfunction: 'can't log in'",
        "factual complaint: 'still not fixed'",
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "I'm not unhappy with the service, just curious about the invoice.", id="not-unhappy"
        ),
        pytest.param("I had no problems with the setup at all.", id="no-problems"),
        pytest.param("The product is not broken, I just need the manual.", id="not-broken"),
        pytest.param("Never had a single issue with your team.", id="never-an-issue"),
        pytest.param("I can't recommend your support enough.", id="cant-recommend-enough"),
    ],
)
def test_negated_complaints_are_not_negative(text: str) -> None:
    score = sentiment_score_message(text)
    assert score.label != "negative"
    assert score.reasons == ()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Hi, could you please tell me how to reset my password? Thanks!", id="reset"),
        pytest.param("Can you send me the invoice for March?", id="invoice"),
        pytest.param(
            "Hello, I would like to update the billing address on my account.", id="address"
        ),
        pytest.param(
            "Could you cancel my order #1234 and send the larger size instead?", id="order"
        ),
        pytest.param("ok thanks", id="ok-thanks"),
        pytest.param("Our PO number for this order is 4471.", id="purchase-order"),
    ],
)
def test_polite_requests_stay_non_negative(text: str) -> None:
    assert sentiment_score_message(text).label != "negative"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Thank you so much, the new dashboard is great!", id="thanks"),
        pytest.param("Great support, thanks for resolving the issue so quickly.", id="resolved"),
        pytest.param("The problem disappeared after the update, brilliant work.", id="disappeared"),
    ],
)
def test_positive_messages_stay_positive(text: str) -> None:
    score = sentiment_score_message(text)
    assert score.label == "positive"
    assert score.compound >= 0.05
    assert score.reasons == ()


def test_negative_wording_reason_names_the_words() -> None:
    score = sentiment_score_message("Your service is terrible and useless.")
    assert score.label == "negative"
    assert score.reasons[0] == "complaint wording: 'useless'"
    assert score.reasons[1].startswith("negative wording (-0.")
    assert score.reasons[1].endswith("): 'terrible', 'useless'")
    assert len(score.reasons) == 2


def test_a_purchase_order_is_not_negative_wording() -> None:
    # VADER reads "po" as an insult; in support text it is a purchase order.
    score = sentiment_score_message("Invoice INV-85483 is missing the PO number.")
    assert score.reasons == ("complaint wording: 'missing'", "negative wording (-0.39): 'missing'")
    quoted = sentiment_score_message("Please quote PO 4471 on the invoice.")
    assert (quoted.label, quoted.reasons) == ("positive", ())


def test_empty_message_is_neutral() -> None:
    assert sentiment_score_message("") == SentimentScore("neutral", 0.0, ())


def test_rating_label_takes_the_majority_of_raters() -> None:
    assert rating_label([-1] * 11 + [0] * 9) == "negative"
    assert rating_label([-1] * 10 + [1] * 10) == "neutral"
    assert rating_label([2] * 11 + [-3] * 9) == "positive"


def test_benchmark_split_is_fixed_and_disjoint_by_review() -> None:
    # given the committed human-rated data
    messages = amazon_load()
    # when it is split
    dev, test = dataset_split(messages, AMAZON_SPLIT_SEED)
    # then the sizes are the documented ones and no review is on both sides
    assert (len(messages), len(dev), len(test)) == (3708, 1910, 1798)
    assert {m.group for m in dev}.isdisjoint({m.group for m in test})
    assert sum(m.label == "negative" for m in test) == 610


def test_held_out_quality_gate() -> None:
    # given the held-out split of the human-rated benchmark (never used for tuning)
    _dev, test = dataset_split(amazon_load(), AMAZON_SPLIT_SEED)
    # when VADER alone and the KimonDesk scorer label it
    vader = negative_quality(test, vader_predict())
    ours = negative_quality(test, kimondesk_predict)
    # then the scorer holds its measured level (docs/benchmarks.md) and beats VADER on both counts
    assert ours.precision >= 0.80
    assert ours.f1 >= 0.62
    assert ours.precision > vader.precision
    assert ours.f1 > vader.f1


def test_airline_held_out_quality_gate() -> None:
    # given the held-out airline split (scored once for docs/benchmarks.md, never tuned on)
    _dev, test = dataset_split(airline_load(), AIRLINE_SPLIT_SEED)
    # when the KimonDesk scorer labels it
    ours = negative_quality(test, kimondesk_predict)
    # then it keeps the target: F1 >= 0.70 at precision >= 0.85
    assert ours.precision >= 0.85
    assert ours.f1 >= 0.70


def test_docs_write_replaces_only_its_own_section(tmp_path) -> None:
    # given a benchmarks page with this section between two others
    page = tmp_path / "benchmarks.md"
    page.write_text(
        "# KimonDesk benchmarks\n\n## SLA clocks\n\nold sla\n\n"
        "## Sentiment trigger quality\n\nold figures\n\n## Live push\n\nold push\n",
        encoding="utf-8",
    )
    # when the section is written
    docs_write("## Sentiment trigger quality\n\nnew figures\n", path=page)
    # then only that section changed
    assert page.read_text(encoding="utf-8") == (
        "# KimonDesk benchmarks\n\n## SLA clocks\n\nold sla\n\n"
        "## Sentiment trigger quality\n\nnew figures\n\n## Live push\n\nold push\n"
    )


def test_docs_write_creates_the_page_with_its_heading(tmp_path) -> None:
    page = tmp_path / "docs" / "benchmarks.md"
    docs_write("## Sentiment trigger quality\n\nfigures\n", path=page)
    assert page.read_text(encoding="utf-8") == (
        "# KimonDesk benchmarks\n\n## Sentiment trigger quality\n\nfigures\n"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param(
            "My order was delayed again and nobody told me why.",
            "service failure: 'was delayed'",
            id="service-failure-delayed",
        ),
        pytest.param(
            "You lost my package and the tracking page says nothing.",
            "service failure: 'you lost my'",
            id="service-failure-lost",
        ),
        pytest.param(
            "There are hidden fees on my invoice I never agreed to.",
            "service failure: 'hidden fees'",
            id="service-failure-fees",
        ),
        pytest.param(
            "I expect a full refund for the cancelled subscription.",
            "service failure: 'expect a full refund'",
            id="service-failure-refund",
        ),
        pytest.param(
            "How hard is it to send a password reset email?",
            "rhetorical complaint: 'how hard is it'",
            id="rhetorical-how-hard",
        ),
        pytest.param(
            "I need to speak to a real person about my account.",
            "rhetorical complaint: 'speak to a real person'",
            id="rhetorical-real-person",
        ),
        pytest.param(
            "Thanks for losing my order twice.",
            "sarcasm: 'thanks for losing'",
            id="sarcasm-thanks-for-losing",
        ),
        pytest.param(
            "Gotta love paying for a plan that never loads.",
            "sarcasm: 'gotta love'",
            id="sarcasm-gotta-love",
        ),
        pytest.param(
            "I've been on hold for 40 minutes with your billing team.",
            "factual complaint: 'on hold for'",
            id="waiting-on-hold",
        ),
        pytest.param(
            "I was hung up on twice by your support line.",
            "factual complaint: 'hung up on'",
            id="waiting-hung-up-on",
        ),
        pytest.param(
            "It's been 3 weeks and counting since I asked for my invoice.",
            "factual complaint: 'it's been 3 weeks'",
            id="waiting-it-has-been",
        ),
        pytest.param(
            "The invoice is wrong and nobody answers my emails.",
            "factual complaint: 'nobody answers'",
            id="waiting-nobody-answers",
        ),
        pytest.param(
            "The app keeps timing out when I try to pay.",
            "malfunction: 'keeps timing out'",
            id="malfunction-keeps-timing-out",
        ),
        pytest.param(
            "I will never be ordering from you again.",
            "churn threat: 'never be ordering from you again'",
            id="churn-never-again",
        ),
        pytest.param(
            "Switching providers next month after this.",
            "churn threat: 'switching providers'",
            id="churn-switching-providers",
        ),
        pytest.param(
            "I got a canned response that ignored my question.",
            "complaint wording: 'canned response'",
            id="complaint-canned-response",
        ),
        pytest.param(
            "Your team lied to me about the renewal date.",
            "complaint wording: 'lied to me'",
            id="complaint-lied-to-me",
        ),
        pytest.param(
            "Really frustrated that my invoice is wrong again.",
            "complaint wording: 'frustrated'",
            id="complaint-frustrated",
        ),
    ],
)
def test_helpdesk_pattern_makes_a_message_negative(text: str, reason: str) -> None:
    # given a customer message with one of the helpdesk complaint patterns
    # when it is scored, then it is negative and the pattern is the first reason given
    assert _label_and_first_reason(text) == ("negative", reason)


def _label_and_first_reason(text: str) -> tuple[str, str]:
    score = sentiment_score_message(text)
    return score.label, score.reasons[0] if score.reasons else ""


@pytest.mark.parametrize(
    ("text", "label"),
    [
        pytest.param("Thanks for the quick reply!", "positive", id="thanks-is-not-sarcasm"),
        pytest.param("Thanks a lot for the fast refund!", "positive", id="refund-thanks"),
        pytest.param("No problem, I found the invoice myself.", "positive", id="no-problem"),
        pytest.param(
            "We were delayed by the snow but the team sorted everything. Great job!",
            "positive",
            id="delay-resolved",
        ),
        pytest.param(
            "Why do I need to verify my email address?", "neutral", id="plain-why-question"
        ),
        pytest.param("Where can I download my invoice?", "neutral", id="plain-where-question"),
        pytest.param(
            "I would like to talk to a manager about upgrading our plan, we love it.",
            "positive",
            id="manager-for-an-upgrade",
        ),
        pytest.param("Gotta say, the new dashboard is lovely.", "positive", id="gotta-say"),
        pytest.param(
            "I waited about an hour but it was worth it, thanks!", "neutral", id="wait-worth-it"
        ),
        pytest.param(
            "I will be ordering from you again, great service.", "positive", id="ordering-again"
        ),
        pytest.param(
            "I'm switching plans to the annual one, love it.", "positive", id="switching-plans"
        ),
        pytest.param(
            "Not disappointed at all with the replacement.", "positive", id="negated-disappointed"
        ),
        pytest.param(
            "I reset my password and everything is working now.", "neutral", id="working-now"
        ),
        pytest.param(
            "@acme_support thanks, great service today https://example.com/great",
            "positive",
            id="mention-and-link-with-praise",
        ),
        pytest.param(
            "@united_help my order still shows pending", "neutral", id="positive-word-in-mention"
        ),
        pytest.param(
            "Order #12 &amp; order #13 were both charged twice", "negative", id="html-entity"
        ),
    ],
)
def test_helpdesk_pattern_near_miss_keeps_its_label(text: str, label: str) -> None:
    # given a message that shares words with a complaint pattern but is not a complaint, or whose
    # @mention, link or HTML entity holds a lexicon word (only the message's words may decide)
    # when it is scored
    score = sentiment_score_message(text)
    # then its label is the expected one
    assert score.label == label


def test_airline_benchmark_split_is_fixed_and_disjoint() -> None:
    # given the committed human-labelled tweets
    messages = airline_load()
    # when they are split
    dev, test = dataset_split(messages, AIRLINE_SPLIT_SEED)
    # then the sizes are the documented ones and no tweet is on both sides
    assert (len(messages), len(dev), len(test)) == (4057, 2028, 2029)
    assert {m.id for m in dev}.isdisjoint({m.id for m in test})
    assert sum(m.label == "negative" for m in messages) == 2631
    assert sum(m.label == "negative" for m in test) == 1321


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Is my order delayed?", id="order-delayed"),
        pytest.param("Could you explain the charges on my last bill?", id="charges"),
        pytest.param("Hi, what does the error code E42 mean?", id="error-code"),
        pytest.param("Please correct the wrong VAT number on the next invoice.", id="request"),
    ],
)
def test_a_plain_question_or_request_is_not_negative(text: str) -> None:
    # given one short question or polite request with mildly negative words
    # when it is scored
    score = sentiment_score_message(text)
    # then it is not negative and carries no reasons
    assert score.label == "neutral"
    assert score.reasons == ()


@pytest.mark.parametrize(
    ("text", "first_reason"),
    [
        pytest.param(
            "Is this the worst service ever?", "complaint wording: 'worst'", id="angry-question"
        ),
        pytest.param(
            "Is my order delayed? This is the third time, it is a disgrace.",
            "repeated contact: 'third time'",
            id="question-then-complaint",
        ),
        pytest.param(
            "Why is my order delayed?", "rhetorical complaint: 'why is my'", id="why-question"
        ),
    ],
)
def test_a_complaint_phrased_as_a_question_stays_negative(text: str, first_reason: str) -> None:
    score = sentiment_score_message(text)
    assert score.label == "negative"
    assert score.reasons[0] == first_reason


def test_social_posts_split_is_fixed() -> None:
    messages = tweets_load()
    dev, test = dataset_split(messages, TWEETS_SPLIT_SEED)
    assert (len(messages), len(dev), len(test)) == (4004, 2002, 2002)
    assert sum(m.label == "negative" for m in test) == 487


def test_social_posts_quality_gate() -> None:
    # given the social-posts set, never used for tuning
    _dev, test = dataset_split(tweets_load(), TWEETS_SPLIT_SEED)
    # when the KimonDesk scorer labels its test split
    ours = negative_quality(test, kimondesk_predict)
    # then it keeps its measured floor (figures: docs/benchmarks.md)
    assert ours.precision >= 0.78
    assert ours.f1 >= 0.80


@pytest.mark.parametrize(
    ("load", "seed", "sizes", "test_negatives"),
    [
        pytest.param(movie_load, MOVIE_SPLIT_SEED, (10605, 5302, 5303), 2593, id="movie"),
        pytest.param(nyt_load, NYT_SPLIT_SEED, (5190, 2582, 2608), 818, id="news"),
    ],
)
def test_movie_and_news_splits_are_fixed_and_disjoint(
    load: Callable[[], list[LabeledMessage]],
    seed: int,
    sizes: tuple[int, int, int],
    test_negatives: int,
) -> None:
    # given a committed human-rated set of another kind
    messages = load()
    # when it is split
    dev, test = dataset_split(messages, seed)
    # then the sizes are the documented ones and no snippet or article is on both sides
    assert (len(messages), len(dev), len(test)) == sizes
    assert {m.group for m in dev}.isdisjoint({m.group for m in test})
    assert sum(m.label == "negative" for m in test) == test_negatives


@pytest.mark.parametrize(
    ("load", "seed", "precision", "f1"),
    [
        pytest.param(movie_load, MOVIE_SPLIT_SEED, 0.70, 0.48, id="movie"),
        pytest.param(nyt_load, NYT_SPLIT_SEED, 0.60, 0.55, id="news"),
    ],
)
def test_movie_and_news_quality_floors(
    load: Callable[[], list[LabeledMessage]], seed: int, precision: float, f1: float
) -> None:
    # given the test split of a set never used for tuning
    _dev, test = dataset_split(load(), seed)
    # when the KimonDesk scorer labels it
    ours = negative_quality(test, kimondesk_predict)
    # then it keeps its measured floor (figures: docs/benchmarks.md)
    assert ours.precision >= precision
    assert ours.f1 >= f1


def test_neutral_support_questions_gate() -> None:
    # given the 152 neutral support questions
    messages = neutral_load()
    assert len(messages) == 152
    assert {m.label for m in messages} == {"neutral"}
    # when they are scored
    negative = [m.text for m in messages if kimondesk_predict(m.text) == "negative"]
    # then at most 2% of them are negative
    assert len(negative) <= 3


def test_thresholds_calibrate_picks_the_best_f1_at_the_precision_floor() -> None:
    # given uncued evidence at -0.1 (not negative), -0.3 and -0.6 (both negative)
    scored = [
        (SentimentEvidence(-0.1, False, False, ()), False),
        (SentimentEvidence(-0.3, False, False, ()), True),
        (SentimentEvidence(-0.6, False, False, ()), True),
    ]
    # when thresholds are calibrated on it
    thresholds = thresholds_calibrate(scored)
    # then the loosest uncued threshold that still excludes -0.1 wins; ties keep the first cued one
    assert thresholds == SentimentThresholds(cued=-0.05, uncued=-0.15)
