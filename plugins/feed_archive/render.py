"""Render: Entry -> Post -> Markdown text with Pelican metadata; pure and byte-for-byte stable."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from . import clean, tagging
from .entry import Entry
from .parse import collapse, is_absolute_http
from .settings import Source, slugify

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
)
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


def key_of(identity: str, length: int = 12) -> str:
    """The hex digest that names an item's file: stable for a given identity."""
    return hashlib.sha256(collapse(identity).encode("utf-8")).hexdigest()[:length]


def format_date(moment: datetime, zone: ZoneInfo) -> str:
    """`2025-10-31 16:08:00+01:00`: local time in `zone` with its UTC offset."""
    return moment.astimezone(zone).isoformat(sep=" ", timespec="seconds")


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


def build_post(
    entry: Entry,
    source: Source,
    zone: ZoneInfo,
    markers: tuple[re.Pattern[str], ...],
    first_seen: datetime,
    summary_length: int = 280,
    tag_rules: dict[str, list[str]] | None = None,
) -> Post:
    """Turn a parsed entry into a Post: sanitized Markdown body, local dates, tags, identity."""
    base = entry.link or entry.base_url
    safe_html = clean.sanitize(entry.content_html, base)
    body = clean.to_markdown(safe_html)
    images = [u for u in entry.enclosures if re.search(r"\.(jpe?g|png|gif|webp|avif)$", u, re.I)]
    others = [u for u in entry.enclosures if u not in images]
    extra = [f"![]({clean._markdown_url(u)})" for u in images if u not in safe_html]
    extra += [f"- <{clean._markdown_url(u)}>" for u in others]
    if extra:
        body = "\n\n".join(filter(None, [body, "\n".join(extra)]))
    text = clean.text_of(entry.content_html)
    summary_text = clean.text_of(entry.summary_html) or text
    title = clean.plain_title(entry.title, entry.title_is_html)
    if not title:
        title = clean.excerpt(summary_text, 80) or "(sans titre)"
    moment = entry.published or entry.updated or first_seen
    key = key_of(entry.identity)
    tags = unique_names(entry.tags + source.tags + tagging.tags_for(title, text, tag_rules))
    return Post(
        identity=collapse(entry.identity),
        title=title,
        date=format_date(moment, zone),
        slug=f"{slugify(title, 70) or 'item'}-{key}",
        feed=source.name,
        body=body,
        tags=tags,
        category=metadata_name(source.category or source.name),
        authors=tuple(a for a in (metadata_name(x) for x in entry.authors) if a),
        summary=clean.excerpt(summary_text, summary_length),
        source=safe_url(entry.link),
        paywalled=clean.paywalled(text + " " + summary_text, markers),
    )


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
    """The post with what must survive an update taken from the archived file: date, slug."""
    return replace(
        post,
        date=previous.get("date", post.date),
        slug=previous.get("slug", post.slug),
        modified=previous.get("modified", ""),
    )
