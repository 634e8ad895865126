"""Server-side SVG charts: no script, no CDN, readable without colour (markers + a table)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 720
HEIGHT = 260
PAD_LEFT = 48
PAD_RIGHT = 32
PAD_TOP = 16
PAD_BOTTOM = 40


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    values: list[float | None]
    dashed: bool = False


NICE_STEPS = (1.0, 2.0, 5.0)
MAX_TICKS = 6  # gridlines including 0


def nice_ticks(*, peak: float, max_ticks: int = MAX_TICKS) -> list[float]:
    """Axis ticks for shares (0..1) from 0 to at least ``peak``: evenly spaced by a round step
    (1, 2 or 5 times a power of ten, in percent), at most ``max_ticks`` of them, so every
    label is a round number and none is skipped (0, 1, 2, 3, 4, 5 %)."""
    peak_pct = max(peak * 100, 1.0)  # an empty chart still shows 0..1 %
    magnitude = 10 ** math.floor(math.log10(peak_pct / (max_ticks - 1)))
    step = next(
        (
            m * magnitude
            for m in (*NICE_STEPS, 10.0)
            if math.ceil(peak_pct / (m * magnitude)) < max_ticks
        ),
        10 * magnitude,
    )
    count = math.ceil(round(peak_pct / step, 9))
    return [round(i * step, 9) / 100 for i in range(count + 1)]


def tick_label(value: float, ticks: list[float]) -> str:
    """A tick as a percentage with as many decimals as the step needs (0.5 % steps: one); 0 is
    always "0%"."""
    if value == 0:
        return "0%"
    step_pct = round((ticks[1] - ticks[0]) * 100, 6) if len(ticks) > 1 else 1.0
    places = (
        0 if float(step_pct).is_integer() else (1 if round(step_pct * 10, 6).is_integer() else 2)
    )
    return f"{value * 100:.{places}f}%"


def _f(value: float) -> str:
    return f"{value:.1f}"


def _svg_open(*, chart_id: str, title: str, desc: str) -> str:
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        chart_id,
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
    )


def _gridline(*, y: float, label: str) -> str:
    return format_html(
        '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
        PAD_LEFT,
        WIDTH - PAD_RIGHT,
        _f(y),
        _f(y),
        PAD_LEFT - 6,
        _f(y + 4),
        label,
    )


def line_chart_svg(
    *, title: str, labels: list[str], series: list[Series], desc: str = "", chart_id: str = "chart"
) -> SafeString:
    """A line chart of rates (0..1 shown as %) over ``labels``; gaps where a value is None.
    ``desc`` (the chart's text alternative) should say where the same numbers are in a table."""
    peak = max((v for s in series for v in s.values if v is not None), default=0.0)
    ticks = nice_ticks(peak=peak)
    top = ticks[-1]
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return PAD_LEFT + i * step

    def y(v: float) -> float:
        return PAD_TOP + plot_h - (v / top) * plot_h

    parts: list[str] = [_svg_open(chart_id=chart_id, title=title, desc=desc or title)]
    parts.extend(_gridline(y=y(tick), label=tick_label(tick, ticks)) for tick in ticks)
    for i, label in enumerate(labels):
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _f(x(i)),
                HEIGHT - PAD_BOTTOM + 18,
                label,
            )
        )
    for s in series:
        segments: list[list[str]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                segments.append([])
            else:
                segments[-1].append(f"{_f(x(i))},{_f(y(v))}")
        parts.extend(
            format_html(
                '<polyline class="{}{}" fill="none" points="{}"/>',
                s.css_class,
                " dashed" if s.dashed else "",
                " ".join(points),
            )
            for points in segments
            if len(points) > 1
        )
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(
                    format_html(
                        '<circle class="{}" cx="{}" cy="{}" r="3"><title>{}: {} {}%</title>'
                        "</circle>",
                        s.css_class,
                        _f(x(i)),
                        _f(y(v)),
                        s.name,
                        labels[i],
                        f"{v * 100:.1f}",
                    )
                )
    legend_x = PAD_LEFT
    for s in series:
        parts.append(
            format_html(
                '<rect class="{}" x="{}" y="{}" width="12" height="4"/>'
                '<text class="legend" x="{}" y="{}">{}</text>',
                s.css_class,
                legend_x,
                HEIGHT - 12,
                legend_x + 16,
                HEIGHT - 8,
                s.name,
            )
        )
        legend_x += 16 + 6 * len(s.name) + 20  # about 6 px per character at 11 px
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is built with format_html)


@dataclass(frozen=True)
class RateBin:
    low: float
    high: float
    agents: int
    last: bool  # the last bin includes its upper edge

    @property
    def label(self) -> str:
        return f"{self.low * 100:g} to {self.high * 100:g}%"


DISTRIBUTION_BINS = 10


def rate_bins(*, rates: list[float], bins: int = DISTRIBUTION_BINS) -> list[RateBin]:
    """Agents per band of rate: bands of a round width (nice ticks) from 0 to the highest rate;
    a rate on a band edge falls in the higher band, the top edge in the last band."""
    edges = nice_ticks(peak=max(rates, default=0.0), max_ticks=bins + 1)
    result = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        last = i == len(edges) - 2
        n = sum(1 for r in rates if low <= r < high or (last and r == high))
        result.append(RateBin(low=low, high=high, agents=n, last=last))
    return result


def distribution_chart_svg(
    *, title: str, desc: str, bins: list[RateBin], median: float | None, chart_id: str
) -> SafeString:
    """A histogram of agents per band of rate, with the team median as a dashed vertical line."""
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    low, top = bins[0].low, bins[-1].high
    most = max((b.agents for b in bins), default=0)
    y_step = max(1, math.ceil(most / 5))
    y_top = max(y_step * math.ceil(most / y_step), 1)

    def x(v: float) -> float:
        return PAD_LEFT + (v - low) / (top - low) * plot_w

    def y(n: float) -> float:
        return PAD_TOP + plot_h - n / y_top * plot_h

    parts: list[str] = [_svg_open(chart_id=chart_id, title=title, desc=desc)]
    parts.extend(_gridline(y=y(n), label=str(n)) for n in range(0, y_top + 1, y_step))
    edges = [b.low for b in bins] + [top]
    parts.extend(
        format_html(
            '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
            _f(x(edge)),
            HEIGHT - PAD_BOTTOM + 18,
            tick_label(edge, edges),
        )
        for edge in edges
    )
    parts.extend(
        format_html(
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}: {} agent{}</title></rect>",
            _f(x(b.low) + 1),
            _f(y(b.agents)),
            _f(x(b.high) - x(b.low) - 2),
            _f(y(0) - y(b.agents)),
            b.label,
            b.agents,
            "" if b.agents == 1 else "s",
        )
        for b in bins
        if b.agents
    )
    if median is not None:
        parts.append(
            format_html(
                '<line class="median" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="legend median-label" x="{}" y="{}" text-anchor="{}">'
                "Team median {}%</text>",
                _f(x(median)),
                _f(x(median)),
                PAD_TOP,
                _f(y(0)),
                _f(x(median)),
                PAD_TOP - 5,  # above the plot, clear of the bars
                "end" if x(median) > WIDTH * 0.7 else "start",
                f"{median * 100:.1f}",
            )
        )
    parts.append(
        format_html(
            '<text class="legend" x="{}" y="{}">Agents per band of coaching rate</text>',
            PAD_LEFT,
            HEIGHT - 8,
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is built with format_html)
