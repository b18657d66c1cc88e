"""Stats figures: Items -> every chart of the page (titles, descriptions, SVG, tables); pure."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

from .charts import bar_chart, hbar_chart, small_multiples
from .data import Item, _bucket_of, _bucket_range, _bucketing, _month_key, _months

logger = logging.getLogger(__name__)

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
