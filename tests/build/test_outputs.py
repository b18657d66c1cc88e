"""After a build, output/ holds exactly the files that build made, and nothing else.

Real Pelican builds (search on, a static image, the production plugins for the sitemap and
robots.txt) into an output folder where files were planted: top level, nested, inside the
search bundle and the theme's folder, a symbolic link to a file outside, an empty folder. The
next build, incremental, removes every one of them, and keeps every file a clean build makes,
byte for byte (the search bundle too when nothing changed; after new items it is compared by
its pages, since Pagefind names its files differently on each run).
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from conftest import ROOT, LogCollector, site_settings, snapshot

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth

ITEMS = 24

#: What an attacker who can write the restored output/ plants, and what the next build must
#: remove: (path under output/, bytes).
PLANTED = {
    "planted.html": b"<script>alert('planted')</script>",
    "tag/planted/page/2/index.html": b"<script>alert('nested')</script>",
    "pagefind/planted.js": b"alert('bundle')",
    "pagefind/fragment/fr_0123456789abcdef.pf_fragment": b"not a fragment",
    "theme/planted.css": b"body{background:url(javascript:alert(1))}",
    "theme/search/search-extra.js": b"alert('theme')",
}


def _content(folder: Path, count: int = ITEMS) -> Path:
    content = folder / "content"
    synth.write_archive(content, count, total=ITEMS)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    shutil.copytree(ROOT / "content" / "extra", content / "extra")
    images = content / "images"
    images.mkdir()
    (images / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    return content


def _production(**overrides: Any) -> dict[str, Any]:
    """The settings publishconf.py adds: the sitemap plugin and robots.txt."""
    values: dict[str, Any] = {
        "SITEURL": "https://example.org/archive",
        "PLUGINS": ["pelican.plugins.sitemap", "feed_archive"],
        "SITEMAP": {"format": "xml", "exclude": [r"^robots\.txt$"]},
        "TEMPLATE_PAGES": {"extra/robots.txt": "robots.txt"},
        "DELETE_OUTPUT_DIRECTORY": False,
    }
    values.update(overrides)
    return values


def _run(content: Path, output: Path, cache: Path, **overrides: Any) -> tuple[Any, list[str]]:
    """One real build; returns the Pelican object and the messages it logged."""
    from pelican import Pelican

    records = LogCollector()
    logging.getLogger().addHandler(records)
    try:
        settings = site_settings(content, output, CACHE_PATH=str(cache), **_production(**overrides))
        pelican = Pelican(settings)
        pelican.run()
    finally:
        logging.getLogger().removeHandler(records)
    errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
    assert not errors, errors
    return pelican, [r.getMessage() for r in records.records]


def _plant(output: Path, outside: Path) -> None:
    for name, data in PLANTED.items():
        path = output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    outside.write_text("a file outside the site", encoding="utf-8")
    os.symlink(outside, output / "linked.html")
    (output / "empty" / "folder").mkdir(parents=True)


def _without_dates(files: dict[str, bytes]) -> dict[str, bytes]:
    """The sitemap without its <lastmod> values (pelican-sitemap dates undated pages now)."""
    import re

    files = dict(files)
    files["sitemap.xml"] = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", files["sitemap.xml"])
    return files


def _site(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every file but the search bundle's (Pagefind names its files anew on each run)."""
    return {k: v for k, v in _without_dates(files).items() if not k.startswith("pagefind/")}


def _removed(pelican: Any) -> set[str]:
    """The files the build's sweep removed from the output."""
    return pelican.feed_archive_build.outputs.removed


def test_files_planted_in_output_are_removed_and_the_rest_kept_byte_for_byte(
    tmp_path: Path,
) -> None:
    content = _content(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _run(content, output, cache)
    built = snapshot(output)
    assert {"robots.txt", "sitemap.xml", "images/logo.png", "theme/css/theme.css"} <= set(built)
    assert any(name.startswith("pagefind/fragment/") for name in built)
    _plant(output, tmp_path / "outside.txt")

    pelican, messages = _run(content, output, cache)
    after = snapshot(output)
    assert not set(PLANTED) & set(after)
    assert not (output / "linked.html").is_symlink()
    assert not (output / "empty").exists()
    assert (tmp_path / "outside.txt").read_text(encoding="utf-8") == "a file outside the site"
    # nothing changed: every file of the first build is there with its bytes, search included
    assert _without_dates(after) == _without_dates(built)
    assert _removed(pelican) == {*PLANTED, "linked.html"}
    assert any(f"7 files not made by this build removed from {output}" in m for m in messages)


def _indexed_urls(output: Path) -> list[str]:
    """The URL of every page in every index of the search bundle (read from its fragments)."""
    urls = []
    for fragment in (output / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        urls.append(json.loads(data)["url"])
    return sorted(urls)


def test_after_new_items_the_output_equals_a_clean_build(tmp_path: Path) -> None:
    content = _content(tmp_path, ITEMS - 4)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _run(content, output, cache)
    _plant(output, tmp_path / "outside.txt")
    # a page planted among the articles of a month: Pagefind would index it
    month = next(iter(sorted(output.glob("20*/[01]*/[0-3]*/*/index.html")))).parent.parent
    planted_page = month / "planted" / "index.html"
    planted_page.parent.mkdir()
    planted_page.write_text(
        "<html lang=fr><body><main data-pagefind-body><h1>Planté</h1><script>alert(1)</script>"
        "</main></body></html>",
        encoding="utf-8",
    )
    synth.write_archive(content, 4, start=ITEMS - 4, total=ITEMS)
    _run(content, output, cache)
    incremental = snapshot(output)
    assert not set(PLANTED) & set(incremental)
    assert not (output / "linked.html").is_symlink() and not planted_page.exists()
    assert not [url for url in _indexed_urls(output) if "planted" in url]

    clean_output, clean_cache = tmp_path / "clean-out", tmp_path / "clean-cache"
    pelican, _ = _run(content, clean_output, clean_cache)
    clean = snapshot(clean_output)
    assert _site(incremental) == _site(clean)
    assert _indexed_urls(output) == _indexed_urls(clean_output)
    bundle = [k for k in incremental if k.startswith("pagefind/")]
    assert len(bundle) == len([k for k in clean if k.startswith("pagefind/")])
    assert _removed(pelican) == set(), "a clean build removes nothing it made"


def test_files_kept_without_being_written_again_stay(tmp_path: Path) -> None:
    """Pages the plan skips, static files Pelican finds up to date, search indexes kept."""
    content = _content(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _run(content, output, cache, STATIC_CHECK_IF_MODIFIED=True)
    built = snapshot(output)
    pelican, _ = _run(content, output, cache, STATIC_CHECK_IF_MODIFIED=True)
    assert pelican.feed_archive_build.output.kept > ITEMS
    assert _without_dates(snapshot(output)) == _without_dates(built)
    assert _removed(pelican) == set()


def test_a_static_file_no_longer_in_the_content_is_removed(tmp_path: Path) -> None:
    content = _content(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _run(content, output, cache)
    assert (output / "images" / "logo.png").is_file()
    (content / "images" / "logo.png").unlink()
    _run(content, output, cache)
    assert not (output / "images").exists()


def test_an_output_folder_holding_the_content_is_never_emptied(tmp_path: Path) -> None:
    """OUTPUT_PATH that holds PATH (or the cache, the theme): nothing is removed, one warning."""
    site = tmp_path / "site"
    content = _content(site)
    posts = snapshot(content)
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    _, messages = _run(content, site, tmp_path / "cache", FEED_ARCHIVE_SEARCH=False)
    assert snapshot(content) == posts
    assert (site / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert any("holds" in m and "nothing is removed" in m for m in messages)


#: Two builds in a fresh process, feed_archive listed before a plugin that writes at the end of
#: the build (pelican-sitemap writes sitemap.xml in its `finalized` hook); prints what the second
#: build removed and whether it trusted the seal of the first.
TWO_BUILDS = """
import json, logging, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
from conftest import LogCollector, site_settings
from pelican import Pelican
from pathlib import Path
content, output, cache = (Path(p) for p in sys.argv[2:5])
plugins = ["feed_archive", "pelican.plugins.sitemap"]
records = LogCollector()
logging.getLogger().addHandler(records)
for _ in range(2):
    settings = site_settings(content, output, CACHE_PATH=str(cache), PLUGINS=plugins,
                             SITEMAP={"format": "xml"}, FEED_ARCHIVE_SEARCH=False)
    pelican = Pelican(settings)
    pelican.run()
    sitemap = (output / "sitemap.xml").is_file()
warnings = [r.getMessage() for r in records.records if r.levelno >= logging.WARNING]
print(json.dumps({"removed": sorted(pelican.feed_archive_build.outputs.removed),
                  "sitemap": sitemap, "warnings": warnings}))
"""


def test_files_a_later_plugin_writes_at_the_end_are_kept_and_sealed(tmp_path: Path) -> None:
    """Whatever the order of PLUGINS, the sweep and the seal come after every other plugin's
    end of build: its files are neither removed by the next build nor break the seal."""
    import subprocess

    content = _content(tmp_path)
    env = dict(os.environ, FEED_ARCHIVE_CACHE_KEY="k" * 64)
    args = [str(ROOT), str(content), str(tmp_path / "out"), str(tmp_path / "cache")]
    result = subprocess.run(
        [sys.executable, "-c", TWO_BUILDS, *args], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["sitemap"] and report["removed"] == []
    assert not [w for w in report["warnings"] if "not trusted" in w], report["warnings"]
