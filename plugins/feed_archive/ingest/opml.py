"""OPML: subscription lists <-> the sources file (FEED_ARCHIVE_SOURCES_FILE); no network."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Iterable, Mapping
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from ..post import collapse, is_absolute_http, slugify
from ..settings.sources_file import url_key
from .store import write_atomic

logger = logging.getLogger(__name__)

#: Keys a source may carry in the sources file (the same as in FEED_ARCHIVE_SOURCES).
SOURCE_KEYS = ("name", "url", "tags", "category", "secret_env", "images")


class OpmlError(ValueError):
    """An OPML document or a sources file that cannot be used; the message says why."""


@dataclass
class ImportResult:
    """What an import did: the feeds added, and those skipped with the reason."""

    added: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def read_opml(data: bytes) -> list[dict[str, Any]]:
    """The feeds of an OPML document: name, url and, from an enclosing folder, category."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise OpmlError(f"not a readable OPML file ({collapse(str(exc))[:120]})") from exc
    if root.tag.rsplit("}", 1)[-1].lower() != "opml":
        raise OpmlError(f"not an OPML file (root element <{root.tag}>)")
    body = next((c for c in root if c.tag.rsplit("}", 1)[-1].lower() == "body"), None)
    if body is None:
        raise OpmlError("OPML file without a <body>")
    feeds: list[dict[str, Any]] = []

    def walk(element: Any, folder: str | None) -> None:
        for child in element:
            if child.tag.rsplit("}", 1)[-1].lower() != "outline":
                continue
            url = collapse(child.get("xmlUrl") or child.get("xmlurl") or "")
            label = collapse(child.get("title") or child.get("text") or "")
            if url:
                feed: dict[str, Any] = {"name": label or url, "url": url}
                category = _category(child.get("category")) or folder
                if category:
                    feed["category"] = category
                feeds.append(feed)
            walk(child, folder if url else (label or folder))

    walk(body, None)
    return feeds


def _category(value: str | None) -> str | None:
    """The first category of an OPML `category` attribute ("/Tech/News,/Other" -> "News")."""
    if not value:
        return None
    first = value.split(",")[0].strip().strip("/")
    return collapse(first.rsplit("/", 1)[-1]) or None


def write_opml(sources: Iterable[Mapping[str, Any]], title: str = "feed archive") -> str:
    """An OPML 2.0 document listing `sources` (URLs as configured: a `{secret}` stays a mark)."""
    root = Element("opml", version="2.0")
    head = SubElement(root, "head")
    SubElement(head, "title").text = title
    SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = SubElement(root, "body")
    for source in sources:
        url = str(source["url"])
        name = str(source.get("name") or url)
        attributes = {"type": "rss", "text": name, "title": name, "xmlUrl": url}
        if source.get("category"):
            attributes["category"] = "/" + str(source["category"])
        SubElement(body, "outline", attributes)
    indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode") + "\n"


def save_sources_file(path: Path, sources: list[dict[str, Any]]) -> None:
    """Write the sources file atomically, one source per line for readable diffs."""
    lines = ",\n".join("  " + json.dumps(s, ensure_ascii=False, sort_keys=True) for s in sources)
    write_atomic(path, "[\n" + lines + ("\n" if lines else "") + "]\n")


def import_feeds(
    feeds: Iterable[Mapping[str, Any]],
    existing: Iterable[Mapping[str, Any]],
    file_sources: list[dict[str, Any]],
) -> ImportResult:
    """Add `feeds` to `file_sources` (in place) unless their URL or name is already known."""
    result = ImportResult()
    known_urls = {url_key(str(s.get("url") or "")) for s in [*existing, *file_sources]}
    known_slugs = {
        slugify(str(s.get("name") or s.get("url") or ""), 60) for s in [*existing, *file_sources]
    }
    for feed in feeds:
        url = str(feed.get("url") or "")
        if not is_absolute_http(url):
            result.skipped.append((url, "not an http(s) URL"))
            continue
        if url_key(url) in known_urls:
            result.skipped.append((url, "already configured"))
            continue
        name = _free_name(str(feed.get("name") or url), known_slugs)
        if name is None:
            result.skipped.append((url, "no free name for it"))
            continue
        entry = {k: feed[k] for k in SOURCE_KEYS if k in feed and feed[k] not in (None, "")}
        entry["name"] = name
        entry["url"] = url
        file_sources.append(entry)
        known_urls.add(url_key(url))
        known_slugs.add(slugify(name, 60))
        result.added.append(entry)
    return result


#: A feed's slug (its folder under content/archive/) keeps this many characters.
SLUG_LENGTH = 60
#: How many numbered names (" (2)", " (3)", ...) are tried before a feed is skipped.
MAX_TRIES = 1000


def _free_name(name: str, known_slugs: set[str]) -> str | None:
    """`name`, or `name (N)` shortened so its whole slug fits the limit, unused; None if none."""
    if slugify(name, SLUG_LENGTH) and slugify(name, SLUG_LENGTH) not in known_slugs:
        return name
    for number in range(2, MAX_TRIES + 2):
        suffix, base = f" ({number})", name[: 4 * SLUG_LENGTH]
        while base and len(slugify(base + suffix, 10 * SLUG_LENGTH)) > SLUG_LENGTH:
            base = base[:-1].rstrip()
        candidate = base + suffix
        if slugify(candidate, SLUG_LENGTH) not in known_slugs:
            return candidate
    return None


def raw_sources(config_sources: Iterable[Any]) -> list[dict[str, Any]]:
    """Source objects (settings.Source) as plain dicts, the configured URL template kept."""
    out = []
    for source in config_sources:
        entry: dict[str, Any] = {"name": source.name, "url": source.url}
        if source.category:
            entry["category"] = source.category
        out.append(entry)
    return out
