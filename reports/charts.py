"""Server-side SVG charts: no script, no CDN, readable without colour (markers + a table)."""

from __future__ import annotations

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


def _nice_max(peak: float) -> float:
    for top in (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0):
        if peak <= top:
            return top
    return float(int(peak) + 1)


def _f(value: float) -> str:
    return f"{value:.1f}"


def line_chart_svg(*, title: str, labels: list[str], series: list[Series]) -> SafeString:
    """A line chart of rates (0..1 shown as %) over ``labels``; gaps where a value is None."""
    peak = max((v for s in series for v in s.values if v is not None), default=0.0)
    top = _nice_max(peak)
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_w / max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return PAD_LEFT + i * step

    def y(v: float) -> float:
        return PAD_TOP + plot_h - (v / top) * plot_h

    parts: list[str] = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title>',
            WIDTH,
            HEIGHT,
            title,
        )
    ]
    for k in range(5):
        tick = top * k / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}%</text>',
                PAD_LEFT,
                WIDTH - PAD_RIGHT,
                _f(y(tick)),
                _f(y(tick)),
                PAD_LEFT - 6,
                _f(y(tick) + 4),
                f"{tick * 100:.0f}",
            )
        )
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
        legend_x += 16 + 8 * len(s.name) + 24
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is built with format_html)
