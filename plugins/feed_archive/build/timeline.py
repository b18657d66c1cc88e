"""Timeline index: Pelican articles -> days, months, years, tags, sources, neighbours, related.

Pure and linear in the number of articles (plus a fixed window per tag for related items);
never renders or writes anything.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from ..post import slugify
from .days import (
    SOURCE_URL,
    Day,
    Month,
    Year,
)
from .listings import Listing, save_as

BRIEF_PREFIXES = ("☕️", "☕")


@dataclass(eq=False)
class ItemInfo:
    """What the theme shows about one item beyond Pelican's own attributes."""

    local: dt.datetime
    modified: dt.datetime | None
    day: Day | None
    brief: bool
    paywalled: bool
    source: Listing | None
    older: Any = None
    newer: Any = None
    related: list[Any] = field(default_factory=list)
    tags: list[Any] = field(default_factory=list)
    #: True when `modified` is the publisher's own update date (the feed's `Updated`), False
    #: when it is only when the archive saw the change.
    modified_by_feed: bool = False
    #: the tags shown with the item: a brief's "Brève" tag goes, its badge says it
    shown_tags: list[Any] = field(default_factory=list)
    #: the article's URL and file, formatted once (Pelican formats them again at every use)
    url: str = ""
    save_as: str = ""


def _modified(article: Any, zone: ZoneInfo) -> tuple[dt.datetime | None, bool]:
    """The post's update time in `zone`, and whether the feed itself gave it."""
    if not _meta(article, "modified"):
        return None, False
    modified = _local(article.modified, zone)
    stated = _meta(article, "updated")
    try:
        by_feed = bool(stated) and dt.datetime.fromisoformat(str(stated)) == modified
    except ValueError:
        by_feed = False
    return modified, by_feed


@dataclass
class Timeline:
    """The whole archive as the theme browses it."""

    days: list[Day]
    months: list[Month]
    years: list[Year]
    tags: list[Listing]
    sources: list[Listing]
    home_days: int = 7

    @property
    def home(self) -> list[Day]:
        """The newest days shown on the home page."""
        return self.days[: self.home_days]

    @property
    def before_home(self) -> Day | None:
        """The newest day not on the home page."""
        return self.days[self.home_days] if len(self.days) > self.home_days else None

    @property
    def total(self) -> int:
        """Number of items."""
        return sum(len(day.items) for day in self.days)

    def items(self) -> list[Any]:
        """Every listed item, newest first."""
        return [item for day in self.days for item in day.items]

    def tags_by_count(self) -> list[Listing]:
        """Tags, most used first."""
        return sorted(self.tags, key=lambda t: (-t.count, t.slug))


def _meta(article: Any, key: str) -> Any:
    return (getattr(article, "metadata", None) or {}).get(key)


def is_brief(article: Any, brief_names: Iterable[str]) -> bool:
    """A brief: a "☕️" title, or a category or tag named in FEED_ARCHIVE_BRIEF_CATEGORIES."""
    title = str(getattr(article, "title", "") or "").lstrip()
    if title.startswith(BRIEF_PREFIXES):
        return True
    names = {n.casefold() for n in brief_names}
    category = getattr(article, "category", None)
    if category is not None and str(category).casefold() in names:
        return True
    return any(str(tag).casefold() in names for tag in getattr(article, "tags", None) or ())


def is_paywalled(article: Any) -> bool:
    """True when the post's `Paywalled` metadata is set."""
    return str(_meta(article, "paywalled") or "").strip().lower() in ("true", "yes", "1", "oui")


def _local(value: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value.astimezone(zone)


def _link(seq: Sequence[Any]) -> None:
    for i, node in enumerate(seq):
        node.older = seq[i + 1] if i + 1 < len(seq) else None
        node.newer = seq[i - 1] if i else None


def _related(
    article: Any,
    positions: list[tuple[Listing, int]],
    stamps: dict[int, tuple[float, Any]],
    window: int,
    count: int,
) -> list[Any]:
    """Items sharing the most tags with `article`, nearest in time first, from a window per tag."""
    shared: dict[int, int] = {}  # id -> minus the number of shared tags
    for listing, index in positions:
        for other in listing.items[max(0, index - window) : index + window + 1]:
            key = id(other)
            shared[key] = shared.get(key, 0) - 1
    mine = id(article)
    shared.pop(mine, None)
    when = stamps[mine][0]
    # ties keep the order of first sight (dicts keep insertion order), as a stable sort would
    ranked = [
        (tags, abs(stamps[key][0] - when), seen, key)
        for seen, (key, tags) in enumerate(shared.items())
    ]
    return [stamps[key][1] for _, _, _, key in heapq.nsmallest(count, ranked)]


def describe_unlisted(article: Any, zone: ZoneInfo, brief_names: Iterable[str] = ()) -> None:
    """Attach a minimal ItemInfo (no day, neighbours or listings) to a draft or hidden item."""
    article.fa = _info(article, zone, tuple(brief_names), _local(article.date, zone), None, None)


def _info(
    article: Any,
    zone: ZoneInfo,
    brief_names: tuple[str, ...],
    local: dt.datetime,
    day: Day | None,
    source: Listing | None,
) -> ItemInfo:
    """The ItemInfo of one article, its tags and neighbours not yet filled in."""
    modified, by_feed = _modified(article, zone)
    return ItemInfo(
        local=local,
        modified=modified,
        day=day,
        brief=is_brief(article, brief_names),
        paywalled=is_paywalled(article),
        source=source,
        modified_by_feed=by_feed,
        url=article.url,
        save_as=article.save_as,
    )


def build(
    articles: Sequence[Any],
    zone: ZoneInfo,
    brief_names: Iterable[str] = (),
    home_days: int = 7,
    page_size: int = 50,
    related_count: int = 4,
    related_window: int = 12,
    source_feed: str | None = None,
    tag_feed: str | None = None,
) -> Timeline:
    """Index `articles` (Pelican's listed articles) and attach an ItemInfo to each as `.fa`."""
    brief_names = tuple(brief_names)
    brief_keys = {slugify(n) for n in brief_names}
    ordered = sorted(
        articles, key=lambda a: (a.date, getattr(a, "source_path", "") or ""), reverse=True
    )
    days: dict[dt.date, Day] = {}
    tags: dict[str, Listing] = {}
    sources: dict[str, Listing] = {}
    for article in ordered:
        local = _local(article.date, zone)
        day = days.get(local.date())
        if day is None:
            day = days[local.date()] = Day(local.date())
        day.items.append(article)
        feed_name = str(_meta(article, "feed") or getattr(article, "category", "") or "")
        source = None
        if slugify(feed_name):
            slug = slugify(feed_name)
            source = sources.get(slug)
            if source is None:
                url = SOURCE_URL.format(slug=slug)
                feed = source_feed.format(slug=slug) if source_feed else None
                source = sources[slug] = Listing("source", feed_name, slug, url, save_as(url), feed)
            source.items.append(article)
            source.names[feed_name] += 1
        info = _info(article, zone, brief_names, local, day, source)
        for tag in getattr(article, "tags", None) or ():
            if not tag.slug:
                continue
            listing = tags.get(tag.slug)
            if listing is None:
                feed = tag_feed.format(slug=tag.slug) if tag_feed else None
                listing = tags[tag.slug] = Listing(
                    "tag", tag.name, tag.slug, tag.url, tag.save_as, feed
                )
            if any(seen is listing for seen in info.tags):
                continue
            listing.items.append(article)
            listing.names[tag.name] += 1
            info.tags.append(listing)
        info.shown_tags = [t for t in info.tags if not (info.brief and t.slug in brief_keys)]
        article.fa = info
    # each item's position inside its subject tags (newest first), for the related-items window
    index_of: dict[tuple[str, int], int] = {}
    for listing in tags.values():
        if listing.slug not in brief_keys:
            for i, item in enumerate(listing.items):
                index_of[(listing.slug, id(item))] = i
    stamps = {id(article): (article.date.timestamp(), article) for article in ordered}
    for i, article in enumerate(ordered):
        info = article.fa
        positions = [
            (listing, index_of[(listing.slug, id(article))])
            for listing in info.tags
            if (listing.slug, id(article)) in index_of
        ]
        info.related = _related(article, positions, stamps, related_window, related_count)
        info.older = ordered[i + 1] if i + 1 < len(ordered) else None
        info.newer = ordered[i - 1] if i else None
    day_list = list(days.values())
    _link(day_list)
    months: dict[tuple[int, int], Month] = {}
    years: dict[int, Year] = {}
    for day in day_list:
        key = (day.date.year, day.date.month)
        month = months.get(key)
        if month is None:
            month = months[key] = Month(*key)
            year = years.get(key[0])
            if year is None:
                year = years[key[0]] = Year(key[0])
            year.months[key[1]] = month
        month.days[day.date.day] = day
    month_list, year_list = list(months.values()), list(years.values())
    _link(month_list)
    _link(year_list)
    listings = [*tags.values(), *sources.values()]
    for listing in listings:
        listing.name = listing.names.most_common(1)[0][0]
        listing.paginate(page_size)
    return Timeline(
        days=day_list,
        months=month_list,
        years=year_list,
        tags=sorted(tags.values(), key=lambda t: (t.slug, t.name)),
        sources=sorted(sources.values(), key=lambda s: s.slug),
        home_days=max(1, home_days),
    )
