"""Stats: built articles -> coverage figures and SVG charts drawn in Python; never fetches."""

from __future__ import annotations

import html
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

from pelican.generators import Generator

from .settings import merged
from .timeline import is_brief

logger = logging.getLogger(__name__)

BAR_COLOR = "#2f6db5"
ALT_COLOR = "#c2410c"
TRACK_COLOR = "#d9dee5"
_WIDTH = 800
#: Where the page goes; the theme's header links to {{ SITEURL }}/stats/.
URL = "stats/"
SAVE_AS = URL + "index.html"

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "per_day": "Articles par jour, sur les 90 derniers jours",
        "per_day_desc": (
            "Du {start} au {end} : {total} articles, {peak} au plus en un jour ({peak_day})."
        ),
        "per_month": "Articles par mois, depuis le début",
        "per_month_desc": (
            "De {start} à {end} : {total} articles, {peak} au plus en un mois ({peak_month})."
        ),
        "tags": "Les {n} mots-clés les plus fréquents au fil du temps",
        "tags_desc": "Nombre d'articles par {bucket} pour chaque mot-clé : {summary}.",
        "sources": "Articles par source",
        "sources_desc": "{summary}.",
        "shares": "Part des brèves et des articles réservés aux abonnés",
        "shares_desc": (
            "{briefs} brèves sur {total} articles ({briefs_pct}) ;"
            " {paywalled} articles réservés aux abonnés ({paywalled_pct})."
        ),
        "day": "jour",
        "week": "semaine",
        "month": "mois",
        "date": "Date",
        "items": "Articles",
        "tag": "Mot-clé",
        "source": "Source",
        "kind": "Catégorie",
        "share": "Part",
        "briefs": "Brèves",
        "paywalled": "Réservés aux abonnés",
        "others": "Autres sources",
        "week_of": "semaine du {day}",
        "none": "aucun",
    },
    "en": {
        "per_day": "Items per day, last 90 days",
        "per_day_desc": (
            "From {start} to {end}: {total} items, at most {peak} in one day ({peak_day})."
        ),
        "per_month": "Items per month, all time",
        "per_month_desc": (
            "From {start} to {end}: {total} items, at most {peak} in one month ({peak_month})."
        ),
        "tags": "The {n} most frequent tags over time",
        "tags_desc": "Items per {bucket} for each tag: {summary}.",
        "sources": "Items per source",
        "sources_desc": "{summary}.",
        "shares": "Share of briefs and paywalled items",
        "shares_desc": (
            "{briefs} briefs out of {total} items ({briefs_pct});"
            " {paywalled} paywalled items ({paywalled_pct})."
        ),
        "day": "day",
        "week": "week",
        "month": "month",
        "date": "Date",
        "items": "Items",
        "tag": "Tag",
        "source": "Source",
        "kind": "Kind",
        "share": "Share",
        "briefs": "Briefs",
        "paywalled": "Paywalled",
        "others": "Other sources",
        "week_of": "week of {day}",
        "none": "none",
    },
}


@dataclass(frozen=True)
class Item:
    """The few facts about one article that the statistics need."""

    day: date
    source: str
    tags: tuple[str, ...] = ()
    brief: bool = False
    paywalled: bool = False


@dataclass
class Chart:
    """One chart: a title, a text description, the SVG markup and the same data as a table."""

    key: str
    title: str
    description: str
    svg: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Stats:
    """Every chart of the statistics page, with the totals shown above them."""

    total: int
    first: date | None
    last: date | None
    sources: int
    charts: list[Chart] = field(default_factory=list)


def item_of(article: Any, brief_names: Iterable[str] = ()) -> Item:
    """The Item of one Pelican article."""
    metadata = getattr(article, "metadata", {}) or {}
    tags = tuple(str(t) for t in getattr(article, "tags", None) or ())
    category = str(getattr(article, "category", "") or "")
    return Item(
        day=article.date.date(),
        source=str(metadata.get("feed") or category or "—"),
        tags=tags,
        brief=is_brief(article, brief_names),
        paywalled=str(metadata.get("paywalled", "")).lower() == "true",
    )


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


def _month_key(day: date) -> tuple[int, int]:
    return day.year, day.month


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _bucketing(first: date, last: date) -> str:
    span = (last - first).days
    if span <= 45:
        return "day"
    if span <= 400:
        return "week"
    return "month"


def _bucket_of(day: date, kind: str) -> Any:
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return _month_key(day)


def _bucket_range(first: date, last: date, kind: str) -> list[Any]:
    if kind == "month":
        return list(_months(first, last))
    step = 1 if kind == "day" else 7
    start = _bucket_of(first, kind)
    return [start + timedelta(days=n) for n in range(0, (last - start).days + 1, step)]


def _bucket_label(bucket: Any, kind: str, text: Mapping[str, str], short: bool = False) -> str:
    if kind == "month":
        return f"{bucket[1]:02d}/{bucket[0]}"
    if short:
        return bucket.strftime("%d/%m")
    if kind == "week":
        return text["week_of"].format(day=bucket.strftime("%d/%m/%Y"))
    return bucket.strftime("%d/%m/%Y")


def compute(
    items: Sequence[Item], lang: str = "fr", top_tags: int = 6, hidden_tags: Iterable[str] = ()
) -> Stats:
    """All the figures and charts for `items` (pure: same items, same SVG).

    `hidden_tags` (the brief categories) are left out of the top tags: briefs have their chart.
    """
    text = STRINGS["en" if lang.startswith("en") else "fr"]
    if not items:
        return Stats(total=0, first=None, last=None, sources=0)
    days = Counter(item.day for item in items)
    first, last = min(days), max(days)
    stats = Stats(total=len(items), first=first, last=last, sources=0)

    # Items per day over the 90 days that end with the newest item.
    start = last - timedelta(days=89)
    span = [start + timedelta(days=n) for n in range(90)]
    per_day = [(d.strftime("%d/%m"), days.get(d, 0)) for d in span]
    recent = [(d, days.get(d, 0)) for d in span]
    peak_day, peak = max(recent, key=lambda pair: (pair[1], pair[0]))
    stats.charts.append(
        Chart(
            "per-day",
            text["per_day"],
            text["per_day_desc"].format(
                start=start.strftime("%d/%m/%Y"),
                end=last.strftime("%d/%m/%Y"),
                total=sum(v for _, v in recent),
                peak=peak,
                peak_day=peak_day.strftime("%d/%m/%Y"),
            ),
            "",
            (text["date"], text["items"]),
            [(d.strftime("%Y-%m-%d"), v) for d, v in recent if v],
        )
    )
    stats.charts[-1].svg = bar_chart(
        "per-day", stats.charts[-1].title, stats.charts[-1].description, per_day, label_every=15
    )

    # Items per month, every month from the first to the last (empty months included).
    months = Counter(_month_key(item.day) for item in items)
    all_months = _months(first, last)
    monthly = [(f"{m:02d}/{y}", months.get((y, m), 0)) for y, m in all_months]
    peak_label, peak_month = max(monthly, key=lambda pair: pair[1])
    every = max(1, len(monthly) // 12)
    chart = Chart(
        "per-month",
        text["per_month"],
        text["per_month_desc"].format(
            start=monthly[0][0],
            end=monthly[-1][0],
            total=len(items),
            peak=peak_month,
            peak_month=peak_label,
        ),
        "",
        (text["month"].capitalize(), text["items"]),
        [(f"{y}-{m:02d}", months.get((y, m), 0)) for y, m in all_months],
    )
    chart.svg = bar_chart("per-month", chart.title, chart.description, monthly, label_every=every)
    stats.charts.append(chart)

    # The most frequent tags, counted per day, week or month depending on the archive's span.
    hidden = {t.casefold() for t in hidden_tags}
    tag_counts = Counter(
        tag for item in items for tag in dict.fromkeys(item.tags) if tag.casefold() not in hidden
    )
    top = [tag for tag, _ in sorted(tag_counts.items(), key=lambda p: (-p[1], p[0]))[:top_tags]]
    kind = _bucketing(first, last)
    buckets = _bucket_range(first, last, kind)
    position = {bucket: index for index, bucket in enumerate(buckets)}
    series = {tag: [0] * len(buckets) for tag in top}
    for item in items:
        for tag in dict.fromkeys(item.tags):
            if tag in series:
                series[tag][position[_bucket_of(item.day, kind)]] += 1
    labels = [_bucket_label(b, kind, text) for b in buckets]
    summary = ", ".join(f"{tag} ({tag_counts[tag]})" for tag in top) or text["none"]
    chart = Chart(
        "tags",
        text["tags"].format(n=len(top)),
        text["tags_desc"].format(bucket=text[kind], summary=summary),
        "",
        (text["tag"], *(labels[i] for i in range(len(labels)))),
        [(tag, *series[tag]) for tag in top],
    )
    if kind == "day" or len(labels) > 24:
        # A wide table is unreadable: one row per (tag, period) with a count instead.
        chart.headers = (text["tag"], text[kind].capitalize(), text["items"])
        chart.rows = [
            (tag, labels[i], value) for tag in top for i, value in enumerate(series[tag]) if value
        ]
    short = [_bucket_label(b, kind, text, short=True) for b in buckets]
    chart.svg = small_multiples(
        "tags", chart.title, chart.description, [(t, series[t]) for t in top], labels, short
    )
    stats.charts.append(chart)

    # Items per source, largest first; beyond 20 sources the rest are summed.
    sources = Counter(item.source for item in items)
    stats.sources = len(sources)
    ranked = sorted(sources.items(), key=lambda p: (-p[1], p[0]))
    if len(ranked) > 20:
        ranked = ranked[:19] + [(text["others"], sum(v for _, v in ranked[19:]))]
    chart = Chart(
        "sources",
        text["sources"],
        text["sources_desc"].format(summary=", ".join(f"{n} : {v}" for n, v in ranked)),
        "",
        (text["source"], text["items"]),
        list(ranked),
    )
    chart.svg = hbar_chart("sources", chart.title, chart.description, ranked)
    stats.charts.append(chart)

    # Share of briefs and of paywalled items.
    briefs = sum(item.brief for item in items)
    paywalled = sum(item.paywalled for item in items)
    total = len(items)
    chart = Chart(
        "shares",
        text["shares"],
        text["shares_desc"].format(
            briefs=briefs,
            total=total,
            briefs_pct=f"{briefs / total:.0%}",
            paywalled=paywalled,
            paywalled_pct=f"{paywalled / total:.0%}",
        ),
        "",
        (text["kind"], text["items"], text["share"]),
        [
            (text["briefs"], briefs, f"{briefs / total:.1%}"),
            (text["paywalled"], paywalled, f"{paywalled / total:.1%}"),
        ],
    )
    chart.svg = hbar_chart(
        "shares",
        chart.title,
        chart.description,
        [(text["briefs"], briefs), (text["paywalled"], paywalled)],
        total=total,
        percent=True,
    )
    stats.charts.append(chart)
    return stats


class StatsGenerator(Generator):
    """Writes the statistics page (template `stats`) once every article is known."""

    def generate_context(self) -> None:
        """Nothing to read: the figures come from the articles at output time."""

    def generate_output(self, writer: Any) -> None:
        """Compute the figures from the site's articles and write the page."""
        values = merged(self.settings)
        if not values["FEED_ARCHIVE_STATS"]:
            return
        try:
            template = self.get_template("stats")
        except Exception as exc:  # PelicanTemplateNotFound: a theme without the page
            logger.warning("stats: no stats template in the theme, page skipped (%s)", exc)
            return
        articles = self.context.get("articles") or []
        names = tuple(values["FEED_ARCHIVE_BRIEF_CATEGORIES"])
        items = [item_of(a, names) for a in articles if getattr(a, "date", None)]
        lang = str(self.settings.get("DEFAULT_LANG") or "fr")
        stats = compute(items, lang, hidden_tags=names)
        writer.write_file(
            SAVE_AS,
            template,
            self.context,
            relative_urls=self.settings.get("RELATIVE_URLS", False),
            stats=stats,
            page_name="stats",
            url=URL,
            template_name="stats",
        )
        logger.info(
            "stats: %s items, %s charts written to %s", stats.total, len(stats.charts), SAVE_AS
        )


def get_generators(pelican: Any) -> type[Generator]:
    """get_generators hook: add the statistics page generator."""
    return StatsGenerator
