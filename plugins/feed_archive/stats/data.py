"""Stats data: Pelican articles -> Items, and the calendar buckets they are counted in; pure."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from ..timeline import is_brief

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    """The few facts about one article that the statistics need."""

    day: date
    source: str
    tags: tuple[str, ...] = ()
    brief: bool = False
    paywalled: bool = False


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
