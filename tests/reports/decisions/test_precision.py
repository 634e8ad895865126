"""Rule precision from receivers' feedback: figures against hand-counted fixtures."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from reports.decisions.precision import precision_examples, rule_precision, trigger_precision
from reports.selectors import month_window

pytestmark = pytest.mark.django_db

MARCH = month_window(month=date(2026, 3, 1), zone=ZoneInfo("UTC"))


def _figures(rows):
    return [
        (row.label, row.fired, row.judged, row.needed, row.coverage, row.needed_share)
        for row in rows
    ]


def test_per_rule_fires_coverage_and_share_judged_needed(judged_month):
    rows = rule_precision(team=judged_month["team"], window=MARCH)

    assert _figures(rows) == [
        ("Angry", 4, 3, 1, 0.75, 1 / 3),
        ("Big refund", 2, 2, 2, 1.0, 1.0),
        ("Quiet", 0, 0, 0, None, None),
    ]
    assert rows[0].not_needed_reasons == {"first_level": 1, "customer_not_upset": 1}
    # Most frequent first; ties in the order of the reason codes.
    assert rows[0].reasons_labelled == [
        ("Customer was not upset", 1),
        ("Could have been solved at first level", 1),
    ]
    assert rows[0].key == str(judged_month["rules"]["angry"].pk)


def test_per_trigger_kind_includes_manual_escalations(judged_month):
    rows = {row.key: row for row in trigger_precision(team=judged_month["team"], window=MARCH)}

    assert list(rows) == [
        "sentiment_negative",
        "frt_amber",
        "sla_breach",
        "tier_upgrade",
        "refund_threshold",
        "escalate_tag",
        "manual",
        "unacknowledged",
    ]
    assert _figures([rows["sentiment_negative"], rows["refund_threshold"], rows["manual"]]) == [
        ("Customer sentiment turned negative", 4, 3, 1, 0.75, 1 / 3),
        ("Refund at or over a threshold", 2, 2, 2, 1.0, 1.0),
        ("Manual escalation", 2, 1, 0, 0.5, 0.0),
    ]
    assert rows["manual"].not_needed_reasons == {"first_level": 1}
    assert _figures([rows["sla_breach"]]) == [("SLA breached", 0, 0, 0, None, None)]


def test_worst_examples_are_the_ones_judged_not_needed_newest_first(judged_month):
    team = judged_month["team"]

    by_rule = precision_examples(team=team, window=MARCH, rule_id=judged_month["rules"]["angry"].pk)
    by_trigger = precision_examples(team=team, window=MARCH, trigger="manual")

    assert [e.pk for e in by_rule] == [
        judged_month["angry_not_upset"].pk,
        judged_month["angry_first_level"].pk,
    ]
    assert [e.pk for e in by_trigger] == [judged_month["manual_first_level"].pk]
