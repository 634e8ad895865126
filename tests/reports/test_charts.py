"""Server-side SVG chart and the report number formats."""

import re
from datetime import timedelta

import pytest

from reports.charts import (
    Series,
    distribution_chart_svg,
    line_chart_svg,
    nice_ticks,
    rate_bins,
    tick_label,
)
from reports.templatetags.reports_tags import minutes, pct, ratio


def test_line_chart_draws_points_breaks_gaps_and_escapes_names():
    svg = line_chart_svg(
        title="Rate of <Ana>",
        labels=["2026-01", "2026-02", "2026-03"],
        series=[Series("Rate & more", "s-raw", [0.1, None, 0.2])],
    )

    assert svg.startswith('<svg class="chart" id="chart" viewBox="0 0 720 260" role="img"')
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


@pytest.mark.parametrize(
    ("peak", "labels"),
    [
        (0.048, ["0%", "1%", "2%", "3%", "4%", "5%"]),
        (0.03, ["0%", "1%", "2%", "3%"]),
        (0.051, ["0%", "2%", "4%", "6%"]),
        (0.12, ["0%", "5%", "10%", "15%"]),
        (0.667, ["0%", "20%", "40%", "60%", "80%"]),
        (1.0, ["0%", "20%", "40%", "60%", "80%", "100%"]),
        (0.004, ["0%", "0.2%", "0.4%", "0.6%", "0.8%", "1.0%"]),
        (0.0, ["0%", "0.2%", "0.4%", "0.6%", "0.8%", "1.0%"]),
    ],
    ids=["5pct", "3pct", "just-over-5", "12pct", "two-thirds", "all", "tiny", "empty"],
)
def test_nice_ticks_are_round_evenly_spaced_and_cover_the_peak(peak, labels):
    ticks = nice_ticks(peak=peak)

    assert [tick_label(t, ticks) for t in ticks] == labels


def test_line_chart_axis_has_every_tick_up_to_five_percent():
    svg = line_chart_svg(title="t", labels=["a", "b"], series=[Series("s", "s-raw", [0.01, 0.048])])

    assert re.findall(r'text-anchor="end">([^<]+)</text>', svg) == [
        "0%",
        "1%",
        "2%",
        "3%",
        "4%",
        "5%",
    ]


def test_charts_carry_title_and_description_for_screen_readers():
    svg = line_chart_svg(
        chart_id="chart-trend",
        title="Team trend",
        desc="Three lines; the table below has the same numbers.",
        labels=["a"],
        series=[Series("s", "s-raw", [0.1])],
    )

    assert svg.startswith(
        '<svg class="chart" id="chart-trend" viewBox="0 0 720 260" role="img" '
        'aria-labelledby="chart-trend-title chart-trend-desc"'
    )
    assert '<title id="chart-trend-title">Team trend</title>' in svg
    assert (
        '<desc id="chart-trend-desc">Three lines; the table below has the same numbers.</desc>'
        in svg
    )


def test_rate_bins_count_agents_per_round_band_edges_upwards():
    bins = rate_bins(rates=[0.0, 0.01, 0.02, 0.025, 0.05, 0.05])

    assert [(b.label, b.agents) for b in bins] == [
        ("0 to 0.5%", 1),
        ("0.5 to 1%", 0),
        ("1 to 1.5%", 1),
        ("1.5 to 2%", 0),
        ("2 to 2.5%", 1),
        ("2.5 to 3%", 1),
        ("3 to 3.5%", 0),
        ("3.5 to 4%", 0),
        ("4 to 4.5%", 0),
        ("4.5 to 5%", 2),
    ]


def test_distribution_chart_draws_a_bar_per_filled_band_and_the_median():
    bins = rate_bins(rates=[0.1, 0.2, 0.2, 0.4])

    svg = distribution_chart_svg(
        chart_id="chart-distribution", title="Spread", desc="d", bins=bins, median=0.2
    )

    assert svg.count('<rect class="bar"') == 3
    assert "<title>20 to 25%: 2 agents</title>" in svg
    assert "<title>35 to 40%: 1 agent</title>" in svg
    assert "Team median 20.0%</text>" in svg
    assert '<line class="median" x1="368.0" x2="368.0"' in svg
