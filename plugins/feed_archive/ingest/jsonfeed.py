"""JSON Feed: JSON Feed 1.0/1.1 and RSS-in-JSON bytes -> ParsedFeed (feedparser reads neither)."""

from __future__ import annotations

import email.utils
import html
import json
import re
from typing import Any
from urllib.parse import urljoin

from ..post import collapse, dedupe, first_absolute, is_absolute_http
from . import dates, identity
from .entry import Entry, ParsedFeed, ParseError


def _text(item: dict[str, Any], key: str) -> str:
    """The item's value for `key` when it is a string, else ""."""
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _json_entry(
    item: dict[str, Any], feed_link: str | None, source_url: str | None
) -> tuple[Entry, identity.Marks]:
    link: str | None = _text(item, "url") or None
    base = first_absolute([link, feed_link, source_url])
    if link and base and not is_absolute_http(link):
        link = urljoin(base, link)
    content_html = _text(item, "content_html")
    text = _text(item, "content_text")
    if not content_html and text:
        content_html = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p)
    summary = _text(item, "summary")
    authors_raw = item.get("authors") or ([item["author"]] if item.get("author") else [])
    authors = [a.get("name", "") for a in authors_raw if isinstance(a, dict)]
    tags = [t for t in item.get("tags") or [] if isinstance(t, str)]
    title = _text(item, "title")
    raw_id = item.get("id")
    date_text = str(item.get("date_published") or item.get("date_modified") or "")
    enclosures = [
        _text(a, "url")
        for a in item.get("attachments") or []
        if isinstance(a, dict) and is_absolute_http(_text(a, "url"))
    ]
    marks = identity.marks_of(
        str(raw_id) if raw_id not in (None, "") else None, link, title, date_text, content_html
    )
    published = item.get("date_published")
    entry = Entry(
        identity="",
        title=title,
        link=link if is_absolute_http(link) else None,
        published=dates.iso_date(item.get("date_published")),
        updated=dates.iso_date(item.get("date_modified")),
        authors=dedupe(authors),
        tags=dedupe(tags),
        content_html=content_html or (f"<p>{html.escape(summary)}</p>" if summary else ""),
        summary_html=f"<p>{html.escape(summary)}</p>" if summary else "",
        base_url=base,
        enclosures=tuple(dict.fromkeys(enclosures)),
        published_text=collapse(published if isinstance(published, str) else "")[:100],
    )
    return entry, marks


def _rss_in_json(rss: dict[str, Any], url: str | None) -> ParsedFeed:
    """RSS-in-JSON (RSS 2.0 written as JSON, as scripting.com serves it) via the JSON Feed path."""
    channel: dict[str, Any] = rss["channel"] if isinstance(rss.get("channel"), dict) else {}
    items = channel.get("item") or []
    home = channel.get("link") if is_absolute_http(channel.get("link")) else None

    def text(value: Any) -> str | None:
        value = value.get("#value") if isinstance(value, dict) else value
        return value if isinstance(value, str) else None

    def listed(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value] if value else []

    pairs = []
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
        pairs.append(_json_entry(shaped, home, url))
    return ParsedFeed(
        title=collapse(text(channel.get("title")) or ""),
        link=home,
        entries=identity.assign_pairs(pairs),
        version="rss-in-json" + str(rss.get("version") or ""),
    )


def _without_surrogates(item: dict[str, Any]) -> dict[str, Any]:
    """json object_hook: a lone surrogate (a bad \\ud800 escape) becomes "?"; nh3 refuses them."""

    def fix(value: Any) -> Any:
        if isinstance(value, str):
            return value.encode("utf-8", "replace").decode("utf-8")
        return [fix(v) for v in value] if isinstance(value, list) else value

    return {key: fix(value) for key, value in item.items()}


def parse_json(data: bytes, url: str | None) -> ParsedFeed:
    """A JSON Feed (1.0, 1.1) or RSS-in-JSON document; ParseError (one line) otherwise."""
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
    pairs = [_json_entry(i, feed_link, url) for i in items if isinstance(i, dict)]
    return ParsedFeed(
        title=collapse(str(document.get("title") or "")),
        link=feed_link,
        entries=identity.assign_pairs(pairs),
        version="json" + version.rstrip("/").rsplit("/", 1)[-1],
    )
