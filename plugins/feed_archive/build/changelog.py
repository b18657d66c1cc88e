"""Corrections log: every recorded change of the archive, newest first -> /changes/ and a feed.

`collect` (article_generator_finalized, after the revisions) gathers the entries of every
listed article into one listing (listings.Listing: stable pages, like a tag's); the plan
(plan.py, `plan_changes`) gives each of its pages and its feed a digest of what they show;
`write` (article_writer_finalized) writes them through the plan's writer.

Entries come from ENTRY_SOURCES: functions taking an article (with its `fa` and `revisions`)
and giving its entries. A version change is one; other kinds of event (an item that left
its feed, a source gone) add their own function there, with a kind the theme has a label for
(partials/kinds.html, KIND_LABELS below).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Sequence

from . import i18n
from .gone import LogEvent
from .listings import Listing, save_as
from .pages import feed_items
from .state import BuildState
from .theme import theme_folder

logger = logging.getLogger(__name__)

URL = "changes/"
FEED = "feeds/changes.atom.xml"
#: Each kind's label (a theme msgid); the templates hold the same (partials/kinds.html).
KIND_LABELS = {
    "title": "title changed",
    "added": "text added",
    "removed": "text removed",
    "edited": "text edited",
    "paywall-lifted": "paywall lifted",
    "paywall-added": "paywall added",
    "link": "link changed",
    "left-feed": "left the feed",
    "back-in-feed": "back in the feed",
    "source-gone": "source gone",
    "source-back": "source back",
}
NO_KIND = "details only (links, images)"


@dataclass(frozen=True)
class Entry:
    """One line of the log: when it was seen, the article, its kinds and where to read it.

    `anchor` is the fragment of the article page that shows it (a version diff:
    `diff-<version>`); `version` is the version it led to (0: not a version change);
    `title_html` and `body_html` are the safe diff HTML the feed carries ("" for none).
    """

    seen: datetime
    article: Any
    kinds: tuple[str, ...]
    anchor: str
    version: int = 0
    title_html: str = ""
    body_html: str = ""

    @property
    def url(self) -> str:
        """The site-relative URL of what the line is about (the article page's fragment)."""
        page = self.article.fa.url
        return f"{page}#{self.anchor}" if self.anchor else page


def diff_anchor(version: int) -> str:
    """The fragment of the article page showing the diff that leads to `version`."""
    return f"diff-{version}"


def version_entries(article: Any) -> list[Entry]:
    """One entry per change in the article's history (build/revisions.py), when it was seen."""
    history = getattr(article, "revisions", None)
    if not history:
        return []
    by_number = {v.number: v for v in history.versions}
    entries = []
    for change in history.changes:
        seen = by_number[change.new].when or getattr(article, "modified", None) or article.date
        entries.append(
            Entry(
                seen=seen,
                article=article,
                kinds=change.kinds,
                anchor=diff_anchor(change.new),
                version=change.new,
                title_html=change.title_html if change.title_changed else "",
                body_html=change.body_html if change.added or change.removed else "",
            )
        )
    return entries


def disappearance_entries(article: Any) -> list[Entry]:
    """One entry per event of the article's disappearances (build/gone.py `gone_log`)."""
    events: Sequence[LogEvent] = getattr(article, "gone_log", ())
    return [Entry(seen=e.seen, article=article, kinds=(e.kind,), anchor=e.anchor) for e in events]


#: Where the log's entries come from (each: article -> its entries).
ENTRY_SOURCES: tuple[Callable[[Any], Iterable[Entry]], ...] = (
    version_entries,
    disappearance_entries,
)


def make_log(
    articles: Iterable[Any],
    page_size: int,
    sources: Sequence[Callable[[Any], Iterable[Entry]]] = ENTRY_SOURCES,
) -> Listing:
    """Every entry of the articles, newest first, as a listing cut into stable pages."""
    entries = [entry for article in articles for source in sources for entry in source(article)]
    entries.sort(key=lambda e: (e.seen.timestamp(), e.article.fa.url, e.version), reverse=True)
    log = Listing("changes", "", "changes", URL, save_as(URL), FEED, entries)
    log.paginate(page_size)
    return log


def collect(generator: Any) -> None:
    """article_generator_finalized hook: the build's log from its listed articles."""
    state = BuildState.of(generator.settings)
    if state is None:
        return
    try:
        state.changes = make_log(generator.articles, state.config.list_page_size)
    except Exception:  # a broken log must not break the build
        logger.exception("changes: cannot make the corrections log")
        return
    generator.context["fa_changes"] = state.changes
    count = state.changes.count
    logger.info("feed_archive: %s %s in the corrections log", count, _plural(count, "change"))


def entry_line(entry: Entry) -> str:
    """What a page or the plan says of an entry: when, where, kinds and the title shown."""
    article = entry.article
    modified = "1" if article.fa.modified else ""
    return "\0".join(
        [entry.seen.isoformat(), entry.url, ",".join(entry.kinds), str(article.title), modified]
    )


class _FeedEntry:
    """An entry as Pelican's feed writer reads an article: title, url, dates and content."""

    def __init__(self, entry: Entry, labels: str) -> None:
        self.entry = entry
        self.title = f"{entry.article.title} — {labels}"
        self.url = entry.url
        self.date = self.modified = entry.seen
        self.summary = html.escape(labels)

    def get_content(self, siteurl: str) -> str:
        """The kinds, then the title and text diffs (safe HTML made by revisions.py)."""
        parts = [f"<p>{self.summary}</p>"]
        if self.entry.title_html:
            parts.append(f"<p>{self.entry.title_html}</p>")
        if self.entry.body_html:
            parts.append(self.entry.body_html)
        return "".join(parts)


def labels_of(kinds: Sequence[str], gettext: Callable[[str], str]) -> str:
    """The kinds as one line of text in the site's language ("Titre modifié, texte ajouté")."""
    text = ", ".join(gettext(KIND_LABELS.get(k, k)) for k in kinds) or gettext(NO_KIND)
    return i18n.capitalized(text)


def write(generator: Any, writer: Any) -> None:
    """article_writer_finalized hook: write the log's pages and its Atom feed."""
    state = BuildState.of(generator.settings)
    log: Listing | None = state.changes if state is not None else None
    if log is None:
        return
    settings = generator.settings
    template = generator.get_template("changes")
    for page in log.pages:
        writer.write_file(
            log.file if page.number == 0 else page.save_as,
            template,
            generator.context,
            relative_urls=settings.get("RELATIVE_URLS", False),
            template_name="fa_changes",
            url=page.url,
            page_name=page.url.rstrip("/"),
            log=log,
            page=page,
        )
    if not log.items:
        return  # no feed: an empty Atom feed would say it was updated now, at every build
    folder = theme_folder(settings) / "translations"
    words = i18n.translations(str(folder), settings.get("DEFAULT_LANG") or "en")
    limit = feed_items(settings)
    items = [_FeedEntry(e, labels_of(e.kinds, words.gettext)) for e in log.items[:limit]]
    title = words.gettext("Corrections log")
    writer.write_feed(items, generator.context, FEED, FEED, feed_title=title)


def _plural(count: int, word: str) -> str:
    """`word` with an s unless `count` is 1 (the log lines are English)."""
    return word if count == 1 else word + "s"
