"""Server-side SVG chart and the report number formats."""

from datetime import timedelta

import pytest

from reports.charts import Series, line_chart_svg
from reports.templatetags.reports_tags import minutes, pct, ratio


def test_line_chart_draws_points_breaks_gaps_and_escapes_names():
    svg = line_chart_svg(
        title="Rate of <Ana>",
        labels=["2026-01", "2026-02", "2026-03"],
        series=[Series("Rate & more", "s-raw", [0.1, None, 0.2])],
    )

    assert svg.startswith('<svg class="chart" viewBox="0 0 720 260" role="img"')
    assert '<title id="chart-title">Rate of &lt;Ana&gt;</title>' in svg
    assert "<polyline" not in svg  # a gap leaves no segment of two points
    assert svg.count('<circle class="s-raw"') == 2
    assert "<title>Rate &amp; more: 2026-03 20.0%</title>" in svg
    assert ">20%</text>" in svg  # the axis tops out at the peak, a round share


def test_line_chart_joins_consecutive_points():
    svg = line_chart_svg(
        title="t", labels=["a", "b"], series=[Series("s", "s-raw", [0.0, 0.5], dashed=True)]
    )

    assert '<polyline class="s-raw dashed" fill="none" points="48.0,220.0 688.0,16.0"/>' in svg


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "\u2013"), (0.125, "12%"), (0.5, "50%")],
    ids=["none", "rounded", "half"],
)
def test_pct(value, expected):
    assert pct(value) == expected


def test_pct_with_places_minutes_and_ratio():
    assert pct(0.125, 1) == "12.5%"
    assert minutes(timedelta(minutes=15)) == "15 min"
    assert minutes(timedelta(hours=3)) == "3.0 h"
    assert minutes(None) == "\u2013"
    assert ratio(2 / 3) == "0.67"
