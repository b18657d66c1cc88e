"""An update never makes the record poorer, odd answers cannot stick, versions are never lost."""

from __future__ import annotations

from conftest import archive_config
from feed_archive.ingest import archive
from feed_archive.post import item_key, read_header
from feedmaker import FULL_TEXT, PARAGRAPHS, TEASER, item, rss

GUID = "https://fil.example/?p=1"
GENUINE = "<p>Le texte authentique, tel que la rédaction l'a publié.</p>"
ODD = "<p>Une réponse étrange servie une seule fois par un cache.</p>"


def fetch(content, data, name="Le Fil", **source):
    """Archive `data` as the feed `name` (always from the same file, so the same feed id)."""
    feed = feed_path(content, name)
    feed.write_bytes(data)
    config = archive_config(content, {"url": str(feed), "name": name, **source})
    (report,) = archive.run(config)
    return report


def feed_path(content, name="Le Fil"):
    """Where `fetch` writes the feed `name` (its URL, hence its feed id)."""
    return content.parent / f"{name}.xml"


def post(content, guid=GUID):
    """(path, text) of the one post with this guid."""
    found = [
        (p, p.read_text(encoding="utf-8"))
        for p in content.rglob("*.md")
        if read_header(p.read_text(encoding="utf-8"))["guid"] == guid
    ]
    assert len(found) == 1, found
    return found[0]


def versions(content, guid=GUID):
    """{file name: text} of the post's kept versions."""
    path, _ = post(content, guid)
    folder = path.with_name(path.stem + ".versions")
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*"))}


def test_the_public_teaser_never_replaces_the_subscribers_full_text(tmp_path):
    assert fetch(tmp_path, rss([item(1, FULL_TEXT)])).counts["new"] == 1
    _, full = post(tmp_path)
    report = fetch(tmp_path, rss([item(1, TEASER)]))
    assert report.counts["teaser"] == 1 and report.counts["updated"] == 0
    assert "1 teaser" in report.line()
    assert post(tmp_path)[1] == full, "the current version changed"
    kept = list(versions(tmp_path).values())
    assert len(kept) == 1 and "Il reste 79" in kept[0] and "Paywalled: true" in kept[0]
    # served again, the teaser is neither current nor stored twice
    assert fetch(tmp_path, rss([item(1, TEASER)])).counts["unchanged"] == 1
    assert fetch(tmp_path, rss([item(1, TEASER)])).counts["unchanged"] == 1
    assert post(tmp_path)[1] == full and len(versions(tmp_path)) == 1


def test_a_much_shorter_cut_is_a_teaser_even_without_a_marker(tmp_path):
    fetch(tmp_path, rss([item(1, FULL_TEXT)]))
    cut = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:6]) + "<p>Lire la suite…</p>"
    assert fetch(tmp_path, rss([item(1, cut)])).counts["teaser"] == 1
    assert "Paragraphe 40" in post(tmp_path)[1]


def test_the_full_text_replaces_an_archived_teaser(tmp_path):
    fetch(tmp_path, rss([item(1, TEASER)]))
    assert fetch(tmp_path, rss([item(1, FULL_TEXT)])).counts["updated"] == 1
    _, text = post(tmp_path)
    assert "Paragraphe 40" in text and "Paywalled" not in text
    assert "Il reste 79" in next(iter(versions(tmp_path).values()))


def test_a_real_edit_that_removes_a_paragraph_is_an_update(tmp_path):
    fetch(tmp_path, rss([item(1, FULL_TEXT)]))
    edited = "".join(f"<p>{p}</p>" for n, p in enumerate(PARAGRAPHS) if n != 20)
    assert fetch(tmp_path, rss([item(1, edited)])).counts["updated"] == 1
    assert "Paragraphe 21 " not in post(tmp_path)[1]


def test_a_then_b_then_a_twice_makes_a_current_again(tmp_path):
    def current():
        return "authentique" if "authentique" in post(tmp_path)[1] else "étrange"

    assert fetch(tmp_path, rss([item(1, GENUINE)])).counts["new"] == 1
    assert fetch(tmp_path, rss([item(1, ODD)])).counts["updated"] == 1
    assert current() == "étrange"
    assert fetch(tmp_path, rss([item(1, GENUINE)])).counts["stale"] == 1
    assert current() == "étrange", "one answer is not enough to go back"
    assert fetch(tmp_path, rss([item(1, GENUINE)])).counts["updated"] == 1
    assert current() == "authentique"
    # later flickers change nothing and add no version
    for html in (ODD, GENUINE, ODD, GENUINE):
        fetch(tmp_path, rss([item(1, html)]))
    assert current() == "authentique"
    assert len(versions(tmp_path)) == 2


def test_a_304_counts_as_the_second_serving(httpserver, tmp_path):
    config = archive_config(tmp_path, {"url": httpserver.url_for("/feed"), "name": "Le Fil"})
    for html, etag in ((GENUINE, "a"), (ODD, "b"), (GENUINE, "a")):
        httpserver.clear()
        httpserver.expect_request("/feed").respond_with_data(
            rss([item(1, html)]), headers={"ETag": f'"{etag}"'}
        )
        archive.run(config)
    assert "étrange" in post(tmp_path)[1]
    httpserver.clear()
    httpserver.expect_request("/feed", headers={"If-None-Match": '"a"'}).respond_with_data(
        "", status=304
    )
    (report,) = archive.run(config)
    assert report.status == 304 and report.counts["updated"] == 1
    assert "authentique" in post(tmp_path)[1]


def test_the_feeds_own_dates_choose_the_current_version(tmp_path):
    older = "Mon, 03 Nov 2025 10:00:00 +0100"
    newer = "Tue, 04 Nov 2025 12:30:00 +0100"
    fetch(tmp_path, rss([item(1, GENUINE, updated=older)]))
    assert fetch(tmp_path, rss([item(1, ODD, updated=newer)])).counts["updated"] == 1
    for _ in range(3):  # the older version, however often served, stays in the past
        assert fetch(tmp_path, rss([item(1, GENUINE, updated=older)])).counts["stale"] == 1
    _, text = post(tmp_path)
    assert "étrange" in text
    assert "Modified: 2025-11-04 12:30:00+01:00" in text
    assert "Updated: 2025-11-04 12:30:00+01:00" in text
    # a new text dated before the current one is kept, never shown
    earliest = "<p>Une version encore plus ancienne.</p>"
    oldest = "Sun, 02 Nov 2025 08:00:00 +0100"
    assert fetch(tmp_path, rss([item(1, earliest, updated=oldest)])).counts["stale"] == 1
    assert "étrange" in post(tmp_path)[1]
    assert any("encore plus ancienne" in t for t in versions(tmp_path).values())


def test_an_update_of_the_body_only_is_an_update(tmp_path):
    """A paragraph added at the end: title, summary and every other header line stay."""
    fetch(tmp_path, rss([item(1, FULL_TEXT)]))
    _, before = post(tmp_path)
    report = fetch(tmp_path, rss([item(1, FULL_TEXT + "<p>Un paragraphe ajouté.</p>")]))
    assert report.counts["updated"] == 1
    _, after = post(tmp_path)
    assert "paragraphe ajouté" in after
    same = [line for line in before.split("\n\n")[0].split("\n") if not line.startswith("Fetched")]
    assert all(line in after for line in same), "only the body was to change"
    assert "paragraphe ajouté" not in versions(tmp_path)["001.md.txt"]


def test_each_real_update_keeps_its_own_version_file(tmp_path):
    texts = [f"<p>Version {n} du texte, différente des autres.</p>" for n in (1, 2, 3)]
    for html in texts:
        fetch(tmp_path, rss([item(1, html)]))
    kept = versions(tmp_path)
    assert list(kept) == ["001.md.txt", "002.md.txt"]
    assert "Version 1" in kept["001.md.txt"] and "Version 2" in kept["002.md.txt"]
    assert "Version 3" in post(tmp_path)[1]


def test_the_next_version_number_is_one_past_the_highest_kept(tmp_path):
    texts = [f"<p>Version {n} du texte, différente des autres.</p>" for n in (1, 2, 3, 4)]
    for html in texts[:3]:
        fetch(tmp_path, rss([item(1, html)]))
    path, _ = post(tmp_path)
    folder = path.with_name(path.stem + ".versions")
    (folder / "001.md.txt").unlink()  # a gap, as a bad merge or a hand edit leaves
    fetch(tmp_path, rss([item(1, texts[3])]))
    kept = versions(tmp_path)
    assert list(kept) == ["002.md.txt", "003.md.txt"]
    assert "Version 2" in kept["002.md.txt"] and "Version 3" in kept["003.md.txt"]


def test_a_file_key_collision_writes_the_long_key_file(tmp_path):
    config = archive_config(tmp_path, {"url": str(feed_path(tmp_path)), "name": "Le Fil"})
    feed_id = config.sources[0].feed_id
    planted = (
        tmp_path / "archive" / "le-fil" / "2025" / "09" / f"autre-{item_key(feed_id, GUID)}.md"
    )
    planted.parent.mkdir(parents=True)
    text = (
        "Title: Un autre article\nDate: 2025-09-01 10:00:00+02:00\n"
        f"Guid: https://fil.example/?p=autre\nFeed: Le Fil\nFeed-Id: {feed_id}\n\nAutre texte.\n"
    )
    planted.write_text(text, encoding="utf-8")
    report = fetch(tmp_path, rss([item(1)]))
    assert report.counts["new"] == 1
    assert planted.read_text(encoding="utf-8") == text
    path, _ = post(tmp_path)
    assert path.stem.endswith("-" + item_key(feed_id, GUID, 24))


def test_paywall_markers_ignore_case_from_the_default_settings(tmp_path):
    html = "<p>Réservé aux abonnés. La suite de notre enquête sur les courtiers.</p>"
    fetch(tmp_path, rss([item(1, html), item(2, "<p>IL RESTE 40 % DE L’ARTICLE</p>")]))
    assert "Paywalled: true" in post(tmp_path)[1]
    assert "Paywalled: true" in post(tmp_path, "https://fil.example/?p=2")[1]
