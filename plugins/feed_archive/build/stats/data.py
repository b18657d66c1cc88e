"""Stats data: Pelican articles -> Items -> Figures (counts per day, month, tag, source); pure."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Sequence

from ..timeline import is_brief

logger = logging.getLogger(__name__)

#: A calendar month: (year, month).
Month = tuple[int, int]
#: What the tags chart counts in: a day, the Monday of a week, or a month.
Bucket = date | Month
#: The per-day chart covers this many days, the last one being the newest item's.
RECENT_DAYS = 90


@dataclass(frozen=True)
class Item:
    """The few facts about one article that the statistics need."""

    day: date
    source: str
    tags: tuple[str, ...] = ()
    brief: bool = False
    paywalled: bool = False


@dataclass(frozen=True)
class TagSeries:
    """One frequent tag: how many items carry it, and how many in each bucket."""

    name: str
    total: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Figures:
    """Every count the statistics page shows, in no language."""

    total: int
    first: date
    last: date
    #: the RECENT_DAYS days ending with `last`, each with its number of items (0 included)
    days: tuple[tuple[date, int], ...]
    #: every month from the first item's to the last one's (empty months included)
    months: tuple[tuple[Month, int], ...]
    #: "day", "week" or "month": what the tags are counted in, by the archive's span
    bucketing: str
    buckets: tuple[Bucket, ...]
    #: the most frequent tags, most frequent first, with their counts per bucket
    tags: tuple[TagSeries, ...]
    #: every source with its number of items, largest first
    sources: tuple[tuple[str, int], ...]
    briefs: int
    paywalled: int


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


def month_of(day: date) -> Month:
    """The month a day is in."""
    return day.year, day.month


def months_between(first: date, last: date) -> list[Month]:
    """Every month from `first`'s to `last`'s, both included."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def bucketing(first: date, last: date) -> str:
    """How to count tags over an archive's span: per "day" (45 days), "week" (400), "month"."""
    span = (last - first).days
    if span <= 45:
        return "day"
    if span <= 400:
        return "week"
    return "month"


def bucket_of(day: date, kind: str) -> Bucket:
    """The bucket of `kind` a day falls in (a week is named by its Monday)."""
    if kind == "day":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    return month_of(day)


def bucket_range(first: date, last: date, kind: str) -> list[Bucket]:
    """Every bucket of `kind` from `first`'s to `last`'s."""
    if kind == "month":
        return list(months_between(first, last))
    step = 1 if kind == "day" else 7
    start = first - timedelta(days=0 if kind == "day" else first.weekday())
    return [start + timedelta(days=n) for n in range(0, (last - start).days + 1, step)]


def count(
    items: Sequence[Item], top_tags: int = 6, hidden_tags: Iterable[str] = ()
) -> Figures | None:
    """Every count of the page for `items` (None when there is none).

    `hidden_tags` (the brief categories) are left out of the top tags: briefs have their chart.
    """
    if not items:
        return None
    days = Counter(item.day for item in items)
    first, last = min(days), max(days)
    start = last - timedelta(days=RECENT_DAYS - 1)
    recent = tuple(
        (start + timedelta(days=n), days.get(start + timedelta(days=n), 0))
        for n in range(RECENT_DAYS)
    )
    per_month = Counter(month_of(item.day) for item in items)
    months = tuple((m, per_month.get(m, 0)) for m in months_between(first, last))

    hidden = {t.casefold() for t in hidden_tags}
    tag_counts = Counter(
        tag for item in items for tag in dict.fromkeys(item.tags) if tag.casefold() not in hidden
    )
    top = [tag for tag, _ in sorted(tag_counts.items(), key=lambda p: (-p[1], p[0]))[:top_tags]]
    kind = bucketing(first, last)
    buckets = bucket_range(first, last, kind)
    position = {bucket: index for index, bucket in enumerate(buckets)}
    series = {tag: [0] * len(buckets) for tag in top}
    for item in items:
        for tag in dict.fromkeys(item.tags):
            if tag in series:
                series[tag][position[bucket_of(item.day, kind)]] += 1

    sources = Counter(item.source for item in items)
    return Figures(
        total=len(items),
        first=first,
        last=last,
        days=recent,
        months=months,
        bucketing=kind,
        buckets=tuple(buckets),
        tags=tuple(TagSeries(tag, tag_counts[tag], tuple(series[tag])) for tag in top),
        sources=tuple(sorted(sources.items(), key=lambda p: (-p[1], p[0]))),
        briefs=sum(item.brief for item in items),
        paywalled=sum(item.paywalled for item in items),
    )
