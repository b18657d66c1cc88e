"""Convert: a parsed Entry -> a Post (sanitized Markdown body, trusted dates, tags); pure."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from ..post import (
    Post,
    collapse,
    format_date,
    item_key,
    metadata_name,
    plain_title,
    safe_url,
    sanitize,
    slugify,
    text_of,
)
from ..settings import Source
from . import bounds, clean, dates, tagging
from .entry import Entry


def build_post(
    entry: Entry,
    source: Source,
    zone: ZoneInfo,
    markers: tuple[re.Pattern[str], ...],
    first_seen: datetime,
    summary_length: int = 280,
    tag_rules: dict[str, list[str]] | None = None,
    max_tags: int = 20,
    max_text_bytes: int = 512 * 1024,
    notes: list[str] | None = None,
) -> Post:
    """Turn a parsed entry into a Post: sanitized Markdown body, local dates, tags, identity.

    Tags beyond `max_tags` and text beyond `max_text_bytes` are dropped; what was dropped is
    told in `notes` (one line each, without the feed's name) when a list is given.
    """
    notes = [] if notes is None else notes
    base = entry.link or entry.base_url
    safe_html = sanitize(entry.content_html, base)
    body = clean.to_markdown(safe_html)
    images = [u for u in entry.enclosures if re.search(r"\.(jpe?g|png|gif|webp|avif)$", u, re.I)]
    others = [u for u in entry.enclosures if u not in images]
    extra = [f"![]({clean.markdown_url(u)})" for u in images if u not in safe_html]
    extra += [f"- <{clean.markdown_url(u)}>" for u in others]
    if extra:
        body = "\n\n".join(filter(None, [body, "\n".join(extra)]))
    text = text_of(entry.content_html)
    summary_text = text_of(entry.summary_html) or text
    title = plain_title(entry.title, entry.title_is_html)
    if not title:
        title = clean.excerpt(summary_text, 80) or "(sans titre)"
    when = dates.choose(entry.published, entry.updated, entry.published_text, first_seen)
    key = item_key(source.feed_id, entry.identity)
    fixed = source.tags + tagging.tags_for(title, text, tag_rules)
    tags, count = bounds.cap_tags(entry.tags, fixed, max_tags)
    if count > len(tags):
        notes.append(
            f"item {title[:80]!r}: {count} tags, the first {len(tags)} kept (FEED_ARCHIVE_MAX_TAGS)"
        )
    kept_body = bounds.cut_text(body, max_text_bytes)
    cut = len(entry.content_html.encode("utf-8")) if kept_body != body else 0
    if cut:
        notes.append(
            f"item {title[:80]!r}: text of {len(body.encode('utf-8'))} bytes cut to "
            f"{max_text_bytes} bytes (FEED_ARCHIVE_MAX_TEXT_BYTES)"
        )
    return Post(
        identity=collapse(entry.identity),
        title=title,
        date=format_date(when.published, zone),
        slug=f"{slugify(title, 70) or 'item'}-{key}",
        feed=source.name,
        body=kept_body,
        tags=tags,
        category=metadata_name(source.category or source.name),
        authors=tuple(a for a in (metadata_name(x) for x in entry.authors) if a),
        summary=clean.excerpt(summary_text, summary_length),
        source=safe_url(entry.link),
        paywalled=clean.paywalled(text + " " + summary_text, markers),
        feed_id=source.feed_id,
        updated=format_date(when.updated, zone) if when.updated else "",
        fetched=format_date(first_seen, zone),
        feed_date=when.feed_value,
        cut=cut,
    )
