"""Format: a post's Markdown file (a `Key: value` header, a blank line, the body); pure."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from .text import collapse, is_absolute_http, slugify

#: Metadata keys in the order they are written.
KEYS = (
    "Title",
    "Date",
    "Modified",
    "Tags",
    "Category",
    "Slug",
    "Authors",
    "Summary",
    "Source",
    "Guid",
    "Feed",
    "Paywalled",
    "Cut",
    "Feed-Id",
    "Updated",
    "Fetched",
    "Feed-Date",
)
#: Keys that say when and where a version was seen, not what it says: two texts that differ
#: only there are the same version.
BOOKKEEPING = ("Modified", "Updated", "Fetched", "Feed-Id", "Feed-Date")
_BOOKKEEPING_LINE = re.compile(r"^(?:" + "|".join(BOOKKEEPING) + r"):", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"[,;<>]")
_URL_UNSAFE = str.maketrans({c: f"%{ord(c):02X}" for c in ' "<>\\^`{|}'})
#: Characters that Markdown or HTML would read in a metadata value, written as entities.
_VALUE_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]|#<>&"} | {'"': "&quot;"})


@dataclass(frozen=True)
class Post:
    """Everything one archived item's Markdown file holds, already cleaned and formatted."""

    identity: str
    title: str
    date: str
    slug: str
    feed: str
    body: str
    tags: tuple[str, ...] = ()
    category: str = ""
    authors: tuple[str, ...] = ()
    summary: str = ""
    source: str = ""
    modified: str = ""
    paywalled: bool = False
    feed_id: str = ""
    updated: str = ""
    fetched: str = ""
    feed_date: str = ""
    #: bytes of the feed's text when the body was cut to FEED_ARCHIVE_MAX_TEXT_BYTES (else 0)
    cut: int = 0


def format_date(moment: datetime, zone: ZoneInfo) -> str:
    """`2025-10-31 16:08:00+01:00`: local time in `zone` with its UTC offset.

    Before 1911 Paris kept its mean solar time (`+00:09:21`); an offset that is not a whole
    number of minutes is one no date reader expects, so such dates are written in UTC.
    """
    local = moment.astimezone(zone)
    offset = local.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        local = moment.astimezone(UTC)
    return local.isoformat(sep=" ", timespec="seconds")


def content_key(text: str) -> str:
    """A digest of what a post's text says (its bookkeeping lines left out): its version."""
    header, _, body = text.replace("\r\n", "\n").partition("\n\n")
    kept = [line for line in header.split("\n") if not _BOOKKEEPING_LINE.match(line)]
    return hashlib.sha256(("\n".join(kept) + "\n\n" + body).encode("utf-8")).hexdigest()[:24]


def metadata_name(value: str) -> str:
    """A tag, author or category name that Pelican cannot split or read as HTML."""
    return _shorten(collapse(_NAME_SEPARATORS.sub(" ", value)))


#: Longest name, counting a non-ASCII character as 6 (its slug may be transliterated to that).
NAME_BUDGET = 100


def _shorten(name: str) -> str:
    """`name` cut at a word boundary so that its slug (a file name) stays well under 255 bytes."""
    cost = 0
    for index, char in enumerate(name):
        cost += 1 if char.isascii() else 6
        if cost > NAME_BUDGET:
            head = name[:index]
            return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip()
    return name


def metadata_html(value: str) -> str:
    """Plain text as an HTML metadata value (Pelican treats titles as HTML), on one line."""
    return html.escape(collapse(value), quote=False)


def metadata_text(value: str) -> str:
    """Plain text as a metadata value that Markdown and HTML both show literally, on one line."""
    return collapse(value).translate(_VALUE_ENTITIES)


def unique_names(values: tuple[str, ...]) -> tuple[str, ...]:
    """Names cleaned for metadata, without two that Pelican would give the same slug."""
    kept: dict[str, str] = {}
    for value in values:
        name = metadata_name(value)
        if name:
            kept.setdefault(slugify(name) or name.casefold(), name)
    return tuple(kept.values())


def safe_url(url: str | None) -> str:
    """An absolute http(s) URL with no character that could leave an attribute or a line."""
    if not url or not is_absolute_http(url):
        return ""
    return collapse(url).replace(" ", "%20").translate(_URL_UNSAFE)


def render(post: Post) -> str:
    """The Markdown file of a post: one `Key: value` line per metadata, a blank line, the body."""
    values = {
        "Title": metadata_html(post.title),
        "Date": post.date,
        "Modified": post.modified,
        "Tags": ", ".join(post.tags),
        "Category": post.category,
        "Slug": post.slug,
        "Authors": ", ".join(post.authors),
        "Summary": metadata_text(post.summary),
        "Source": post.source,
        "Guid": metadata_html(post.identity),
        "Feed": metadata_name(post.feed),
        "Paywalled": "true" if post.paywalled else "",
        "Cut": str(post.cut) if post.cut else "",
        "Feed-Id": metadata_html(post.feed_id),
        "Updated": post.updated,
        "Fetched": post.fetched,
        "Feed-Date": metadata_html(post.feed_date),
    }
    header = "".join(f"{key}: {values[key]}\n" for key in KEYS if values[key])
    return f"{header}\n{post.body}\n"


def read_header(text: str) -> dict[str, str]:
    """The metadata of a Markdown file we wrote, keys lowercased (header ends at a blank line)."""
    meta: dict[str, str] = {}
    for line in text.split("\n"):
        if not line.strip():
            break
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip()
    return meta


def with_history(post: Post, previous: dict[str, str]) -> Post:
    """The post with what an update never changes taken from the archived file's header.

    Date, slug (hence the URL), the identity it was archived under, the feed name and the
    category (both from the settings: renaming a feed rewrites no post) stay; `modified` is
    left empty for the caller to set when this version becomes current.
    """
    return replace(
        post,
        date=previous.get("date", post.date),
        slug=previous.get("slug", post.slug),
        identity=html.unescape(previous["guid"]) if previous.get("guid") else post.identity,
        feed=previous.get("feed", post.feed),
        category=previous.get("category", post.category),
        modified="",
    )


def split_file(text: str) -> tuple[dict[str, str], str]:
    """A Markdown file we wrote -> (metadata with lowercased keys, body)."""
    header, _, body = text.replace("\r\n", "\n").partition("\n\n")
    return read_header(header), body
