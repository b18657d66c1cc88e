"""Bounded output, end to end: hostile feeds fetched with the shipped defaults, built by Pelican.

Each test serves a feed from 127.0.0.1, archives it with the default settings (nothing
overridden), builds the site with real Pelican and the project's settings, and checks the
output against the bounds the README states (files, bytes and build time).
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from conftest import archive_config, build_site
from feed_archive.ingest import archive
from feed_archive.post import Post, read_header, render

ATOM = "{http://www.w3.org/2005/Atom}"
#: The bounds stated in the README ("Bounded output").
TAGS_ITEM_FILES, TAGS_ITEM_BYTES = 150, 3_000_000
TINY_FEED_FILES, TINY_FEED_BYTES = 5_000, 20_000_000
#: A build of either stays under a minute (about 2 s and 6 to 11 s on a loaded 2-core machine).
BUILD_SECONDS = 60


def output_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) under `folder`."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def fetch_once(content: Path, url: str, name: str) -> archive.FeedReport:
    """One fetch with the shipped defaults."""
    (report,) = archive.run(archive_config(content, {"url": url, "name": name}))
    return report


def categories_feed(count: int = 1500) -> bytes:
    """One RSS item with `count` categories (about 38 KB for 1,500)."""
    categories = "".join(f"<category>t{n}</category>" for n in range(count))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<link>https://tags.example/</link><item><title>Un article très étiqueté</title>"
        "<link>https://tags.example/1</link><guid>https://tags.example/?p=1</guid>"
        f"<pubDate>Mon, 03 Nov 2025 09:00:00 +0100</pubDate>{categories}"
        "<description>Un texte.</description></item></channel></rss>"
    ).encode()


def entry_categories(feed: Path) -> list[int]:
    """The number of <category> elements of each entry of an Atom feed."""
    root = ET.parse(feed).getroot()
    return [len(entry.findall(f"{ATOM}category")) for entry in root.iter(f"{ATOM}entry")]


def test_an_item_with_1500_categories_gives_bounded_output(
    httpserver: Any, tmp_path: Path, caplog: Any
) -> None:
    """1,500 categories (38 KB of feed) made 87 MB in 3,036 files: now 20 tags and a few pages."""
    data = categories_feed()
    assert 35_000 < len(data) < 45_000
    httpserver.expect_request("/tags.xml").respond_with_data(data, content_type="text/xml")
    content = tmp_path / "content"
    with caplog.at_level(logging.WARNING, logger="feed_archive"):
        report = fetch_once(content, httpserver.url_for("/tags.xml"), "Étiquettes")
    assert report.line() == "Étiquettes: 1 new, 0 updated, 0 unchanged (HTTP 200)"
    assert any(
        "item 'Un article très étiqueté': 1500 tags, the first 20 kept" in r.getMessage()
        for r in caplog.records
    )
    (post,) = content.rglob("*.md")
    assert read_header(post.read_text("utf-8"))["tags"].split(", ") == [f"t{n}" for n in range(20)]
    started = time.monotonic()
    output = build_site(content, tmp_path / "output")
    assert time.monotonic() - started < BUILD_SECONDS
    assert len([p for p in (output / "tag").iterdir() if p.is_dir()]) == 20
    assert len(list((output / "feeds" / "tag").glob("*.atom.xml"))) == 20
    files, size = output_size(output)
    assert files <= TAGS_ITEM_FILES and size <= TAGS_ITEM_BYTES, (files, size)


def _old_post(content: Path, tags: int) -> Path:
    """A post as an earlier version of the archive wrote it, with `tags` tags."""
    post = Post(
        identity="https://old.example/?p=1",
        title="Un ancien article très étiqueté",
        date="2025-11-03 09:00:00+01:00",
        slug="un-ancien-article-tres-etiquete-0123456789ab",
        feed="Ancien",
        body="Un texte.",
        tags=tuple(f"Étiquette {n}" for n in range(tags)),
        category="Ancien",
        summary="Un texte.",
        source="https://old.example/1",
        feed_id="old.example/feed",
    )
    path = content / "archive" / "ancien" / "2025" / "11" / f"{post.slug}.md"
    path.parent.mkdir(parents=True)
    path.write_text(render(post), encoding="utf-8")
    return path


def test_an_archived_post_with_1500_tags_is_capped_when_read(tmp_path: Path, caplog: Any) -> None:
    """A post archived before the cap keeps its file; the build uses its first 20 tags."""
    content = tmp_path / "content"
    path = _old_post(content, 1500)
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="feed_archive"):
        output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    assert path.read_bytes() == before, "a post is never rewritten for the cap"
    tag_pages = sorted(p.name for p in (output / "tag").iterdir() if p.is_dir())
    assert tag_pages == sorted(f"etiquette-{n}" for n in range(20))
    (line,) = [r.getMessage() for r in caplog.records if "FEED_ARCHIVE_MAX_TAGS" in r.getMessage()]
    assert line.endswith(": 1500 tags, the first 20 used (FEED_ARCHIVE_MAX_TAGS)"), line
    assert str(path) in line
    # The all-items feed carries the entry's category and its (capped) tags ...
    assert entry_categories(output / "feeds" / "all.atom.xml") == [21]
    # ... tag and source feeds its category and its first 3 tags only (not tags²).
    listing_feeds = [*(output / "feeds" / "tag").glob("*.atom.xml")]
    listing_feeds += [*(output / "feeds" / "source").glob("*.atom.xml")]
    assert len(listing_feeds) == 21
    assert {n for feed in listing_feeds for n in entry_categories(feed)} == {4}


def test_a_50_kb_table_gives_a_page_of_its_size(httpserver: Any, tmp_path: Path) -> None:
    """A spanning cell over 3,000 one-cell rows made a 5.3 MB page: now about the table's size."""
    table = '<table><tr><td colspan="1000">x</td></tr>' + "<tr><td>y</td></tr>" * 3000 + "</table>"
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        "<link>https://table.example/</link><item><title>Un tableau</title>"
        "<guid>https://table.example/?p=1</guid><pubDate>Mon, 03 Nov 2025 09:00:00 +0100</pubDate>"
        f"<description><![CDATA[{table}]]></description></item></channel></rss>"
    )
    assert 50_000 < len(feed) < 60_000
    httpserver.expect_request("/table.xml").respond_with_data(feed, content_type="text/xml")
    content = tmp_path / "content"
    assert fetch_once(content, httpserver.url_for("/table.xml"), "Tableaux").counts["new"] == 1
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    (page,) = (output / "2025" / "11" / "03").glob("*/index.html")
    assert page.stat().st_size < 150_000, page.stat().st_size


def tiny_items_feed(count: int = 100_000) -> bytes:
    """`count` tiny RSS items (a title and a guid: about 5 MB for 100,000)."""
    items = "".join(f"<item><title>Item {n}</title><guid>t{n}</guid></item>" for n in range(count))
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Tiny</title>'
        f"<link>https://tiny.example/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.slow
def test_a_feed_of_100000_tiny_items_gives_bounded_output(httpserver: Any, tmp_path: Path) -> None:
    """100,000 items (5 MB) made 100,000 posts and 1.3 GB: now 2,000 a run, the rest later."""
    data = tiny_items_feed()
    assert 4_500_000 < len(data) < 6_000_000
    httpserver.expect_request("/tiny.xml").respond_with_data(data, content_type="text/xml")
    content = tmp_path / "content"
    report = fetch_once(content, httpserver.url_for("/tiny.xml"), "Tiny")
    assert report.line() == "Tiny: 2000 new, 0 updated, 0 unchanged, 98000 more next run (HTTP 200)"
    assert len(list(content.rglob("*.md"))) == 2000
    started = time.monotonic()
    output = build_site(content, tmp_path / "output")
    assert time.monotonic() - started < BUILD_SECONDS
    files, size = output_size(output)
    assert files <= TINY_FEED_FILES and size <= TINY_FEED_BYTES, (files, size)
    # The source's feed holds the newest 20 (FEED_ARCHIVE_LISTING_FEED_ITEMS) ...
    assert entry_categories(output / "feeds" / "source" / "tiny.atom.xml") == [1] * 20
    # ... and its listing pages hold 50 items each (FEED_ARCHIVE_LIST_PAGE_SIZE).
    assert len(list((output / "sources" / "tiny" / "page").iterdir())) == 2000 // 50
