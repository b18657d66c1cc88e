"""Pages: the timeline of every article, and the archive's own pages and Atom feeds from it.

`index_articles` (article_generator_finalized) builds the timeline once and takes the tag,
category and author pages over from Pelican; `write_archive_pages` (article_writer_finalized)
writes calendar, tag, source and index pages and the tag and source feeds through Pelican's
Writer (the plan's, writer.py).
"""

from __future__ import annotations

import logging
from typing import Any

from ..settings import load_build
from . import days, listings, timeline
from .state import BuildState
from .theme import zone_of

logger = logging.getLogger(__name__)


def index_articles(generator: Any) -> None:
    """Build the timeline once and take tag/category/author pages over from Pelican.

    Pelican's own taxonomy pages and feeds scan every article per tag (quadratic at
    archive scale); emptying the generator's lists after its context is built skips them,
    while the context keeps Pelican's `tags`, `categories` and `authors` for other plugins.
    """
    settings = generator.settings
    state = BuildState.of(settings)
    config = state.config if state is not None else load_build({})
    zone = zone_of(settings)
    index = timeline.build(
        generator.articles,
        zone,
        brief_names=config.brief_categories,
        home_days=config.home_days,
        page_size=config.list_page_size,
        related_count=config.related_count,
        source_feed=config.source_feed_atom or None,
        tag_feed=settings.get("TAG_FEED_ATOM") or None,
    )
    for group in (
        "translations",
        "hidden_articles",
        "hidden_translations",
        "drafts",
        "drafts_translations",
    ):
        for article in getattr(generator, group, None) or ():
            if not hasattr(article, "fa"):
                timeline.describe_unlisted(article, zone, config.brief_categories)
    if state is not None:
        state.timeline = index
    generator.context["fa"] = index
    if getattr(generator, "env", None) is not None:
        generator.env.globals["fa"] = index
    generator.tags = {}
    generator.categories = []
    generator.authors = []
    logger.info(
        "feed_archive: %s",
        _counts(index.total, len(index.days), len(index.tags), len(index.sources)),
    )


def _write(
    writer: Any, generator: Any, url: str, template: str, save_as: str = "", **values: Any
) -> None:
    writer.write_file(
        save_as or listings.save_as(url),
        generator.get_template(template),
        generator.context,
        relative_urls=generator.settings.get("RELATIVE_URLS", False),
        template_name=f"fa_{template}",
        url=url,
        page_name=url.rstrip("/"),
        **values,
    )


#: Tags an entry of a tag or source feed carries (the all-items feed carries them all): with
#: every tag on every entry, a feed per tag made output grow with the square of the tag count.
FEED_ENTRY_TAGS = 3


class _Teaser:
    """An article as a tag or source feed carries it: its summary, its first few tags."""

    def __init__(self, article: Any) -> None:
        self._article = article

    def __getattr__(self, name: str) -> Any:
        return getattr(self._article, name)

    @property
    def tags(self) -> list[Any]:
        """The article's first FEED_ENTRY_TAGS tags."""
        return list(getattr(self._article, "tags", None) or ())[:FEED_ENTRY_TAGS]

    def get_content(self, siteurl: str) -> str:
        """The summary (the full text stays in the all-items feed and on the page)."""
        return self._article.metadata.get("summary") or self._article.get_summary(siteurl)


def feed_items(settings: dict[str, Any]) -> int:
    """Entries per tag or source feed: FEED_ARCHIVE_LISTING_FEED_ITEMS, within FEED_MAX_ITEMS."""
    state = BuildState.of(settings)
    limit = state.config.listing_feed_items if state is not None else 20
    if settings.get("FEED_MAX_ITEMS"):
        limit = min(limit, int(settings["FEED_MAX_ITEMS"]))
    return limit


def _write_feed(writer: Any, generator: Any, listing: listings.Listing, limit: int) -> None:
    if not listing.feed:
        return
    writer.write_feed(
        [_Teaser(article) for article in listing.items[:limit]],
        generator.context,
        listing.feed,
        listing.feed,
        feed_title=listing.name,
    )


def write_archive_pages(generator: Any, writer: Any) -> None:
    """Write calendar (year, month, day), tag, source and index pages, and their feeds."""
    state = BuildState.of(generator.settings)
    index: timeline.Timeline | None = state.timeline if state is not None else None
    if index is None:
        return
    _write(writer, generator, days.CALENDAR_URL, "calendar")
    for year in index.years:
        _write(writer, generator, year.url, "year", year=year)
    for month in index.months:
        _write(writer, generator, month.url, "month", month=month)
    for day in index.days:
        _write(writer, generator, day.url, "day", day=day)
    _write(writer, generator, days.TAGS_URL, "tags", order="name", listings=index.tags)
    _write(
        writer,
        generator,
        days.TAGS_BY_COUNT_URL,
        "tags",
        order="count",
        listings=index.tags_by_count(),
    )
    _write(writer, generator, days.SOURCES_URL, "sources")
    feed_items_per_listing = feed_items(generator.settings)
    for listing in (*index.tags, *index.sources):
        for page in listing.pages:
            save_as = listing.file if page.number == 0 else page.save_as
            _write(writer, generator, page.url, "listing", save_as, listing=listing, page=page)
        _write_feed(writer, generator, listing, feed_items_per_listing)


def _counts(items: int, days: int, tags: int, sources: int) -> str:
    """The build's first line, in English: "33 items over 19 days, 12 tags, 1 source"."""
    words = [(items, "item"), (days, "day"), (tags, "tag"), (sources, "source")]
    said = [f"{n} {word if n == 1 else word + 's'}" for n, word in words]
    return f"{said[0]} over {said[1]}, {said[2]}, {said[3]}"
