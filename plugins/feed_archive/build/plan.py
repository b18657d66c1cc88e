"""Plan: every page the build makes, the posts it shows, and a digest of all its inputs.

The timeline already knows every page and what it shows; the plan writes it down once per
build (all_generators_finalized), before any page is written. A page's digest is the site
digest (digests.site_digest: settings, templates, translations, code, installed versions),
its own place (file, number, neighbours…) and the digests of the posts it shows. The writer
(writer.py) does not render a page whose digest is the one its file was written with.
Pages the plan does not know (Pelican's hand-written pages, drafts) are always rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from .changelog import entry_line
from .days import CALENDAR_URL, SOURCES_URL, TAGS_BY_COUNT_URL, TAGS_URL
from .digests import digest, of_keys
from .gone import SAVE_AS as GONE_SAVE_AS
from .gone import marked
from .listings import Listing, save_as
from .stats.page import SAVE_AS as STATS_SAVE_AS
from .timeline import Timeline


@dataclass
class PagePlan:
    """Output-relative path -> digest of its inputs, and the source files each page shows."""

    site: bytes
    keys: dict[str, bytes] = field(default_factory=dict)
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def key(self, rel: str) -> bytes | None:
        """The digest of the page written at `rel` (None: not planned, always rendered)."""
        return self.keys.get(rel)

    def pages_showing(self, source_path: str) -> list[str]:
        """Every planned page that shows the post read from `source_path`, sorted."""
        return sorted(rel for rel, shown in self.shows.items() if source_path in shown)

    def add(self, rel: str, label: str, parts: Iterable[bytes | str], shown: Sequence[Any]) -> None:
        """Plan the page `rel`: its digest from the site, its label, parts and shown posts."""
        self.keys[rel] = digest(self.site, of_keys(label, [rel, *parts]))
        self.shows[rel] = tuple(str(getattr(a, "source_path", "")) for a in shown)


class _Posts:
    """Each article's token in a page digest: its URL and its post digest, made once per build."""

    def __init__(self, digest_of: Callable[[str], bytes]) -> None:
        self.digest_of = digest_of
        self.tokens: dict[int, bytes] = {}

    def token(self, article: Any) -> bytes:
        """The URL (length-prefixed) and the 16-byte digest of the article's post."""
        found = self.tokens.get(id(article))
        if found is None:
            url = article.fa.url.encode()
            found = len(url).to_bytes(4, "little") + url + self.digest_of(article.source_path)
            self.tokens[id(article)] = found
        return found

    def keys(self, articles: Iterable[Any]) -> list[bytes]:
        """The tokens of the articles, in order, as one part (tokens are self-delimiting)."""
        return [b"".join([self.token(a) for a in articles])]


def _listing(plan: PagePlan, posts: _Posts, listing: Listing) -> None:
    pages = listing.sequence
    head = [listing.kind, listing.slug, listing.name, listing.url, listing.feed or ""]
    for page in listing.pages:
        rel = listing.file if page.number == 0 else page.save_as
        links = [f"{p.shown}={p.url}" for p in listing.pager(page) if p is not None]
        count = str(listing.count) if page.number == 0 else ""
        parts = [*head, str(page.shown), str(len(pages)), count, *links]
        plan.add(rel, "listing", [*parts, *posts.keys(page.items)], page.items)


def _calendar(plan: PagePlan, posts: _Posts, timeline: Timeline) -> None:
    for day in timeline.days:
        around = [d.url if d else "" for d in (day.older, day.newer)]
        plan.add(save_as(day.url), "day", [*around, *posts.keys(day.items)], day.items)
    for month in timeline.months:
        around = [m.url if m else "" for m in (month.older, month.newer)]
        items = [a for day in month.day_list for a in day.items]
        days = [f"{d.date}:{len(d.items)}" for d in month.day_list]
        plan.add(save_as(month.url), "month", [*around, *days, *posts.keys(items)], items)
    for year in timeline.years:
        around = [y.url if y else "" for y in (year.older, year.newer)]
        counts = [f"{m.month}:{m.count}" for m in year.months.values()]
        plan.add(save_as(year.url), "year", [*around, *counts], ())
    counts = [f"{y.year}/{m.month}:{m.count}" for y in timeline.years for m in y.months.values()]
    plan.add(save_as(CALENDAR_URL), "calendar", counts, ())


def _indexes(plan: PagePlan, timeline: Timeline) -> None:
    def line(listing: Listing) -> str:
        return f"{listing.slug}\0{listing.name}\0{listing.count}\0{listing.url}"

    plan.add(save_as(TAGS_URL), "tags", [line(t) for t in timeline.tags], ())
    by_count = [line(t) for t in timeline.tags_by_count()]
    plan.add(save_as(TAGS_BY_COUNT_URL), "tags", by_count, ())
    sources = [line(s) + f"\0{s.items[0].date.isoformat()}" for s in timeline.sources if s.items]
    plan.add(save_as(SOURCES_URL), "sources", sources, ())


def _article(plan: PagePlan, posts: _Posts, article: Any) -> None:
    info = article.fa
    around = [a for a in (info.older, info.newer) if a is not None]
    tags = [f"{t.slug}\0{t.name}\0{t.url}" for t in info.shown_tags]
    source = f"{info.source.name}\0{info.source.url}" if info.source else ""
    day = info.day.url if info.day else ""
    roles = [f"older={info.older.fa.url if info.older else ''}"]
    roles.append(f"newer={info.newer.fa.url if info.newer else ''}")
    proof = str(getattr(article, "fa_proof_key", ""))  # its files' digests and records
    parts = [*tags, source, day, *roles, proof, *posts.keys([article, *around, *info.related])]
    parts += [mark.token for mark in getattr(article, "gone", ())]
    plan.add(info.save_as, "article", parts, [article, *around, *info.related])


def make_plan(
    site: bytes,
    timeline: Timeline,
    articles: Sequence[Any],
    settings: dict[str, Any],
    feed_items: int,
    digest_of: Callable[[str], bytes],
) -> PagePlan:
    """The plan of one build: its archive pages, article pages, feeds and direct templates.

    `digest_of` gives the digest of the post read from a source path (postfiles.PostFiles).
    """
    plan = PagePlan(site)
    posts = _Posts(digest_of)
    for article in articles:
        _article(plan, posts, article)
    _calendar(plan, posts, timeline)
    for listing in (*timeline.tags, *timeline.sources):
        _listing(plan, posts, listing)
        if listing.feed:
            shown = listing.items[:feed_items]
            plan.add(listing.feed, "feed", posts.keys(shown), shown)
    _indexes(plan, timeline)
    home = [a for day in timeline.home for a in day.items]
    before = timeline.before_home.url if timeline.before_home else ""
    days = [str(day.date) for day in timeline.home]
    plan.add("index.html", "home", [before, *days, *posts.keys(home)], home)
    if settings.get("FEED_ALL_ATOM"):
        newest = list(articles[: int(settings.get("FEED_MAX_ITEMS") or len(articles))])
        plan.add(str(settings["FEED_ALL_ATOM"]), "feed", posts.keys(newest), newest)
    for name in ("404", "search"):
        if name in (settings.get("DIRECT_TEMPLATES") or ()):
            plan.add(str(settings.get(f"{name.upper()}_SAVE_AS") or f"{name}.html"), name, [], ())
    plan.add(STATS_SAVE_AS, "stats", posts.keys(articles), articles)
    gone = marked(articles)
    shown = [article for _, article in gone]
    plan.add(GONE_SAVE_AS, "gone", [*(m.token for m, _ in gone), *posts.keys(shown)], shown)
    return plan


def plan_changes(
    plan: PagePlan, log: Listing, feed_items: int, digest_of: Callable[[str], bytes]
) -> None:
    """Plan the corrections log's pages and feed (changelog.py) from what each one shows."""
    head = [log.url, log.feed or ""]
    pages = log.sequence
    for page in log.pages:
        rel = log.file if page.number == 0 else page.save_as
        links = [f"{p.shown}={p.url}" for p in log.pager(page) if p is not None]
        count = str(log.count) if page.number == 0 else ""
        lines = [entry_line(entry) for entry in page.items]
        parts = [*head, str(page.shown), str(len(pages)), count, *links, *lines]
        plan.add(rel, "changes", parts, [entry.article for entry in page.items])
    if log.feed and log.items:
        shown = log.items[:feed_items]
        articles = [entry.article for entry in shown]
        lines = [entry_line(entry) for entry in shown]
        plan.add(log.feed, "changes-feed", [*lines, *_Posts(digest_of).keys(articles)], articles)
