"""Stats page content: Figures + Words -> each chart's texts, SVG, labels and table; pure."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Sequence

from .. import i18n
from . import charts
from .charts import Tick
from .data import Bucket, Figures, Item, count
from .words import Words

logger = logging.getLogger(__name__)

#: Sources named on the sources chart; beyond, the others are summed on one row.
MAX_SOURCES = 20


@dataclass
class Chart:
    """One chart: title, description, SVG, the labels written around it, its data as a table.

    `layout` is "columns" (vertical bars: `scale` up the side, `ticks` under them) or "rows"
    (one row per `labels` entry, a name and a value above its bar; `ticks` under the last).
    """

    key: str
    title: str
    description: str
    svg: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    layout: str = "columns"
    scale: list[str] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    labels: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Stats:
    """Every chart of the statistics page, with the totals and the sentence shown above them."""

    total: int
    first: date | None
    last: date | None
    sources: int
    summary: str = ""
    charts: list[Chart] = field(default_factory=list)


def compute(
    items: Sequence[Item],
    words: Words,
    top_tags: int = 6,
    hidden_tags: Iterable[str] = (),
) -> Stats:
    """All the figures and charts for `items` in the language of `words` (same items, same page).

    `hidden_tags` (the brief categories) are left out of the top tags: briefs have their chart.
    """
    figures = count(items, top_tags, hidden_tags)
    return compose(figures, words) if figures else Stats(0, None, None, 0)


def compose(figures: Figures, words: Words) -> Stats:
    """The page's texts and charts for `figures`."""
    w = words
    summary = w.gettext(
        "%(items)s from %(sources)s, %(period)s.",
        items=w.items(figures.total),
        sources=w.ngettext("%(num)s source", "%(num)s sources", len(figures.sources)),
        period=w.days_period(figures.first, figures.last),
    )
    stats = Stats(figures.total, figures.first, figures.last, len(figures.sources), summary)
    stats.charts = [
        _per_day(figures, w),
        _per_month(figures, w),
        _tags(figures, w),
        _sources(figures, w),
        _shares(figures, w),
    ]
    return stats


def _tip(w: Words, name: str, n: int) -> str:
    return w.gettext("%(name)s: %(items)s", name=name, items=w.items(n))


def _columns(
    key: str, title: str, description: str, bars: Sequence[tuple[str, int]], w: Words
) -> Chart:
    axis = charts.scale(max((v for _, v in bars), default=0))
    svg = charts.bar_chart(key, title, description, [(_tip(w, n, v), v) for n, v in bars], axis)
    return Chart(key, title, description, svg, (), scale=[w.number(v) for v in axis])


def _per_day(f: Figures, w: Words) -> Chart:
    peak_day, peak = max(f.days, key=lambda pair: (pair[1], pair[0]))
    description = w.gettext(
        "%(period)s: %(items)s, at most %(peak)s in one day (%(day)s).",
        period=i18n.capitalized(w.days_period(f.days[0][0], f.last)),
        items=w.items(sum(v for _, v in f.days)),
        peak=w.number(peak),
        day=w.date(peak_day),
    )
    title = w.gettext("Items per day, last 90 days")
    chart = _columns("per-day", title, description, [(w.date(d), v) for d, v in f.days], w)
    chart.ticks = charts.ticks([w.day_label(d) for d, _ in f.days])
    chart.headers = (w.gettext("Date"), w.gettext("Items"))
    chart.rows = [(w.date(d), w.number(v)) for d, v in f.days if v]
    return chart


def _per_month(f: Figures, w: Words) -> Chart:
    peak_month, peak = max(f.months, key=lambda pair: pair[1])
    description = w.gettext(
        "%(period)s: %(items)s, at most %(peak)s in one month (%(month)s).",
        period=i18n.capitalized(w.months_period(f.months[0][0], f.months[-1][0])),
        items=w.items(f.total),
        peak=w.number(peak),
        month=w.month(peak_month),
    )
    title = w.gettext("Items per month, all time")
    chart = _columns("per-month", title, description, [(w.month(m), v) for m, v in f.months], w)
    chart.ticks = charts.ticks([w.month_label(m) for m, _ in f.months])
    chart.headers = (w.gettext("Month"), w.gettext("Items"))
    chart.rows = [(w.month(m), w.number(v)) for m, v in f.months]
    return chart


def _bucket_name(w: Words, bucket: Bucket, kind: str) -> str:
    if isinstance(bucket, tuple):
        return w.month(bucket)
    if kind == "week":
        return w.gettext("week of %(day)s", day=w.date(bucket))
    return w.date(bucket)


def _tags(f: Figures, w: Words) -> Chart:
    kind = f.bucketing
    tags = [(w.text(series.name), series) for series in f.tags]
    if tags:
        title = w.ngettext(
            "The most frequent tag over time", "The %(num)s most frequent tags over time", len(tags)
        )
    else:
        title = w.gettext("The most frequent tags over time")
    summary = ", ".join(f"{name} ({w.number(s.total)})" for name, s in tags) or w.gettext("none")
    if kind == "day":
        description = w.gettext("Items per day for each tag: %(summary)s.", summary=summary)
    elif kind == "week":
        description = w.gettext("Items per week for each tag: %(summary)s.", summary=summary)
    else:
        description = w.gettext("Items per month for each tag: %(summary)s.", summary=summary)
    periods = [_bucket_name(w, b, kind) for b in f.buckets]
    series = [
        (s.counts, [_tip(w, f"{name}, {periods[i]}", v) for i, v in enumerate(s.counts)])
        for name, s in tags
    ]
    svg = charts.small_multiples("tags", title, description, series)
    tag = w.pgettext("statistics", "Tag")
    chart = Chart("tags", title, description, svg, (tag, *periods), layout="rows")
    chart.rows = [(name, *(w.number(v) for v in s.counts)) for name, s in tags]
    if kind == "day" or len(periods) > 24:
        # A wide table is unreadable: one row per (tag, period) with a count instead.
        period = {"day": w.gettext("Day"), "week": w.gettext("Week")}.get(kind)
        chart.headers = (tag, period or w.gettext("Month"), w.gettext("Items"))
        chart.rows = [
            (name, periods[i], w.number(v)) for name, s in tags for i, v in enumerate(s.counts) if v
        ]
    chart.labels = [(name, w.number(s.total)) for name, s in tags]
    if tags:
        short = [w.month_label(b) if isinstance(b, tuple) else w.day_label(b) for b in f.buckets]
        chart.ticks = charts.ticks(short)
    return chart


def _sources(f: Figures, w: Words) -> Chart:
    ranked = [(w.text(name), n) for name, n in f.sources]
    if len(ranked) > MAX_SOURCES:
        rest = sum(n for _, n in ranked[MAX_SOURCES - 1 :])
        ranked = ranked[: MAX_SOURCES - 1] + [(w.gettext("Other sources"), rest)]
    title = w.gettext("Items per source")
    description = ", ".join(_tip(w, name, n) for name, n in ranked) + "."
    svg = charts.hbar_chart("sources", title, description, [(_tip(w, s, n), n) for s, n in ranked])
    chart = Chart("sources", title, description, svg, (w.gettext("Source"), w.gettext("Items")))
    chart.layout = "rows"
    chart.rows = [(name, w.number(n)) for name, n in ranked]
    chart.labels = [(name, count) for name, count in chart.rows]
    return chart


def _shares(f: Figures, w: Words) -> Chart:
    total = f.total
    description = w.gettext(
        "%(briefs)s out of %(items)s (%(briefs_share)s); %(paywalled)s (%(paywalled_share)s).",
        briefs=w.ngettext("%(num)s brief", "%(num)s briefs", f.briefs),
        items=w.items(total),
        briefs_share=w.percent(f.briefs, total),
        paywalled=w.ngettext("%(num)s paywalled item", "%(num)s paywalled items", f.paywalled),
        paywalled_share=w.percent(f.paywalled, total),
    )
    title = w.gettext("Share of briefs and paywalled items")
    kinds = [(w.gettext("Briefs"), f.briefs), (w.gettext("Paywalled"), f.paywalled)]
    shown = [(name, n, w.percent(n, total)) for name, n in kinds]
    labels, tips = [], []
    for name, n, share in shown:
        value = f"{w.number(n)} ({share})"
        labels.append((name, value))
        tips.append((w.gettext("%(name)s: %(items)s", name=name, items=value), n))
    svg = charts.hbar_chart("shares", title, description, tips, total=total)
    headers = (w.gettext("Kind"), w.gettext("Items"), w.gettext("Share"))
    chart = Chart("shares", title, description, svg, headers, layout="rows", labels=labels)
    chart.rows = [(name, w.number(n), share) for name, n, share in shown]
    return chart
