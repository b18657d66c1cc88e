"""Incremental builds (content cache, page plan, parallel reads) equal clean builds, byte-exact.

Every file of output/ is compared except pagefind/: Pagefind names its index files after their
hashes and two clean builds of the same HTML already give different ones, so search indexing is
switched off here (the test_search*.py files cover it). Each incremental build runs with
FEED_ARCHIVE_PLAN_CHECK: pages the plan would skip are rendered all the same and any whose bytes
would differ is an error, so a missing input of the plan fails these tests.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, LogCollector, build_site, site_settings, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth

ITEMS = 24


def _archive(folder: Path, count: int = ITEMS) -> Path:
    content = folder / "content"
    synth.write_archive(content, count, total=ITEMS)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return content


def _run(content: Path, output: Path, cache: Path, **overrides: Any) -> Any:
    """One real build; returns the Pelican object (its `feed_archive_build` tells what it did)."""
    from pelican import Pelican

    overrides.setdefault("FEED_ARCHIVE_SEARCH", False)
    overrides.setdefault("FEED_ARCHIVE_PARALLEL_MIN", 1)  # worker processes even for 24 items
    records = LogCollector()
    logging.getLogger().addHandler(records)
    try:
        pelican = Pelican(site_settings(content, output, CACHE_PATH=str(cache), **overrides))
        pelican.run()
    finally:
        logging.getLogger().removeHandler(records)
    errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
    assert not errors, errors
    return pelican


def _build(content: Path, output: Path, cache: Path, **overrides: Any) -> dict[str, bytes]:
    overrides.setdefault("FEED_ARCHIVE_PLAN_CHECK", True)
    _run(content, output, cache, **overrides)
    return snapshot(output)


def _clean_build(tmp_path: Path, content: Path, **overrides: Any) -> dict[str, bytes]:
    output, cache = tmp_path / "clean-out", tmp_path / "clean-cache"
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    build_site(content, output, CACHE_PATH=str(cache), FEED_ARCHIVE_SEARCH=False, **overrides)
    return snapshot(output)


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


def _update(post: Path) -> None:
    lines = post.read_text(encoding="utf-8").split("\n")
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


def test_updated_item_gives_the_clean_build_output(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    _update(sorted((content / "archive").rglob("*.md"))[5])
    incremental = _build(content, output, cache)
    assert any("Tout nouveau tag" in v.decode("utf-8", "replace") for v in incremental.values())
    _assert_same(incremental, _clean_build(tmp_path, content))


def test_a_version_kept_beside_a_post_shows_without_the_post_changing(tmp_path: Path) -> None:
    """A teaser kept in the history adds a version file only: its page shows the history."""
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    post = sorted((content / "archive").rglob("*.md"))[3]
    versions = post.with_name(post.stem + ".versions")
    versions.mkdir()
    text = post.read_text(encoding="utf-8")
    (versions / "001.md.txt").write_text(text.replace("\n\n", "\n\nUne version gardée.\n\n", 1))
    incremental = _build(content, output, cache)
    assert any(b"revisions" in data for data in incremental.values())
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


def test_unchanged_rebuild_renders_and_rewrites_no_page(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    pages = [p for p in output.rglob("*.html") if "pagefind" not in p.parts]
    before = {p: p.stat().st_mtime_ns for p in pages}
    touched = next(iter(before))
    os.utime(touched, ns=(1, 1))  # a page touched on disk: it is the one rendered again
    before[touched] = 1
    pelican = _run(content, output, cache)
    assert {p: p.stat().st_mtime_ns for p in pages} == before, "same bytes keep their mtime"
    log = pelican.feed_archive_build.output
    assert log.rendered_pages == {str(touched.relative_to(output))} | log.unplanned
    assert not log.changed


def test_changed_setting_gives_the_clean_build_output(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    changed = _build(content, output, cache, FEED_ARCHIVE_HOME_DAYS=2)
    _assert_same(changed, _clean_build(tmp_path, content, FEED_ARCHIVE_HOME_DAYS=2))


def test_changed_setting_removes_the_pages_no_longer_made(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    assert "stats/index.html" in _build(content, output, cache)
    changed = _build(content, output, cache, FEED_ARCHIVE_STATS=False)
    assert "stats/index.html" not in changed, "a page of the last build's settings is removed"
    _assert_same(changed, _clean_build(tmp_path, content, FEED_ARCHIVE_STATS=False))


def test_a_new_version_of_an_installed_distribution_renders_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site digest holds every installed distribution's version (a new Babel, a new Jinja)."""
    site_packages = tmp_path / "site-packages"
    info = site_packages / "feed_archive_test_dist-1.0.dist-info"
    info.mkdir(parents=True)
    metadata = info / "METADATA"
    metadata.write_text("Metadata-Version: 2.1\nName: feed-archive-test-dist\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site_packages))
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache)
    again = _run(content, output, cache).feed_archive_build
    assert again.output.rendered_pages == again.output.unplanned  # nothing changed
    metadata.write_text("Metadata-Version: 2.1\nName: feed-archive-test-dist\nVersion: 1.1\n")
    upgraded = _run(content, output, cache).feed_archive_build
    assert set(upgraded.plan.keys) <= upgraded.output.rendered_pages


def _linking(output: Path, url: str) -> set[str]:
    """Every output page or feed that links to `url` (a site-relative article URL)."""
    found = set()
    for path in output.rglob("*"):
        if path.suffix in (".html", ".xml") and "pagefind" not in path.parts:
            if f"/{url}" in path.read_text(encoding="utf-8"):
                found.add(str(path.relative_to(output)))
    return found


def test_a_changed_post_renders_exactly_the_pages_the_plan_lists_for_it(tmp_path: Path) -> None:
    content = _archive(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    first = _run(content, output, cache).feed_archive_build
    post = sorted((content / "archive").rglob("*.md"))[7]
    planned = first.plan.pages_showing(str(post))
    article = next(a for a in first.timeline.items() if a.source_path == str(post))
    # what shows it, read from the built site itself: every page and feed linking to it, its
    # own page, and the statistics (every item counts there)
    linking = _linking(output, article.fa.url) | {article.save_as, "stats/index.html"}
    assert set(planned) == linking, sorted(set(planned) ^ linking)
    assert {article.save_as, "stats/index.html", article.fa.day.url + "index.html"} <= set(planned)
    post.write_text(post.read_text("utf-8").replace("\n\n", "\n\nUne phrase de plus.\n\n", 1))
    second = _run(content, output, cache).feed_archive_build
    assert second.output.rendered_pages - second.output.unplanned == set(planned)
