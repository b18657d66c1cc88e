"""Incremental builds (content cache, render memo, parallel reads) equal clean builds, byte-exact.

Every file of output/ is compared except pagefind/: Pagefind names its index files after their
hashes and two clean builds of the same HTML already give different ones, so search indexing is
switched off here (tests/test_search.py covers it).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, build_site, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth

ITEMS = 24


def _archive(folder: Path, count: int = ITEMS) -> Path:
    content = folder / "content"
    synth.write_archive(content, count, total=ITEMS)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return content


def _build(content: Path, output: Path, cache: Path, **overrides) -> dict[str, bytes]:
    overrides.setdefault("FEED_ARCHIVE_SEARCH", False)
    overrides.setdefault("FEED_ARCHIVE_PARALLEL_MIN", 1)  # worker processes even for 24 items
    build_site(content, output, CACHE_PATH=str(cache), **overrides)
    return snapshot(output)


def _clean_build(tmp_path: Path, content: Path, **overrides) -> dict[str, bytes]:
    output, cache = tmp_path / "clean-out", tmp_path / "clean-cache"
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    return _build(content, output, cache, **overrides)


def _assert_same(incremental: dict[str, bytes], clean: dict[str, bytes]) -> None:
    assert sorted(incremental) == sorted(clean)
    different = [name for name in clean if incremental[name] != clean[name]]
    assert not different, f"{len(different)} files differ, e.g. {different[:5]}"


def test_added_items_give_the_clean_build_output(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    first = _build(content, output, cache)
    synth.write_archive(content, 3, start=ITEMS, total=ITEMS)
    incremental = _build(content, output, cache)
    assert len(incremental) > len(first)
    _assert_same(incremental, _clean_build(tmp_path, content))


def test_updated_item_gives_the_clean_build_output(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    post = sorted((content / "archive").rglob("*.md"))[5]
    text = post.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines = [
        "Title: [MàJ] " + line[7:]
        if line.startswith("Title: ")
        else "Tags: Tout nouveau tag, Réseau"
        if line.startswith("Tags: ")
        else line
        for line in lines
    ]
    lines.insert(2, "Modified: 2026-01-02 10:00:00+01:00")
    post.write_text("\n".join(lines).replace("\n\n", "\n\nUne phrase ajoutée.\n\n", 1), "utf-8")
    incremental = _build(content, output, cache)
    assert any("Tout nouveau tag" in v.decode("utf-8", "replace") for v in incremental.values())
    _assert_same(incremental, _clean_build(tmp_path, content))


def test_changed_template_gives_the_clean_build_output(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache, THEME=str(theme))
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text("utf-8").replace("</footer>", "<p>Pied modifié</p></footer>"))
    incremental = _build(content, output, cache, THEME=str(theme))
    assert sum(b"Pied modifi" in v for v in incremental.values()) > ITEMS
    _assert_same(incremental, _clean_build(tmp_path, content, THEME=str(theme)))


def test_unchanged_rebuild_rewrites_no_page(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    pages = [p for p in output.rglob("*.html") if "pagefind" not in p.parts]
    before = {p: p.stat().st_mtime_ns for p in pages}
    os.utime(next(iter(before)), ns=(1, 1))
    before[next(iter(before))] = 1
    _build(content, output, cache)
    assert {p: p.stat().st_mtime_ns for p in pages} == before


def test_changed_setting_drops_the_content_cache(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    changed = _build(content, output, cache, TYPOGRIFY=False)
    _assert_same(changed, _clean_build(tmp_path, content, TYPOGRIFY=False))


def test_changed_setting_removes_the_pages_no_longer_made(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    assert "stats/index.html" in _build(content, output, cache)
    changed = _build(content, output, cache, FEED_ARCHIVE_STATS=False)
    assert "stats/index.html" not in changed, "a page of the last build's settings is removed"
    _assert_same(changed, _clean_build(tmp_path, content, FEED_ARCHIVE_STATS=False))


@pytest.mark.parametrize("workers", [1, 2])
def test_parallel_reading_and_rendering_give_the_serial_output(
    tmp_path: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feed_archive.build import memo

    monkeypatch.setattr(memo, "BATCH_PER_WORKER", 7)  # pages done in several batches
    content = _archive(tmp_path)
    serial = _clean_build(tmp_path, content, FEED_ARCHIVE_BUILD_WORKERS=1)
    output, cache = tmp_path / f"out-{workers}", tmp_path / f"cache-{workers}"
    parallel = _build(
        content,
        output,
        cache,
        FEED_ARCHIVE_BUILD_WORKERS=workers + 1,
        FEED_ARCHIVE_PARALLEL_MIN=1,
    )
    _assert_same(parallel, serial)


def test_the_build_reports_which_files_it_changed(tmp_path: Path) -> None:
    from pelican import Pelican

    from conftest import site_settings

    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    added = synth.write_archive(content, 1, start=ITEMS, total=ITEMS)
    pelican = Pelican(
        site_settings(
            content,
            output,
            CACHE_PATH=str(cache),
            FEED_ARCHIVE_SEARCH=False,
            FEED_ARCHIVE_PARALLEL_MIN=1,
        )
    )
    pelican.run()
    changed = pelican.feed_archive_changed
    slug = added[0].stem
    assert any(slug in path for path in changed)
    assert "index.html" in changed
    assert len(changed) < len(snapshot(output)) / 3
