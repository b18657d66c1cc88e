"""No date a feed can send stops or empties a build, or pins an item to the top for ever."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from conftest import LogCollector, archive_config, build_site
from feed_archive.ingest import archive
from feed_archive.post import read_header
from feedmaker import item, rss

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
FETCHED = "2026-12-01 09:00:00+01:00"
ARTICLE = re.compile(r"^\d{1,4}/\d\d/\d\d/[^/]+/index\.html$")

ODD_DATES = {
    "far future": "Fri, 31 Dec 9999 12:00:00 +0000",
    "next century": "Thu, 01 Jan 2099 09:00:00 +0100",
    "year one": "Mon, 01 Jan 0001 00:00:00 +0000",
    "epoch": "Thu, 01 Jan 1970 00:00:00 +0000",
}


def _articles(output):
    return [p for p in output.rglob("index.html") if ARTICLE.match(str(p.relative_to(output)))]


def _build(content, tmp_path):
    content.joinpath("pages").mkdir(exist_ok=True)
    records = LogCollector()
    logging.getLogger().addHandler(records)
    try:
        output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    finally:
        logging.getLogger().removeHandler(records)
    problems = [r.getMessage() for r in records.records if r.levelno >= logging.WARNING]
    return output, [p for p in problems if "SITEURL" not in p]


def test_dates_a_feed_sends_are_archived_so_nothing_breaks(tmp_path):
    items = [
        item(n, title=f"Article {label}", date=value)
        for n, (label, value) in enumerate(ODD_DATES.items(), 1)
    ]
    items += [
        item(5, title="Article de 1905", date="Thu, 01 Jun 1905 12:00:00 +0000"),
        item(6, title="Article de ce matin", date="Tue, 01 Dec 2026 20:00:00 +0100"),
    ]
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss(items))
    content = tmp_path / "content"
    (report,) = archive.run(archive_config(content, {"url": str(feed), "name": "Le Fil"}), now=NOW)
    assert report.counts["new"] == 6
    posts = {
        h["title"]: h for h in (read_header(p.read_text("utf-8")) for p in content.rglob("*.md"))
    }
    for label, value in ODD_DATES.items():
        header = posts[f"Article {label}"]
        assert header["date"] == FETCHED, label
        assert header["feed-date"] == value, label
    # an old date is kept, with an offset every reader understands (no seconds)
    assert posts["Article de 1905"]["date"] == "1905-06-01 12:00:00+00:00"
    # less than a day ahead of the fetch (a clock or zone mistake) is kept as given
    assert posts["Article de ce matin"]["date"] == "2026-12-01 20:00:00+01:00"
    assert "feed-date" not in posts["Article de ce matin"]
    output, problems = _build(content, tmp_path)
    assert not problems
    assert len(_articles(output)) == 6


def test_posts_an_older_version_archived_with_odd_dates_still_build(tmp_path):
    """Files written before the dates were checked: 9999, 2099 and Paris mean time offsets."""
    folder = tmp_path / "content" / "archive" / "le-fil" / "0000" / "00"
    folder.mkdir(parents=True)
    dates = {
        "a": "9999-12-31 13:00:00+01:00",
        "b": "2099-01-01 09:00:00+01:00",
        "c": "1905-06-01 12:09:21+00:09:21",
        "d": "0001-01-01 00:09:21+00:09:21",
        "e": "1970-01-01 01:00:00+01:00",
    }
    for key, date in dates.items():
        (folder / f"post-{key}.md").write_text(
            f"Title: Article {key}\nDate: {date}\nSlug: post-{key}\nGuid: urn:{key}\n"
            "Feed: Le Fil\nCategory: Le Fil\n\nTexte.\n",
            encoding="utf-8",
        )
    # a title such as "Oscars 2024 : 20 jours…" gives a file name Pelican once read as a date
    (folder / "2024-20-11abc5cf8a09.md").write_text(
        "Title: Oscars 2024\nDate: 2023-12-21 21:12:49+01:00\nSlug: 2024-20-11abc5cf8a09\n"
        "Guid: urn:oscars\nFeed: Le Fil\nCategory: Le Fil\n\nTexte.\n",
        encoding="utf-8",
    )
    output, problems = _build(tmp_path / "content", tmp_path)
    assert not problems
    found = sorted(p.parent.name for p in _articles(output))
    assert found == ["2024-20-11abc5cf8a09"] + [f"post-{key}" for key in dates]
