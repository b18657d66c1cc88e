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
    #: The publication date as the feed wrote it (kept when the date is not used).
    published_text: str = ""
    #: The identity version 0.1 of the archive gave this entry, when it differs (upgrades).
    legacy_identity: str = ""


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title and link, its whole entries in document order, any warning.

    `cut` is True when the document ends before closing its root element (a cut download);
    `incomplete` holds the titles of the entries it ends inside, which are not in `entries`.
    """

    title: str
    link: str | None
    entries: tuple[Entry, ...]
    warning: str | None = None
    version: str = ""
    cut: bool = False
    incomplete: tuple[str, ...] = ()


class ParseError(Exception):
    """The bytes are not a feed we can read; the message says why in one line."""
