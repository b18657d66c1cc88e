"""Stats charts: (label, value) series -> SVG markup with a title and a description; pure."""

from __future__ import annotations

import html
import logging
from typing import Sequence

logger = logging.getLogger(__name__)

BAR_COLOR = "#2f6db5"
ALT_COLOR = "#c2410c"
TRACK_COLOR = "#d9dee5"
_WIDTH = 800


def _nice_step(peak: int, lines: int = 4) -> int:
    raw = max(1, peak / lines)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _svg_open(key: str, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg class="chart chart-{key}" viewBox="0 0 {_WIDTH} {height}" role="img"'
        f' aria-labelledby="chart-{key}-title" aria-describedby="chart-{key}-desc"'
        ' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet"'
        ' font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="chart-{key}-title">{html.escape(title)}</title>',
        f'<desc id="chart-{key}-desc">{html.escape(description)}</desc>',
    ]


def bar_chart(
    key: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int]],
    label_every: int = 1,
    height: int = 260,
) -> str:
    """A vertical bar chart as SVG markup: one bar per (label, value), a y axis with grid lines."""
    left, right, top, bottom = 44, 10, 12, 40
    plot_w, plot_h = _WIDTH - left - right, height - top - bottom
    peak = max((v for _, v in bars), default=0)
    step = _nice_step(peak)
    ceiling = max(step, -(-peak // step) * step)
    parts = _svg_open(key, height, title, description)
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(
            f'<line x1="{left}" x2="{_WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"'
            f' stroke="{TRACK_COLOR}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"{tick}</text>"
        )
    slot = plot_w / max(1, len(bars))
    gap = min(2.0, slot * 0.2)
    for index, (label, value) in enumerate(bars):
        x = left + index * slot
        bar_h = plot_h * value / ceiling
        parts.append(
            f'<rect class="bar" x="{x + gap / 2:.1f}" y="{top + plot_h - bar_h:.1f}"'
            f' width="{max(0.5, slot - gap):.1f}" height="{bar_h:.1f}" fill="{BAR_COLOR}">'
            f"<title>{html.escape(label)} : {value}</title></rect>"
        )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle"'
                f' fill="currentColor">{html.escape(label)}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{_WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}"'
        ' stroke="currentColor" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    key: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int]],
    total: int | None = None,
    percent: bool = False,
) -> str:
    """Horizontal bars (one row per label), with the value written at the end of each bar."""
    row, top, label_w, value_w = 26, 8, 220, 90
    height = top * 2 + row * max(1, len(bars))
    peak = total if total else max((v for _, v in bars), default=1) or 1
    plot_w = _WIDTH - label_w - value_w
    parts = _svg_open(key, height, title, description)
    for index, (label, value) in enumerate(bars):
        y = top + index * row
        width = plot_w * value / peak if peak else 0
        shown = f"{value} ({value / total:.0%})" if percent and total else str(value)
        short = label if len(label) <= 32 else label[:31] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" fill="currentColor">'
            f"{html.escape(short)}</text>"
        )
        if percent:
            parts.append(
                f'<rect x="{label_w}" y="{y + 4}" width="{plot_w}" height="{row - 8}"'
                f' fill="{TRACK_COLOR}"/>'
            )
        parts.append(
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row - 8}"'
            f' fill="{ALT_COLOR if percent else BAR_COLOR}">'
            f"<title>{html.escape(label)} : {html.escape(shown)}</title></rect>"
            f'<text x="{label_w + (plot_w if percent else width) + 6:.1f}" y="{y + 17}"'
            f' fill="currentColor">{html.escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def small_multiples(
    key: str,
    title: str,
    description: str,
    series: Sequence[tuple[str, Sequence[int]]],
    buckets: Sequence[str],
    axis_labels: Sequence[str] | None = None,
) -> str:
    """One row of bars per series, all on the same scale, the bucket labels under the last row."""
    axis_labels = axis_labels or buckets
    row, top, label_w, right = 46, 8, 160, 50
    height = top + row * max(1, len(series)) + 24
    plot_w = _WIDTH - label_w - right
    peak = max((max(values, default=0) for _, values in series), default=0) or 1
    slot = plot_w / max(1, len(buckets))
    gap = min(2.0, slot * 0.2)
    parts = _svg_open(key, height, title, description)
    for index, (name, values) in enumerate(series):
        base = top + (index + 1) * row - 6
        short = name if len(name) <= 22 else name[:21] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{base - 4}" text-anchor="end" fill="currentColor">'
            f"{html.escape(short)}</text>"
            f'<line x1="{label_w}" x2="{label_w + plot_w}" y1="{base}" y2="{base}"'
            f' stroke="{TRACK_COLOR}"/>'
        )
        for position, value in enumerate(values):
            if not value:
                continue
            bar_h = (row - 12) * value / peak
            parts.append(
                f'<rect class="bar" x="{label_w + position * slot + gap / 2:.1f}"'
                f' y="{base - bar_h:.1f}" width="{max(0.5, slot - gap):.1f}"'
                f' height="{bar_h:.1f}" fill="{BAR_COLOR}">'
                f"<title>{html.escape(name)}, {html.escape(buckets[position])} : {value}</title>"
                "</rect>"
            )
        parts.append(
            f'<text x="{label_w + plot_w + 6}" y="{base - 4}" fill="currentColor">'
            f"{sum(values)}</text>"
        )
    if buckets:
        last = top + row * len(series) + 16
        every = max(1, -(-len(buckets) // 7))
        for position in range(0, len(buckets), every):
            parts.append(
                f'<text x="{label_w + position * slot + slot / 2:.1f}" y="{last}"'
                f' text-anchor="middle" fill="currentColor">'
                f"{html.escape(axis_labels[position])}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
