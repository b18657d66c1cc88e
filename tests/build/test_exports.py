"""Open exports (issue 16): /exports/archive.sqlite and /exports/archive.jsonl.gz."""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLE_1, SAMPLE_2, LogCollector, fetch_into, site_settings

TABLES = {"items", "versions", "tags", "sources", "changes", "versions_fts"}


def _build(content: Path, output: Path, **overrides: Any) -> Any:
    """One real build with the exports on; its state (what it did)."""
    from pelican import Pelican

    overrides.setdefault("FEED_ARCHIVE_SEARCH", False)
    overrides.setdefault("CACHE_PATH", str(output.parent / "cache"))
    pelican = Pelican(site_settings(content, output, FEED_ARCHIVE_EXPORTS=True, **overrides))
    pelican.run()
    return pelican.feed_archive_build


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(content, output) of the two sample snapshots, built with the exports."""
    base = tmp_path_factory.mktemp("exports")
    content = base / "content"
    for snapshot in (SAMPLE_1, SAMPLE_2):
        assert fetch_into(content, snapshot).error is None
    _build(content, base / "output")
    return content, base / "output"


def _lines(output: Path) -> list[str]:
    return (
        gzip.decompress((output / "exports" / "archive.jsonl.gz").read_bytes()).decode().split("\n")
    )


def test_sqlite_export_holds_every_item_and_version(sample: tuple[Path, Path]) -> None:
    content, output = sample
    db = sqlite3.connect(output / "exports" / "archive.sqlite")
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert TABLES <= names
    posts = sorted((content / "archive").rglob("*.md"))
    kept = sorted((content / "archive").rglob("*.md.txt"))
    assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (len(posts),)
    assert db.execute("SELECT COUNT(*) FROM versions").fetchone() == (len(posts) + len(kept),)
    files = {f for (f,) in db.execute("SELECT file FROM versions")}
    root = content / "archive"
    assert files == {p.relative_to(root).as_posix() for p in [*posts, *kept]}
    document = json.loads((output / "provenance.json").read_text("utf-8"))
    digests = {v["file"]: v["sha256"] for i in document["items"] for v in i["versions"]}
    assert dict(db.execute("SELECT file, sha256 FROM versions")) == digests
    assert db.execute("SELECT name, items FROM sources").fetchall() == [
        ("Le Fil Numérique", len(posts))
    ]
    assert db.execute("SELECT COUNT(*) FROM tags").fetchone()[0] > len(posts)


def test_full_text_search_finds_the_item(sample: tuple[Path, Path]) -> None:
    content, output = sample
    root = content / "archive"
    holding = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.md")
        if "géolocalisation" in p.read_text("utf-8").split("\n\n", 1)[1].lower()
    }
    assert holding, "the sample has the word"
    db = sqlite3.connect(output / "exports" / "archive.sqlite")
    query = (
        "SELECT DISTINCT items.path FROM versions_fts JOIN versions ON versions.id ="
        " versions_fts.rowid JOIN items ON items.id = versions.item_id"
        " WHERE versions_fts MATCH ?"
    )
    assert {p for (p,) in db.execute(query, ("géolocalisation",))} == holding
    # accents are folded: the word without its accent finds the same items
    assert {p for (p,) in db.execute(query, ("geolocalisation",))} == holding
    assert not db.execute(query, ("introuvablemot",)).fetchall()


def test_changes_table_has_the_kinds_of_the_updated_item(sample: tuple[Path, Path]) -> None:
    _, output = sample
    db = sqlite3.connect(output / "exports" / "archive.sqlite")
    rows = db.execute(
        "SELECT items.title, kind FROM changes JOIN items ON items.id = changes.item_id"
    ).fetchall()
    kinds = {kind for _, kind in rows}
    assert {"title", "added"} <= kinds, rows
    assert all(title.startswith("[MàJ]") for title, _ in rows), rows


def test_jsonl_export_round_trips(sample: tuple[Path, Path]) -> None:
    content, output = sample
    lines = _lines(output)
    assert lines[-1] == ""
    items = [json.loads(line) for line in lines[:-1]]
    assert len(items) == len(list((content / "archive").rglob("*.md")))
    for line, item in zip(lines, items, strict=False):
        again = json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        assert again == line
    updated = [i for i in items if len(i["versions"]) > 1]
    assert len(updated) == 1 and updated[0]["changes"]
    assert [v["number"] for v in updated[0]["versions"]] == [1, 2]
    assert updated[0]["versions"][-1]["shown"] == 1
    paths = [i["path"] for i in items]
    assert paths == sorted(paths)


def test_a_clean_build_makes_the_same_jsonl_bytes(
    sample: tuple[Path, Path], tmp_path: Path
) -> None:
    content, output = sample
    _build(content, tmp_path / "output")
    first = (output / "exports" / "archive.jsonl.gz").read_bytes()
    assert first[4:8] == b"\0\0\0\0", "gzip header time: none"
    assert (tmp_path / "output" / "exports" / "archive.jsonl.gz").read_bytes() == first


def test_incremental_builds_read_only_the_changed_items(tmp_path: Path) -> None:
    content, output = tmp_path / "content", tmp_path / "output"
    assert fetch_into(content, SAMPLE_1).error is None
    first = _build(content, output)
    assert first.exported == 29  # the first snapshot's items
    sqlite = output / "exports" / "archive.sqlite"
    stamp = sqlite.stat().st_mtime_ns
    again = _build(content, output)
    assert again.exported is None, "nothing changed: no item read, no file made"
    assert sqlite.stat().st_mtime_ns == stamp
    assert fetch_into(content, SAMPLE_2).error is None
    third = _build(content, output)
    assert third.exported == 5  # the 4 new items and the updated one, not the 28 others
    db = sqlite3.connect(sqlite)
    assert db.execute("SELECT COUNT(*) FROM versions").fetchone() == (34,)
    assert db.execute("SELECT COUNT(*) FROM changes").fetchone()[0] >= 2
    # what the updates made is, byte for byte, what a clean build of the same archive makes
    _build(content, tmp_path / "clean", CACHE_PATH=str(tmp_path / "clean-cache"))
    for name in ("archive.sqlite", "archive.jsonl.gz"):
        clean = (tmp_path / "clean" / "exports" / name).read_bytes()
        assert (output / "exports" / name).read_bytes() == clean, name


def test_an_unreadable_version_is_named_and_the_others_exported(tmp_path: Path) -> None:
    content, output = tmp_path / "content", tmp_path / "output"
    for snapshot in (SAMPLE_1, SAMPLE_2):
        assert fetch_into(content, snapshot).error is None
    version = next((content / "archive").rglob("*.md.txt"))
    version.write_bytes(version.read_bytes() + b"\xff\xfe not UTF-8\n")
    records = LogCollector()
    logging.getLogger().addHandler(records)
    try:
        _build(content, output)
    finally:
        logging.getLogger().removeHandler(records)
    errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
    named = f"{version.parent.name}/{version.name} is not UTF-8"
    assert any("export: item" in e and named in e for e in errors), errors
    db = sqlite3.connect(output / "exports" / "archive.sqlite")
    assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (32,)  # 33, less that one


def test_versions_are_numbered_by_instant_whatever_their_offsets(tmp_path: Path) -> None:
    """Seen 02:30+01:00 (01:30 UTC) comes before 02:00+00:00, though it sorts after as text."""
    from feed_archive.build.exports.rows import read_item
    from feed_archive.build.proof import FileProof

    root = tmp_path / "archive"
    (root / "p.versions").mkdir(parents=True)
    head = "Date: 2025-11-01 10:00:00+01:00\nFetched: 2025-11-02 "
    first = f"Title: Premier\n{head}02:30:00+01:00\n\nUn.\n"
    second = f"Title: Second\n{head}02:00:00+00:00\n\nDeux.\n"
    (root / "p.versions" / "001.md.txt").write_text(second, encoding="utf-8")
    (root / "p.md").write_text(first, encoding="utf-8")
    files = [
        FileProof("p.versions/001.md.txt", "b" * 64, 1, None, None),
        FileProof("p.md", "a" * 64, None, None, None),
    ]
    rows = read_item(files, root, "p/")
    titles = [(v["number"], v["title"]) for v in rows.versions]
    assert titles == [(1, "Premier"), (2, "Second")], titles
