"""Entry: the one shape every step after parsing uses (a feed item, not yet cleaned)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Entry:
    """One item of a feed, as parsed: raw HTML, aware datetimes, identity already decided."""

    identity: str
    title: str
    link: str | None
    published: datetime | None
    updated: datetime | None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    content_html: str = ""
    summary_html: str = ""
    base_url: str | None = None
    title_is_html: bool = False
    enclosures: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title and link, its entries in document order, and any parse warning."""

    title: str
    link: str | None
    entries: tuple[Entry, ...]
    warning: str | None = None
    version: str = ""
