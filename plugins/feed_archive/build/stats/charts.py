"""Stats charts: numbers -> SVG bars (no text) that stretch to any width, label positions; pure."""

# No text is drawn inside the SVG, where it would shrink with the drawing on a phone: the page
# writes axis labels, names and values in HTML around it (at the positions computed here), and
# each SVG carries a <title>, a <desc> and one <title> per bar for its tooltip.

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Sequence

logger = logging.getLogger(__name__)

BAR_COLOR = "#2f6db5"
ALT_COLOR = "#c2410c"
TRACK_COLOR = "#d9dee5"
#: User units across every chart; the SVG is stretched to the width of the page.
WIDTH = 1000
#: User units up a column chart (its height is set by the page's stylesheet).
HEIGHT = 100
#: User units per row of a row chart: the page gives each row the same height in rem.
ROW = 100


@dataclass(frozen=True)
class Tick:
    """A label under a chart's bars: its text, where it goes, whether narrow screens keep it."""

    text: str
    #: CSS left edge and width of the label's bar ("41.67%", "1.11%"): centred under it
    left: str
    width: str
    #: "start" or "end": the first or last label, kept inside the chart's edge when it is
    #: wider than its bar
    edge: str
    #: kept on narrow screens (the others are shown from the page's wide layout up)
    major: bool


def scale(peak: int, lines: int = 4) -> list[int]:
    """Round values for a y axis from 0 to at least `peak`, evenly spaced, about `lines` steps."""
    raw = max(1.0, peak / lines)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)
    ceiling = max(step, -(-peak // step) * step)
    return list(range(0, ceiling + 1, step))


def label_positions(count: int, most: int = 7, fewest: int = 3) -> list[tuple[int, bool]]:
    """Which of `count` bars get a label: (index, major) pairs, the first and last bar included.

    At most `most` labels, evenly spaced; at most `fewest` of them are major (kept on a phone),
    every major one also being a label of the wide layout, so none moves between layouts.
    """
    if count <= 0:
        return []
    if count == 1:
        return [(0, True)]
    last = count - 1
    step = -(-last // (most - 1))
    wide = -(-last // (fewest - 1))
    major_step = step * -(-wide // step)
    picks = [i for i in range(0, last, step) if last - i >= step * 0.6] + [last]
    return [(i, i == last or (i % major_step == 0 and last - i >= major_step * 0.6)) for i in picks]


def ticks(labels: Sequence[str], most: int = 7, fewest: int = 3) -> list[Tick]:
    """The labels to write under `len(labels)` evenly spaced bars, one text per bar given."""
    count = len(labels)
    found = []
    for index, major in label_positions(count, most, fewest):
        edge = "start" if index == 0 else "end" if index == count - 1 else ""
        left, width = f"{100 * index / count:.2f}%", f"{100 / count:.2f}%"
        found.append(Tick(labels[index], left, width, edge, major))
    return found


def _open(key: str, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg class="chart chart-{key}" viewBox="0 0 {WIDTH} {height}"'
        ' preserveAspectRatio="none" role="img"'
        f' aria-labelledby="chart-{key}-title" aria-describedby="chart-{key}-desc"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-{key}-title">{html.escape(title)}</title>',
        f'<desc id="chart-{key}-desc">{html.escape(description)}</desc>',
    ]


def _rule(y: float, kind: str = "grid") -> str:
    color = TRACK_COLOR if kind == "grid" else "currentColor"
    return (
        f'<line class="{kind}" x1="0" x2="{WIDTH}" y1="{y:.2f}" y2="{y:.2f}" stroke="{color}"'
        ' stroke-width="1" vector-effect="non-scaling-stroke"/>'
    )


def _bar(x: float, y: float, width: float, height: float, tip: str, color: str) -> str:
    return (
        f'<rect class="bar" x="{x:.2f}" y="{y:.2f}" width="{width:.2f}" height="{height:.2f}"'
        f' fill="{color}"><title>{html.escape(tip)}</title></rect>'
    )


def bar_chart(
    key: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int]],
    axis: Sequence[int] | None = None,
) -> str:
    """Vertical bars, one per (tooltip, value), on the y axis `axis` (from `scale()`)."""
    axis = list(axis or scale(max((v for _, v in bars), default=0)))
    ceiling = axis[-1] or 1
    parts = _open(key, HEIGHT, title, description)
    parts += [_rule(HEIGHT - HEIGHT * tick / ceiling) for tick in axis[1:]]
    slot = WIDTH / max(1, len(bars))
    gap = slot * 0.2 if slot >= 5 else 0.0
    for index, (tip, value) in enumerate(bars):
        bar_h = HEIGHT * value / ceiling
        parts.append(
            _bar(index * slot + gap / 2, HEIGHT - bar_h, slot - gap, bar_h, tip, BAR_COLOR)
        )
    parts.append(_rule(HEIGHT, "base"))
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(
    key: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, int]],
    total: int | None = None,
) -> str:
    """One row per (tooltip, value): a horizontal bar in the lower part of the row.

    With `total`, each bar is a share of it drawn on a full-width track; otherwise the largest
    value spans the width. The page writes each row's name and value above its bar.
    """
    rows = max(1, len(bars))
    peak = total or max((v for _, v in bars), default=0) or 1
    parts = _open(key, ROW * rows, title, description)
    for index, (tip, value) in enumerate(bars):
        top = index * ROW + 0.58 * ROW
        if total:
            parts.append(
                f'<rect class="track" x="0" y="{top:.2f}" width="{WIDTH}"'
                f' height="{0.32 * ROW:.2f}" fill="{TRACK_COLOR}"/>'
            )
        color = ALT_COLOR if total else BAR_COLOR
        parts.append(_bar(0, top, WIDTH * value / peak, 0.32 * ROW, tip, color))
    parts.append("</svg>")
    return "".join(parts)


def small_multiples(
    key: str,
    title: str,
    description: str,
    series: Sequence[tuple[Sequence[int], Sequence[str]]],
) -> str:
    """One row of bars per series (values, one tooltip per value), all on the same scale.

    The bars fill the lower part of each row; the page writes the series' name and total above.
    """
    rows = max(1, len(series))
    peak = max((max(values, default=0) for values, _ in series), default=0) or 1
    buckets = max((len(values) for values, _ in series), default=1) or 1
    slot = WIDTH / buckets
    gap = slot * 0.2 if slot >= 5 else 0.0
    parts = _open(key, ROW * rows, title, description)
    for index, (values, tips) in enumerate(series):
        base = index * ROW + 0.88 * ROW
        parts.append(_rule(base))
        for position, value in enumerate(values):
            if value:
                bar_h = 0.46 * ROW * value / peak
                x = position * slot + gap / 2
                parts.append(_bar(x, base - bar_h, slot - gap, bar_h, tips[position], BAR_COLOR))
    parts.append("</svg>")
    return "".join(parts)
