"""Gone: the disappearances of the sidecar on the article pages and on the page `/gone/`.

`attach` (article_generator_finalized, after the timeline) reads the archive's sidecar
(post/gone.py) once and gives every archived article its current marks (`article.gone`, a
tuple, empty for most) and its events for the corrections log (`article.gone_log`, read by
changelog.py); `write_page` (article_writer_finalized) writes `gone/index.html` with the
marked items, newest mark first. Each mark is in the digest of its article's page and of
`/gone/` (plan.py), so a changed sidecar re-renders exactly those pages (and the log's).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from ..post.gone import (
    LEFT_FEED,
    MARKED,
    SIDECAR_NAME,
    SOURCE_GONE,
    Disappearances,
    Event,
    SidecarError,
)
from .state import BuildState

logger = logging.getLogger(__name__)

URL = "gone/"
SAVE_AS = URL + "index.html"
TEMPLATE = "gone"
#: The corrections log's kinds for the events of the sidecar (build/changelog.py).
LOG_KINDS = {
    (LEFT_FEED, True): "left-feed",
    (LEFT_FEED, False): "back-in-feed",
    (SOURCE_GONE, True): "source-gone",
    (SOURCE_GONE, False): "source-back",
}
#: The fragment of an article page that holds its disappearance notes.
ANCHOR = "gone"
#: What a template says of a mark: the item left its feed, or its page answers 404 or 410, or
#: redirects to its site's home page.
WITHDRAWN, NOT_FOUND, HOME = "withdrawn", "not-found", "home"


@dataclass(frozen=True)
class Mark:
    """One current mark of an article, as its page and `/gone/` show it."""

    signal: str
    kind: str
    since: datetime
    status: int | None = None
    location: str = ""

    @property
    def token(self) -> str:
        """Everything the mark shows, as text (for the page plan)."""
        return (
            f"{self.signal}\0{self.kind}\0{self.since.isoformat()}\0{self.status}\0{self.location}"
        )


def mark_of(event: Event) -> Mark | None:
    """The mark an event makes (None when its date cannot be read)."""
    try:
        since = datetime.fromisoformat(event.seen)
    except ValueError:
        return None
    if event.signal == LEFT_FEED:
        kind = WITHDRAWN
    else:
        kind = HOME if event.location else NOT_FOUND
    return Mark(event.signal, kind, since, event.status, event.location)


@dataclass(frozen=True)
class LogEvent:
    """One event of an article's disappearances as the corrections log lists it."""

    seen: datetime
    kind: str
    anchor: str


def log_events(events: Iterable[Event], marked: bool) -> tuple[LogEvent, ...]:
    """The events as log lines; those of a signal marked now lead to the notes (`#gone`)."""
    found = []
    for event in events:
        try:
            seen = datetime.fromisoformat(event.seen)
        except ValueError:
            continue
        kind = LOG_KINDS[(event.signal, event.state == MARKED)]
        found.append(LogEvent(seen, kind, ANCHOR if marked else ""))
    return tuple(found)


def load(settings: dict[str, Any]) -> Disappearances:
    """The sidecar of the site's archive folder ({} when missing; unreadable: warned, {})."""
    state = BuildState.of(settings)
    folder = state.config.archive_dir if state is not None else "archive"
    path = Path(settings.get("PATH") or "content") / folder / SIDECAR_NAME
    try:
        return Disappearances.load(path)
    except SidecarError as exc:
        logger.warning("feed_archive: %s; no disappearance shown", exc)
        return Disappearances()


def marked(articles: Iterable[Any]) -> list[tuple[Mark, Any]]:
    """(mark, article) for every mark of the articles, newest mark first, then by URL."""
    found = [(mark, a) for a in articles for mark in getattr(a, "gone", ())]
    return sorted(found, key=lambda pair: (-pair[0].since.timestamp(), pair[1].fa.url))


def attach(generator: Any) -> None:
    """article_generator_finalized hook: every archived article gets `gone` (its marks)."""
    settings = generator.settings
    gone = load(settings)
    state = BuildState.of(settings)
    folder = state.config.archive_dir if state is not None else "archive"
    root = os.path.abspath(os.path.join(settings.get("PATH") or "content", folder))
    for group in ("articles", "translations", "hidden_articles", "drafts"):
        for article in getattr(generator, group, None) or ():
            source = str(getattr(article, "source_path", "") or "")
            rel = os.path.relpath(os.path.abspath(source), root).replace(os.sep, "/")
            ours = bool(source) and not rel.startswith("..")
            events = gone.marks(rel).values() if ours else ()
            article.gone = tuple(m for m in map(mark_of, events) if m is not None)
            history = gone.items.get(rel, []) if ours else []
            article.gone_log = log_events(history, bool(article.gone))


def write_page(generator: Any, writer: Any) -> None:
    """article_writer_finalized hook: write `/gone/` (every marked item, newest mark first)."""
    if not hasattr(generator, "articles"):
        return
    found = marked(generator.articles)
    writer.write_file(
        SAVE_AS,
        generator.get_template(TEMPLATE),
        generator.context,
        relative_urls=generator.settings.get("RELATIVE_URLS", False),
        template_name=f"fa_{TEMPLATE}",
        url=URL,
        page_name=URL.rstrip("/"),
        withdrawn=[pair for pair in found if pair[0].signal == LEFT_FEED],
        sources=[pair for pair in found if pair[0].signal != LEFT_FEED],
    )
