"""Parse: feed bytes -> ParsedFeed (RSS/Atom/RDF via feedparser, JSON Feed via json); no I/O."""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import html
import io
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import feedparser

from .entry import Entry, ParsedFeed

logger = logging.getLogger(__name__)

_HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}
_SPACES = re.compile(r"\s+")
#: Control characters (not white space) and lone surrogates: none is text, some break writes.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]")


class ParseError(Exception):
    """The bytes are not a feed we can read; the message says why in one line."""


def collapse(text: str | None) -> str:
    """`text` on one line: white space runs (newlines too) become one space; controls go."""
    return _SPACES.sub(" ", _CONTROLS.sub("", text or "")).strip()


def is_absolute_http(url: str | None) -> bool:
    """True for an absolute http(s) URL."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def identity_of(guid: str | None, link: str | None, title: str, date: str, text: str = "") -> str:
    """An item's identity: its guid, else its link, else a hash of title and date (and text)."""
    guid = collapse(guid)
    if guid:
        return guid
    link = collapse(link)
    if link:
        return link
    digest = hashlib.sha256("\x1f".join((title, date, text)).encode("utf-8")).hexdigest()
    return "urn:feed-archive:" + digest[:32]


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        value = collapse(value)
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


def _as_html(detail: Any) -> str:
    """The HTML of a feedparser text construct (plain text is escaped into a paragraph)."""
    if not detail:
        return ""
    value = detail.get("value") or ""
    kind = (detail.get("type") or "text/html").lower()
    if kind in _HTML_TYPES or kind.endswith("html") or kind.endswith("+xml"):
        return value
    return "<p>" + html.escape(value).replace("\n\n", "</p><p>") + "</p>" if value else ""


def _base(candidates: Iterable[str | None]) -> str | None:
    for candidate in candidates:
        if is_absolute_http(candidate):
            return candidate.strip()  # type: ignore[union-attr]
    return None


def _feedparser_entry(raw: Any, feed_link: str | None, source_url: str | None) -> Entry:
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
    published = published or _struct_to_datetime(raw.get("created_parsed"))
    detail_base = (content_detail or summary_detail or {}).get("base")
    base = _base(
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
    identity = identity_of(
        raw.get("id"),
        raw.get("link"),
        title,
        date_text,
        "" if title else (content_html or summary_html)[:500],
    )
    return Entry(
        identity=identity,
        title=title,
        link=link if is_absolute_http(link) else None,
        published=published,
        updated=updated,
        authors=_dedupe(authors),
        tags=_dedupe(tags),
        content_html=content_html or summary_html,
        summary_html=summary_html,
        base_url=base,
        title_is_html=(title_detail.get("type") or "").lower() in _HTML_TYPES,
        enclosures=tuple(dict.fromkeys(enclosures)),
    )


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
    entries = tuple(_feedparser_entry(e, feed_link, url) for e in parsed.entries)
    warning = f"{type(problem).__name__}: {collapse(str(problem))[:160]}" if problem else None
    return ParsedFeed(
        title=collapse(feed.get("title")),
        link=feed_link,
        entries=entries,
        warning=warning,
        version=parsed.get("version") or "",
    )


def _json_entry(item: dict[str, Any], feed_link: str | None, source_url: str | None) -> Entry:
    link = item.get("url") if isinstance(item.get("url"), str) else None
    base = _base([link, feed_link, source_url])
    if link and base and not is_absolute_http(link):
        link = urljoin(base, link)
    content_html = item.get("content_html") if isinstance(item.get("content_html"), str) else ""
    text = item.get("content_text") if isinstance(item.get("content_text"), str) else ""
    if not content_html and text:
        content_html = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p)
    summary = item.get("summary") if isinstance(item.get("summary"), str) else ""
    authors_raw = item.get("authors") or ([item["author"]] if item.get("author") else [])
    authors = [a.get("name", "") for a in authors_raw if isinstance(a, dict)]
    tags = [t for t in item.get("tags") or [] if isinstance(t, str)]
    title = item.get("title") if isinstance(item.get("title"), str) else ""
    raw_id = item.get("id")
    date_text = str(item.get("date_published") or item.get("date_modified") or "")
    enclosures = [
        a.get("url")
        for a in item.get("attachments") or []
        if isinstance(a, dict) and is_absolute_http(a.get("url"))
    ]
    return Entry(
        identity=identity_of(
            str(raw_id) if raw_id not in (None, "") else None,
            link,
            title,
            date_text,
            "" if title else (content_html or "")[:500],
        ),
        title=title,
        link=link if is_absolute_http(link) else None,
        published=_iso_datetime(item.get("date_published")),
        updated=_iso_datetime(item.get("date_modified")),
        authors=_dedupe(authors),
        tags=_dedupe(tags),
        content_html=content_html or (f"<p>{html.escape(summary)}</p>" if summary else ""),
        summary_html=f"<p>{html.escape(summary)}</p>" if summary else "",
        base_url=base,
        enclosures=tuple(dict.fromkeys(enclosures)),
    )


def _rss_in_json(rss: dict[str, Any], url: str | None) -> ParsedFeed:
    """RSS-in-JSON (RSS 2.0 written as JSON, as scripting.com serves it) via the JSON Feed path."""
    channel = rss.get("channel") if isinstance(rss.get("channel"), dict) else {}
    items = channel.get("item") or []
    home = channel.get("link") if is_absolute_http(channel.get("link")) else None

    def text(value: Any) -> str | None:
        value = value.get("#value") if isinstance(value, dict) else value
        return value if isinstance(value, str) else None

    def listed(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value] if value else []

    entries = []
    for item in listed(items):
        if not isinstance(item, dict):
            continue
        try:
            moment = email.utils.parsedate_to_datetime(text(item.get("pubDate")) or "")
        except (TypeError, ValueError):
            moment = None
        shaped = {
            "id": text(item.get("guid")),
            "url": text(item.get("link")),
            "title": text(item.get("title")),
            "content_html": text(item.get("description")),
            "date_published": moment.isoformat() if moment else None,
            "tags": [text(c) for c in listed(item.get("category"))],
            "attachments": [e for e in listed(item.get("enclosure")) if isinstance(e, dict)],
        }
        entries.append(_json_entry(shaped, home, url))
    return ParsedFeed(
        title=collapse(text(channel.get("title")) or ""),
        link=home,
        entries=tuple(entries),
        version="rss-in-json" + str(rss.get("version") or ""),
    )


def _without_surrogates(item: dict[str, Any]) -> dict[str, Any]:
    """json object_hook: a lone surrogate (a bad \\ud800 escape) becomes "?"; nh3 refuses them."""

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return value.encode("utf-8", "replace").decode("utf-8")
        return [fix(v) for v in value] if isinstance(value, list) else value

    return {key: fix(value) for key, value in item.items()}


def _parse_json(data: bytes, url: str | None) -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig"), object_hook=_without_surrogates)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"invalid JSON ({collapse(str(exc))[:120]})") from exc
    if isinstance(document, dict) and isinstance(document.get("rss"), dict):
        return _rss_in_json(document["rss"], url)
    version = document.get("version", "") if isinstance(document, dict) else ""
    # "1.1" instead of the spec's URL is common enough (gofeed reads it): accept it.
    bare = isinstance(version, str) and re.fullmatch(r"1(\.[01])?", version.strip())
    if not isinstance(version, str) or not ("jsonfeed.org" in version or bare):
        raise ParseError("not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("not a feed: JSON Feed without an items list")
    home = document.get("home_page_url")
    feed_link = home if is_absolute_http(home) else None
    entries = tuple(_json_entry(i, feed_link, url) for i in items if isinstance(i, dict))
    return ParsedFeed(
        title=collapse(str(document.get("title") or "")),
        link=feed_link,
        entries=entries,
        version="json" + version.rstrip("/").rsplit("/", 1)[-1],
    )


def parse(data: bytes, content_type: str | None = None, url: str | None = None) -> ParsedFeed:
    """Parse feed bytes; raise ParseError (one line) when they are no feed at all."""
    if not data or not data.strip():
        raise ParseError("empty document")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return _parse_json(data, url)
    if data[:2] in (b"\x00<", b"<\x00") and data[2:4] not in (b"\x00?", b"?\x00"):
        # UTF-16 with neither BOM nor XML declaration: expat cannot guess it, we can.
        codec = "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
        data = data.decode(codec, errors="replace").encode("utf-8")
    return _parse_xml(data, content_type, url)
