"""Parse: feed bytes -> ParsedFeed (RSS/Atom/RDF via feedparser, JSON Feed via json); no I/O."""

from __future__ import annotations

import calendar
import html
import io
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from ..post import collapse, dedupe, first_absolute, is_absolute_http
from . import dates, identity
from .complete import completeness
from .entry import Entry, ParsedFeed, ParseError
from .jsonfeed import parse_json

__all__ = ["ParseError", "parse"]

logger = logging.getLogger(__name__)

_HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}
CUT = "the document ends early, before its first complete item (cut download?)"


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _as_html(detail: Any) -> str:
    """The HTML of a feedparser text construct (plain text is escaped into a paragraph)."""
    if not detail:
        return ""
    value = detail.get("value") or ""
    kind = (detail.get("type") or "text/html").lower()
    if kind in _HTML_TYPES or kind.endswith("html") or kind.endswith("+xml"):
        return value
    return "<p>" + html.escape(value).replace("\n\n", "</p><p>") + "</p>" if value else ""


def _feedparser_entry(
    raw: Any, feed_link: str | None, source_url: str | None
) -> tuple[Entry, identity.Marks]:
    link = raw.get("link") or None
    contents = [c for c in raw.get("content") or [] if c.get("value")]
    content_detail = max(contents, key=lambda c: len(c.get("value", "")), default=None)
    summary_detail = raw.get("summary_detail")
    content_html = _as_html(content_detail) if content_detail else ""
    summary_html = _as_html(summary_detail)
    title_detail = raw.get("title_detail") or {}
    title = raw.get("title") or ""
    published = _struct_to_datetime(raw.get("published_parsed"))
    # dict.get: feedparser's own get() maps a missing updated date to the published one.
    updated = _struct_to_datetime(dict.get(raw, "updated_parsed"))
    updated = updated or dates.text_date(dict.get(raw, "dc_modified"))  # feedparser skips it
    published = published or _struct_to_datetime(raw.get("created_parsed"))
    detail_base = (content_detail or summary_detail or {}).get("base")
    base = first_absolute(
        [
            link and urljoin(detail_base or feed_link or source_url or "", link),
            detail_base,
            feed_link,
            source_url,
        ]
    )
    if link and base and not is_absolute_http(link):
        link = urljoin(base, link)
    authors = [a.get("name") or a.get("email") or "" for a in raw.get("authors") or [] if a]
    if not any(authors) and raw.get("author"):
        authors = [raw.get("author")]
    tags = [t.get("term") or t.get("label") or "" for t in raw.get("tags") or []]
    enclosures = [
        e.get("href") for e in raw.get("enclosures") or [] if is_absolute_http(e.get("href"))
    ]
    date_text = raw.get("published") or dict.get(raw, "updated") or ""
    marks = identity.marks_of(
        raw.get("id"), raw.get("link"), title, date_text, content_html or summary_html
    )
    entry = Entry(
        identity="",
        title=title,
        link=link if is_absolute_http(link) else None,
        published=published,
        updated=updated,
        authors=dedupe(authors),
        tags=dedupe(tags),
        content_html=content_html or summary_html,
        summary_html=summary_html,
        base_url=base,
        title_is_html=(title_detail.get("type") or "").lower() in _HTML_TYPES,
        enclosures=tuple(dict.fromkeys(enclosures)),
        published_text=collapse(raw.get("published") or raw.get("created") or "")[:100],
    )
    return entry, marks


def _parse_xml(data: bytes, content_type: str | None, url: str | None) -> ParsedFeed:
    headers = {"content-type": content_type or "application/xml"}
    if url and is_absolute_http(url):
        headers["content-location"] = url
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    problem = parsed.get("bozo_exception")
    if not parsed.get("version") and not parsed.entries:
        kind = (content_type or "").split(";")[0].strip()
        cause = f" ({collapse(str(problem))[:160]})" if problem and "html" not in kind else ""
        xml = re.search(r"xml|rss|atom", kind)
        what = f"server sent {kind}" if kind and not xml else "no RSS, Atom or JSON Feed found"
        raise ParseError(f"not a feed: {what}{cause}")
    feed = parsed.feed
    feed_link = feed.get("link") if is_absolute_http(feed.get("link")) else None
    pairs = [_feedparser_entry(e, feed_link, url) for e in parsed.entries]
    state = completeness(data)
    whole = len(pairs) if state.whole else min(len(pairs), state.closed_entries)
    if not state.whole and not whole:
        raise ParseError(CUT)
    cut = tuple(collapse(e.title)[:80] or "(sans titre)" for e, _ in pairs[whole:])
    kept = pairs[:whole]
    warning = f"{type(problem).__name__}: {collapse(str(problem))[:160]}" if problem else None
    return ParsedFeed(
        title=collapse(feed.get("title")),
        link=feed_link,
        entries=identity.assign_pairs(kept),
        warning=warning,
        version=parsed.get("version") or "",
        cut=not state.whole,
        incomplete=cut,
    )


def parse(data: bytes, content_type: str | None = None, url: str | None = None) -> ParsedFeed:
    """Parse feed bytes; raise ParseError (one line) when they are no feed at all."""
    if not data or not data.strip():
        raise ParseError("empty document")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return parse_json(data, url)
    if data[:2] in (b"\x00<", b"<\x00") and data[2:4] not in (b"\x00?", b"?\x00"):
        # UTF-16 with neither BOM nor XML declaration: expat cannot guess it, we can.
        codec = "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
        data = data.decode(codec, errors="replace").encode("utf-8")
    return _parse_xml(data, content_type, url)
