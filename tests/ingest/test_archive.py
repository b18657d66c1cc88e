"""The archive over the bundled sample: one post per item, stable re-fetch, nothing lost."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SAMPLE_1, SAMPLE_2, SAMPLE_NAME, archive_config, fetch_into, snapshot
from feed_archive.ingest import archive
from feed_archive.post import read_header

CNIL_GUID = "https://fil-numerique.example/?p=10431"
UPDATED_GUID = "https://fil-numerique.example/?p=10442"
DUPLICATE_GUID = "https://fil-numerique.example/?p=10411"


def posts(content):
    """Map guid -> (path, header) for every post under content/."""
    found = {}
    for path in content.rglob("*.md"):
        header = read_header(path.read_text(encoding="utf-8"))
        assert header["guid"] not in found, f"two files for {header['guid']}"
        found[header["guid"]] = (path, header)
    return found


def test_first_snapshot_gives_one_post_per_unique_item(tmp_path):
    report = fetch_into(tmp_path, SAMPLE_1)
    assert report.counts["new"] == 29
    assert report.counts["duplicate"] == 1
    archived = posts(tmp_path)
    assert len(archived) == 29
    assert DUPLICATE_GUID in archived
    for path, header in archived.values():
        assert path.relative_to(tmp_path / "archive").parts[0] == "le-fil-numerique"
        assert header["feed"] == SAMPLE_NAME
        assert {"title", "date", "slug", "source", "guid", "category"} <= header.keys()
        assert "modified" not in header
        assert path.stem == header["slug"]


def test_refetch_changes_no_byte(tmp_path):
    fetch_into(tmp_path, SAMPLE_1)
    before = snapshot(tmp_path)
    report = fetch_into(tmp_path, SAMPLE_1)
    assert report.counts["new"] == report.counts["updated"] == 0
    assert report.counts["unchanged"] == 29
    assert snapshot(tmp_path) == before


def test_second_snapshot_adds_updates_in_place_and_keeps_vanished(tmp_path):
    fetch_into(tmp_path, SAMPLE_1)
    first = posts(tmp_path)
    report = fetch_into(tmp_path, SAMPLE_2)
    assert (report.counts["new"], report.counts["updated"]) == (4, 1)
    second = posts(tmp_path)
    assert len(second) == 33
    assert set(first) <= set(second), "an item that left the feed was lost"
    path, header = second[UPDATED_GUID]
    assert path == first[UPDATED_GUID][0], "the updated item moved to another file"
    assert header["title"].startswith("[MàJ] ")
    assert header["date"] == first[UPDATED_GUID][1]["date"]
    assert header["modified"] > header["date"]
    assert "Mise à jour du 6 novembre" in path.read_text(encoding="utf-8")
    versions = sorted(path.with_name(path.stem + ".versions").iterdir())
    assert len(versions) == 1
    assert "Mise à jour du 6 novembre" not in versions[0].read_text(encoding="utf-8")
    for guid, (old_path, _) in first.items():
        if guid != UPDATED_GUID:
            assert second[guid][0].read_bytes() == old_path.read_bytes()


def test_refetch_of_second_snapshot_is_stable(tmp_path):
    fetch_into(tmp_path, SAMPLE_1)
    fetch_into(tmp_path, SAMPLE_2)
    before = snapshot(tmp_path)
    report = fetch_into(tmp_path, SAMPLE_2)
    assert report.counts["updated"] == 0
    assert snapshot(tmp_path) == before


def test_date_keeps_the_local_offset(tmp_path):
    fetch_into(tmp_path, SAMPLE_1)
    path, header = posts(tmp_path)[CNIL_GUID]
    assert header["date"] == "2025-10-31 16:08:00+01:00"
    assert "Date: 2025-10-31 16:08" in path.read_text(encoding="utf-8")
    assert path.parent.parts[-2:] == ("2025", "10")


def test_summer_time_offset(tmp_path):
    fetch_into(tmp_path, SAMPLE_1)
    dates = [h["date"] for _, h in posts(tmp_path).values()]
    assert any(d.startswith("2025-10-2") and d.endswith("+02:00") for d in dates)


def test_post_content_paywall_tags_and_sanitizing(tmp_path):
    fetch_into(tmp_path, SAMPLE_1)
    archived = posts(tmp_path)
    texts = {g: p.read_text(encoding="utf-8") for g, (p, _) in archived.items()}
    paywalled = [g for g, (_, h) in archived.items() if h.get("paywalled") == "true"]
    assert len(paywalled) >= 3
    for guid in paywalled:
        assert "Il reste" in texts[guid]
    assert all("Il reste" not in t for g, t in texts.items() if g not in paywalled)
    everything = "\n".join(texts.values())
    for bad in ("<script", "<iframe", "javascript:", "onclick", "onerror"):
        assert bad not in everything.lower()
    assert "« " in everything and "☕️" in everything
    # images keep their alt text; relative URLs are made absolute
    assert "](/" not in everything and "](wp-content" not in everything
    assert "![" in everything and "](https://fil-numerique.example/wp-content/" in everything
    brief = next(h for _, h in archived.values() if h["title"].startswith("☕️"))
    assert "Brève" in brief["tags"]


def test_an_item_in_two_feeds_is_one_post_only_when_they_share_an_id(tmp_path):
    fetch_into(tmp_path / "shared", SAMPLE_1, name="Premier", feed_id="fil")
    report = fetch_into(tmp_path / "shared", SAMPLE_1, name="Second", feed_id="fil")
    assert (report.counts["new"], report.counts["unchanged"]) == (0, 29)
    assert report.counts["duplicate"] == 1  # listed twice in the document itself
    assert {h["feed"] for _, h in posts(tmp_path / "shared").values()} == {"Premier"}
    # two feeds with ids of their own never share (nor take over) an item
    fetch_into(tmp_path / "apart", SAMPLE_1, name="Premier")
    report = fetch_into(tmp_path / "apart", SAMPLE_1, name="Second")
    assert report.counts["new"] == 29
    feeds = [
        h["feed"]
        for p in (tmp_path / "apart").rglob("*.md")
        for h in [read_header(p.read_text("utf-8"))]
    ]
    assert sorted(set(feeds)) == ["Premier", "Second"] and len(feeds) == 58


def test_a_failing_feed_does_not_stop_the_others(tmp_path):
    config = archive_config(
        tmp_path,
        {"url": str(tmp_path / "missing.xml"), "name": "Absent"},
        {"url": str(SAMPLE_1), "name": SAMPLE_NAME},
    )
    first, second = archive.run(config)
    assert first.failed and "missing.xml" in first.error and "\n" not in first.error
    assert first.line().startswith("Absent: FAILED: cannot read")
    assert second.counts["new"] == 29


def test_items_without_guid_link_or_date(tmp_path):
    feed = tmp_path / "bare.xml"
    feed.write_text(
        """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>B</title>
        <item><title>Même titre</title><description>un</description></item>
        <item><title>Même titre</title><link>https://ex.org/a</link></item>
        <item><title>Même titre</title><link>https://ex.org/b</link></item>
        <item><description>Sans titre ni date, mais avec du texte.</description></item>
        </channel></rss>""",
        encoding="utf-8",
    )
    report = fetch_into(tmp_path / "content", feed)
    assert report.counts["new"] == 4
    archived = posts(tmp_path / "content")
    assert len(archived) == 4
    titles = sorted(h["title"] for _, h in archived.values())
    assert titles.count("Même titre") == 3
    assert "Sans titre ni date, mais avec du texte." in titles
    assert all(h["date"] for _, h in archived.values())
    before = snapshot(tmp_path / "content")
    fetch_into(tmp_path / "content", feed)
    assert snapshot(tmp_path / "content") == before


def _project_copy(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, project / name)
    for name in ("plugins", "samples"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "content").mkdir()
    return project


def _invoke(project, *args):
    invoke = [sys.executable, "-m", "invoke", *args]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(invoke, cwd=project, capture_output=True, text=True, env=env, timeout=120)


def test_invoke_fetch_prints_a_line_per_feed_and_exit_status(tmp_path):
    project = _project_copy(tmp_path)
    ok = _invoke(project, "fetch")
    assert ok.returncode == 0, ok.stderr
    assert "Le Fil Numérique: 29 new, 0 updated, 0 unchanged, 1 duplicate" in ok.stdout
    again = _invoke(project, "fetch")
    assert "29 unchanged" in again.stdout
    second = _invoke(project, "fetch", "--url", str(SAMPLE_2), "--name", SAMPLE_NAME)
    assert "4 new, 1 updated, 17 unchanged" in second.stdout
    config = project / "pelicanconf.py"
    config.write_text(
        config.read_text(encoding="utf-8")
        + '\nFEED_ARCHIVE_SOURCES = [{"name": "Cassé", "url": "nowhere.xml"},'
        ' {"name": "Le Fil Numérique", "url": "samples/feeds/next-sample-1.xml",'
        ' "id": "fil-numerique.example/feed"}]\n',
        encoding="utf-8",
    )
    failed = _invoke(project, "fetch")
    assert failed.returncode == 1
    assert "[1/2] Cassé: FAILED: cannot read nowhere.xml" in failed.stdout
    # snapshot 1 holds an older version of the updated item: it is "stale", not a revert
    assert "[2/2] Le Fil Numérique: 0 new, 0 updated, 28 unchanged, 1 duplicate, 1 stale" in (
        failed.stdout
    )
    assert "Traceback" not in failed.stdout + failed.stderr


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([{"name": "x"}], "needs at least a 'url'"),
        ([{"url": "a.xml", "nom": "x"}], "unknown key(s) nom"),
        ([{"url": "a", "name": "A"}, {"url": "b", "name": "a"}], "duplicate feed name"),
        ([{"url": "https://ex.org/?k=1", "secret_env": "K"}], "has no {secret}"),
    ],
)
def test_bad_settings_are_named(tmp_path, sources, message):
    from feed_archive.settings import SettingsError

    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        archive_config(tmp_path, *sources)


def test_parallel_conversion_gives_the_serial_posts(tmp_path):
    from datetime import UTC, datetime

    from feed_archive.ingest.parse import parse

    entries = list(parse(SAMPLE_1.read_bytes()).entries)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    results = []
    for workers in (1, 2):
        config = archive_config(
            tmp_path,
            {"url": str(SAMPLE_1), "name": SAMPLE_NAME},
            FEED_ARCHIVE_WORKERS=workers,
            FEED_ARCHIVE_PARALLEL_MIN=1,
        )
        results.append(archive.build_posts(entries, config.sources[0], config, now))
    serial, parallel = results
    assert len(serial) == len(entries)
    assert parallel == serial
    assert all(isinstance(built[0], archive.Post) and built[1] == [] for built in serial)
