"""JSON Feed 1.0 and 1.1 (and RSS-in-JSON) are archived like RSS and Atom."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import CORPUS, archive_config, fetch_into
from feed_archive.ingest import archive
from feed_archive.post import read_header


def _corpus_json_feeds() -> list[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [
            r["path"] for r in rows if r["format_guess"] == "json" and r["path"].startswith("real/")
        ]


def _items(document: dict) -> list[dict]:
    if "items" in document:
        return document["items"]
    items = document["rss"]["channel"].get("item") or []
    return items if isinstance(items, list) else [items]


def _identity(item: dict) -> str:
    guid = item.get("id", item.get("guid"))
    guid = guid.get("#value") if isinstance(guid, dict) else guid
    return str(guid if guid not in (None, "") else item.get("url") or item.get("link"))


JSON_FEEDS = _corpus_json_feeds()


def test_the_corpus_has_eight_json_feeds() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not here")
    assert len(JSON_FEEDS) == 8


@pytest.mark.parametrize("relative", JSON_FEEDS or [pytest.param("-", marks=pytest.mark.skip)])
def test_corpus_json_feed_becomes_posts(tmp_path: Path, relative: str) -> None:
    path = CORPUS / relative
    items = _items(json.loads(path.read_text("utf-8-sig")))
    expected = len({_identity(item) for item in items})  # ScriptingNews repeats two guids
    assert expected > 0
    content = tmp_path / "content"
    report = fetch_into(content, path, name="JSON")
    assert not report.failed, report.error
    posts = list((content / "archive").rglob("*.md"))
    assert report.counts["new"] == len(posts) == expected
    assert report.counts["new"] + report.counts["duplicate"] == len(items)
    for post in posts:
        meta = read_header(post.read_text("utf-8"))
        assert meta["title"] and meta["feed"] == "JSON" and meta["guid"]
        assert meta["date"][:2] in ("19", "20") and meta["date"][-6] in "+-"
    assert fetch_into(content, path, name="JSON").counts["unchanged"] == expected


FEED_10 = {
    "version": "https://jsonfeed.org/version/1",
    "title": "Carnet 1.0",
    "home_page_url": "https://carnet.example/",
    "author": {"name": "Alice Martin"},
    "items": [
        {
            "id": "1",
            "url": "https://carnet.example/1",
            "title": "Premier billet",
            "content_text": "Un texte brut.\n\nDeux paragraphes <pas du HTML>.",
            "date_published": "2025-10-30T08:15:00Z",
            "author": {"name": "Alice Martin"},
            "tags": ["Carnet", "Essai"],
        },
        {
            "id": 2,
            "url": "/2",
            "content_html": "<p>Sans titre, <script>alert(1)</script>relatif.</p>",
            "date_modified": "2025-10-31T10:00:00+02:00",
        },
    ],
}
FEED_11 = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Journal 1.1",
    "home_page_url": "https://journal.example/",
    "language": "fr",
    "authors": [{"name": "Bruno"}],
    "items": [
        {
            "id": "https://journal.example/a",
            "url": "https://journal.example/a",
            "title": "Un article",
            "summary": "Le résumé de l'article.",
            "content_html": '<p>Du <strong>HTML</strong> et <a href="/b">un lien</a>.</p>',
            "date_published": "2025-11-02T09:30:00+01:00",
            "authors": [{"name": "Bruno"}, {"name": "Chloé"}],
            "tags": ["Réseaux"],
            "attachments": [{"url": "https://journal.example/son.mp3", "mime_type": "audio/mpeg"}],
        }
    ],
}


def _fetch(content: Path, url: str):
    config = archive_config(content, {"url": url, "name": "JSON"})
    (report,) = archive.run(config)
    return report


def _posts(content: Path) -> dict[str, str]:
    return {p.name: p.read_text("utf-8") for p in (content / "archive").rglob("*.md")}


@pytest.mark.parametrize("content_type", ["application/feed+json", "application/json"])
def test_json_feed_1_0_over_http(tmp_path: Path, httpserver, content_type: str) -> None:
    httpserver.expect_request("/feed.json").respond_with_json(FEED_10, content_type=content_type)
    content = tmp_path / "content"
    report = _fetch(content, httpserver.url_for("/feed.json"))
    assert report.status == 200 and report.counts["new"] == 2
    posts = sorted(_posts(content).values())
    first = next(p for p in posts if "Title: Premier billet" in p)
    meta = read_header(first)
    assert meta["date"] == "2025-10-30 09:15:00+01:00"
    assert meta["authors"] == "Alice Martin" and meta["tags"] == "Carnet, Essai"
    assert meta["source"] == "https://carnet.example/1" and meta["guid"] == "1"
    assert "Un texte brut.\n\nDeux paragraphes &lt;pas du HTML&gt;." in first
    second = next(p for p in posts if p is not first)
    meta = read_header(second)
    assert meta["title"].startswith("Sans titre") and meta["guid"] == "2"
    assert meta["source"] == "https://carnet.example/2"
    assert meta["date"] == "2025-10-31 09:00:00+01:00"
    assert "script" not in second and "alert" not in second


def test_json_feed_1_1_over_http(tmp_path: Path, httpserver) -> None:
    httpserver.expect_request("/feed.json").respond_with_json(
        FEED_11, content_type="application/feed+json; charset=utf-8"
    )
    content = tmp_path / "content"
    report = _fetch(content, httpserver.url_for("/feed.json"))
    assert report.counts["new"] == 1
    (post,) = _posts(content).values()
    meta = read_header(post)
    assert meta["title"] == "Un article"
    assert meta["date"] == "2025-11-02 09:30:00+01:00"
    assert meta["authors"] == "Bruno, Chloé" and meta["tags"] == "Réseaux"
    assert meta["summary"] == "Le résumé de l'article."
    assert "Du **HTML** et [un lien](https://journal.example/b)." in post
    assert "<https://journal.example/son.mp3>" in post
    again = _fetch(content, httpserver.url_for("/feed.json"))
    assert again.counts["unchanged"] == 1
