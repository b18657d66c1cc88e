"""Theme hooks: Jinja filters and strings, the timeline index, and the archive's own pages.

Pelican generators in, pages and Atom feeds out (through Pelican's Writer); never reads feeds.
Tags, sources and calendar pages are written here from one linear index, so no page costs
work proportional to the whole archive.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..settings import merged
from . import display, i18n, timeline, typo

logger = logging.getLogger(__name__)

THEME_SETTINGS = (
    "FEED_ARCHIVE_BRIEF_CATEGORIES",
    "FEED_ARCHIVE_HOME_DAYS",
    "FEED_ARCHIVE_LIST_PAGE_SIZE",
    "FEED_ARCHIVE_LISTING_FEED_ITEMS",
    "FEED_ARCHIVE_RELATED_COUNT",
    "FEED_ARCHIVE_SOURCE_FEED_ATOM",
)


def _zone(settings: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("theme: unknown TIMEZONE %r, using UTC", settings.get("TIMEZONE"))
        return ZoneInfo("UTC")


def _theme_folder(settings: dict[str, Any]) -> Path:
    return Path(settings.get("THEME") or "theme")


def _host(url: str) -> str:
    """The host name of a URL, without "www." ("" when there is none)."""
    host = urlsplit(str(url or "")).hostname or ""
    return host.removeprefix("www.")


def _root(siteurl: Any) -> str:
    """The prefix of links inside the site: SITEURL's path when it is an absolute URL.

    "https://user.github.io/my-archive" gives "/my-archive" (links stay right under the
    sub-path, 25 to 40 bytes shorter each); "" and relative SITEURLs are kept as they are.
    Canonical, Open Graph and feed URLs keep the absolute SITEURL.
    """
    text = str(siteurl or "")
    if text.startswith(("http://", "https://")):
        return urlsplit(text).path.rstrip("/")
    return text


def install_theme_helpers(generator: Any) -> None:
    """Add the theme's filters, globals and gettext strings to a generator's Jinja env."""
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    lang = settings.get("DEFAULT_LANG") or "en"
    dates = i18n.DateFormatter(lang, _zone(settings))
    env.filters.update(
        {
            "fa_date": dates.date,
            "fa_time": dates.time,
            "fa_iso": dates.iso,
            "fa_month": dates.month,
            "fa_month_name": dates.month_name,
            "fa_day_month": dates.day_month,
            "fa_number": dates.number,
            "fa_percent": dates.percent,
            "fa_cap": i18n.capitalized,
            "fa_by_month": timeline.by_month,
            "fa_by_year": timeline.by_year,
            "fa_host": _host,
            "fa_root": _root,
            "fa_typo": typo.french if lang.startswith("fr") else (lambda html: html or ""),
        }
    )
    markers = display.compiled(tuple(merged(settings)["FEED_ARCHIVE_PAYWALL_MARKERS"]))

    def title(article: Any) -> str:
        info = getattr(article, "fa", None)
        return display.shown_title(str(article.title), bool(info and info.modified))

    def text(article: Any) -> str:
        info = getattr(article, "fa", None)
        content = article.content
        return display.without_teaser(content, markers) if info and info.paywalled else content

    def summary(article: Any) -> str:
        info = getattr(article, "fa", None)
        value = str(article.metadata.get("summary") or "")
        return display.summary_before_teaser(value, markers) if info and info.paywalled else value

    env.filters.update(
        {
            "fa_title": title,
            "fa_text": text,
            "fa_summary": summary,
            "fa_author": display.shown_author,
        }
    )
    env.globals["fa_dates"] = dates
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    folder = _theme_folder(settings) / "translations"
    env.install_gettext_translations(i18n.translations(str(folder), lang), newstyle=True)


def index_articles(generator: Any) -> None:
    """Build the timeline once and take tag/category/author pages over from Pelican.

    Pelican's own taxonomy pages and feeds scan every article per tag (quadratic at
    archive scale); emptying the generator's lists after its context is built skips them,
    while the context keeps Pelican's `tags`, `categories` and `authors` for other plugins.
    """
    settings = generator.settings
    values = merged(settings)
    index = timeline.build(
        generator.articles,
        _zone(settings),
        brief_names=values["FEED_ARCHIVE_BRIEF_CATEGORIES"],
        home_days=int(values["FEED_ARCHIVE_HOME_DAYS"]),
        page_size=int(values["FEED_ARCHIVE_LIST_PAGE_SIZE"]),
        related_count=int(values["FEED_ARCHIVE_RELATED_COUNT"]),
        source_feed=values["FEED_ARCHIVE_SOURCE_FEED_ATOM"] or None,
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
                timeline.describe_unlisted(
                    article, _zone(settings), values["FEED_ARCHIVE_BRIEF_CATEGORIES"]
                )
    generator.feed_archive_timeline = index
    generator.context["fa"] = index
    if getattr(generator, "env", None) is not None:
        generator.env.globals["fa"] = index
    generator.tags = {}
    generator.categories = []
    generator.authors = []
    logger.info(
        "feed_archive: %s items over %s days, %s tags, %s sources",
        index.total,
        len(index.days),
        len(index.tags),
        len(index.sources),
    )


def _write(
    writer: Any, generator: Any, url: str, template: str, save_as: str = "", **values: Any
) -> None:
    writer.write_file(
        save_as or timeline.save_as(url),
        generator.get_template(template),
        generator.context,
        relative_urls=generator.settings.get("RELATIVE_URLS", False),
        template_name=f"fa_{template}",
        url=url,
        page_name=url.rstrip("/"),
        **values,
    )


class _Teaser:
    """An article as a tag or source feed carries it: its summary instead of its full text."""

    def __init__(self, article: Any) -> None:
        self._article = article

    def __getattr__(self, name: str) -> Any:
        return getattr(self._article, name)

    def get_content(self, siteurl: str) -> str:
        """The summary (the full text stays in the all-items feed and on the page)."""
        return self._article.metadata.get("summary") or self._article.get_summary(siteurl)


def _feed_items(settings: dict[str, Any]) -> int:
    """Entries per tag or source feed: FEED_ARCHIVE_LISTING_FEED_ITEMS, within FEED_MAX_ITEMS."""
    limit = max(1, int(merged(settings)["FEED_ARCHIVE_LISTING_FEED_ITEMS"]))
    if settings.get("FEED_MAX_ITEMS"):
        limit = min(limit, int(settings["FEED_MAX_ITEMS"]))
    return limit


def _write_feed(writer: Any, generator: Any, listing: timeline.Listing, limit: int) -> None:
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
    index: timeline.Timeline | None = getattr(generator, "feed_archive_timeline", None)
    if index is None:
        return
    _write(writer, generator, timeline.CALENDAR_URL, "calendar")
    for year in index.years:
        _write(writer, generator, year.url, "year", year=year)
    for month in index.months:
        _write(writer, generator, month.url, "month", month=month)
    for day in index.days:
        _write(writer, generator, day.url, "day", day=day)
    _write(writer, generator, timeline.TAGS_URL, "tags", order="name", listings=index.tags)
    _write(
        writer,
        generator,
        timeline.TAGS_BY_COUNT_URL,
        "tags",
        order="count",
        listings=index.tags_by_count(),
    )
    _write(writer, generator, timeline.SOURCES_URL, "sources")
    feed_items = _feed_items(generator.settings)
    for listing in (*index.tags, *index.sources):
        for page in listing.pages:
            save_as = listing.file if page.number == 0 else page.save_as
            _write(writer, generator, page.url, "listing", save_as, listing=listing, page=page)
        _write_feed(writer, generator, listing, feed_items)
