"""Identities belong to their feed: no feed can take over, update or hide another feed's items."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_1, SAMPLE_2, SAMPLE_NAME, archive_config, snapshot
from feed_archive.ingest import archive
from feed_archive.post import read_header
from feed_archive.settings import feed_id_of
from feedmaker import FULL_TEXT, TEASER, item, rss

DATA = Path(__file__).parent.parent / "data"


def run(content, *sources):
    """One fetch run over `sources` (dicts, as in FEED_ARCHIVE_SOURCES); its reports."""
    return archive.run(archive_config(content, *sources))


def feed_file(folder, name, data):
    path = folder / name
    path.write_bytes(data)
    return str(path)


def headers(content):
    return [read_header(p.read_text(encoding="utf-8")) for p in sorted(content.rglob("*.md"))]


def test_a_strangers_feed_cannot_take_over_another_feeds_item(tmp_path):
    guid = "https://news.example/?p=10432"
    fake = feed_file(tmp_path, "s.xml", rss([item(1, "<p>Faux.</p>", guid=guid, title="Faux")]))
    real = feed_file(tmp_path, "r.xml", rss([item(1, "<p>Vrai.</p>", guid=guid, title="Vrai")]))
    content = tmp_path / "content"
    first, second = run(content, {"url": fake, "name": "Étranger"}, {"url": real, "name": "News"})
    assert first.counts["new"] == second.counts["new"] == 1
    assert sorted((h["feed"], h["title"]) for h in headers(content)) == [
        ("News", "Vrai"),
        ("Étranger", "Faux"),
    ]
    # the real feed updates its own post; the stranger's is untouched, and vice versa
    Path(real).write_bytes(rss([item(1, "<p>Vrai, mis à jour.</p>", guid=guid, title="Vrai")]))
    Path(fake).write_bytes(rss([item(1, "<p>Faux encore.</p>", guid=guid, title="Faux")]))
    first, second = run(content, {"url": fake, "name": "Étranger"}, {"url": real, "name": "News"})
    assert first.counts["updated"] == second.counts["updated"] == 1
    assert len(headers(content)) == 2


def test_entries_sharing_a_guid_with_different_links_are_distinct_items(tmp_path):
    items = [item(n, guid="https://bric.example/", title=f"Article {n}") for n in range(1, 6)]
    url = feed_file(tmp_path, "f.xml", rss(items))
    (report,) = run(tmp_path / "content", {"url": url, "name": "Bric"})
    assert report.counts["new"] == 5 and report.counts["duplicate"] == 0
    assert sorted(h["title"] for h in headers(tmp_path / "content")) == [
        f"Article {n}" for n in range(1, 6)
    ]
    (again,) = run(tmp_path / "content", {"url": url, "name": "Bric"})
    assert (again.counts["new"], again.counts["unchanged"]) == (0, 5)


def test_entries_sharing_a_guid_without_links_differ_by_title_and_text(tmp_path):
    items = [item(n, guid="urn:x", link="", title=f"Brève {n}") for n in range(1, 4)]
    items.append(item(3, guid="urn:x", link="", title="Brève 3"))  # the same item twice
    url = feed_file(tmp_path, "f.xml", rss(items))
    (report,) = run(tmp_path / "content", {"url": url, "name": "Bric"})
    assert (report.counts["new"], report.counts["duplicate"]) == (3, 1)


def test_items_without_guid_link_or_date_differ_by_their_text(tmp_path):
    same_title = [
        {"title": "Édito", "html": "<p>Le premier édito.</p>"},
        {"title": "Édito", "html": "<p>Un autre édito, sans rapport.</p>"},
    ]
    url = feed_file(tmp_path, "f.xml", rss(same_title))
    (report,) = run(tmp_path / "content", {"url": url, "name": "Bric"})
    assert report.counts["new"] == 2


def test_two_json_feeds_numbering_their_items_1_2_3_keep_all_six(tmp_path):
    def feed(name):
        return {
            "version": "https://jsonfeed.org/version/1.1",
            "title": name,
            "items": [
                {"id": str(n), "title": f"{name} {n}", "content_text": f"Texte {name} {n}."}
                for n in (1, 2, 3)
            ],
        }

    one = feed_file(tmp_path, "a.json", json.dumps(feed("Alpha")).encode())
    two = feed_file(tmp_path, "b.json", json.dumps(feed("Bêta")).encode())
    reports = run(tmp_path / "content", {"url": one, "name": "Alpha"}, {"url": two, "name": "Bêta"})
    assert [r.counts["new"] for r in reports] == [3, 3]
    assert len(headers(tmp_path / "content")) == 6


def test_renaming_a_feed_changes_no_identity(tmp_path):
    url = feed_file(tmp_path, "f.xml", rss([item(1), item(2)]))
    run(tmp_path / "content", {"url": url, "name": "Ancien nom"})
    Path(url).write_bytes(rss([item(1, "<p>Texte mis à jour.</p>"), item(2)]))
    (report,) = run(tmp_path / "content", {"url": url, "name": "Nouveau nom"})
    assert (report.counts["new"], report.counts["updated"], report.counts["unchanged"]) == (0, 1, 1)
    assert report.counts["duplicate"] == 0
    assert len(headers(tmp_path / "content")) == 2


def test_a_moved_feed_keeps_its_items_with_an_id(tmp_path):
    old = feed_file(tmp_path, "old.xml", rss([item(1), item(2)]))
    new = feed_file(tmp_path, "new.xml", rss([item(1), item(2), item(3)]))
    content = tmp_path / "content"
    run(content, {"url": old, "name": "Le Fil", "id": "fil.example/feed"})
    (report,) = run(content, {"url": new, "name": "Le Fil", "id": "fil.example/feed"})
    assert (report.counts["new"], report.counts["unchanged"]) == (1, 2)
    # without an id, a feed at another address is another feed
    (other,) = run(content, {"url": new, "name": "Le Fil"})
    assert other.counts["new"] == 3


def test_the_default_feed_id_ignores_scheme_case_trailing_slash_and_secret():
    assert (
        feed_id_of("https://Next.ink/feed/")
        == feed_id_of("http://next.ink/feed")
        == ("next.ink/feed")
    )
    assert feed_id_of("https://next.ink/feed/?rsskey={secret}") == "next.ink/feed?rsskey="
    assert feed_id_of("samples/feeds/next-sample-1.xml") == "samples/feeds/next-sample-1.xml"


@pytest.mark.parametrize("subscriber_first", [True, False])
def test_public_and_subscriber_feeds_sharing_an_id_give_one_post(tmp_path, subscriber_first):
    public = feed_file(tmp_path, "public.xml", rss([item(1, TEASER), item(2)]))
    private = feed_file(tmp_path, "private.xml", rss([item(1, FULL_TEXT), item(2)]))
    sources = [
        {"url": public, "name": "Next", "id": "next.ink"},
        {"url": private, "name": "Next (abonné)", "id": "next.ink"},
    ]
    content = tmp_path / "content"
    run(content, *(reversed(sources) if subscriber_first else sources))
    run(content, *sources)
    found = headers(content)
    assert len(found) == 2
    text = next(p for p in content.rglob("*.md") if "article-1" in p.read_text(encoding="utf-8"))
    assert "Paragraphe 40" in text.read_text(encoding="utf-8")
    assert "Paywalled" not in text.read_text(encoding="utf-8")


def test_relative_ids_resolve_against_the_configured_url_not_the_redirect(httpserver, tmp_path):
    items = [item(n, guid=f"billet/{n}", link="", permalink=True) for n in (1, 2)]
    feed = rss(items)
    httpserver.expect_request("/v1/feed").respond_with_data(feed, content_type="text/xml")
    httpserver.expect_request("/v2/feed").respond_with_data(feed, content_type="text/xml")
    config = archive_config(tmp_path, {"url": httpserver.url_for("/feed"), "name": "Le Fil"})
    for target in ("/v1/feed", "/v2/feed"):
        httpserver.expect_oneshot_request("/feed").respond_with_data(
            "", status=301, headers={"Location": httpserver.url_for(target)}
        )
        (report,) = archive.run(config)
    assert (report.counts["new"], report.counts["unchanged"]) == (0, 2)
    guids = sorted(h["guid"] for h in headers(tmp_path))
    assert guids == [httpserver.url_for("/billet/1"), httpserver.url_for("/billet/2")]


def test_an_archive_written_by_the_previous_version_upgrades_without_duplicates(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DATA / "legacy-archive", content)
    before = {k: v for k, v in snapshot(content).items() if k.endswith((".md", ".txt"))}
    feeds = DATA / "feeds"
    sources = [
        {"url": str(SAMPLE_2), "name": SAMPLE_NAME},
        {"url": str(feeds / "carnet.json"), "name": "Carnet JSON"},
        {"url": str(feeds / "bric-a-brac.xml"), "name": "Bric-à-brac"},
    ]
    fil, carnet, bric = run(content, *sources)
    assert (fil.counts["new"], fil.counts["updated"], fil.counts["unchanged"]) == (0, 0, 22)
    assert (carnet.counts["new"], carnet.counts["unchanged"]) == (0, 3)
    # "Accueil deux" shared its guid with "Accueil un": the old code dropped it, now it is kept
    assert (bric.counts["new"], bric.counts["unchanged"]) == (1, 3)
    after = snapshot(content)
    assert all(after[name] == data for name, data in before.items()), "an archived file changed"
    titles = [h["title"] for h in headers(content)]
    assert len(titles) == len(set(titles)) == 33 + 3 + 4
    # the older snapshot of the sample is the older version of its updated item, not a new post
    (older,) = run(content, {"url": str(SAMPLE_1), "name": SAMPLE_NAME})
    assert (older.counts["new"], older.counts["stale"]) == (0, 1)
