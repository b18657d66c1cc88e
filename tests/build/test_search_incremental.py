"""Incremental search indexing: a build re-indexes only the month groups whose pages changed.

Real Pelican builds (render memo and content cache on, as `invoke build` runs them), real
Pagefind runs, and Chromium for the merged search. Each index is compared with a clean build's
by its pages (URL and indexed text, read from Pagefind's fragments): Pagefind's file names
differ between runs, the pages in each index must not.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from browserkit import open_search, plain, serve, titles
from conftest import build_site
from feed_archive.build import search
from searchkit import write_page, write_post

#: Items per year; with FEED_ARCHIVE_SEARCH_MAX_PAGES = 2 the newest month (2025-01) is one
#: index, and each older year's two months another.
ITEMS = {
    "2023": ("2023-03-04", "2023-10-11"),
    "2024": ("2024-02-05", "2024-08-09"),
    "2025": ("2025-01-06",),
}
MAX_PAGES = 2


def _content(folder: Path) -> Path:
    content = folder / "content"
    for year, days in ITEMS.items():
        for number, day in enumerate(days):
            write_post(
                content,
                day,
                f"billet-{year}-{number}",
                f"Billet {year} numéro {number}",
                f"Les données publiques de {year}. " * (number + 2),
                "Tech",
            )
    return content


def _build(content: Path, output: Path) -> Path:
    return build_site(
        content,
        output,
        CACHE_PATH=str(output.parent / f"{output.name}-cache"),
        FEED_ARCHIVE_SEARCH_MAX_PAGES=MAX_PAGES,
    )


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under `folder`: its bytes and mtime (ns)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _indexed(index: Path) -> list[tuple[str, str, str]]:
    """Every page of one Pagefind index folder: url, text and the whole record, sorted."""
    pages = []
    for fragment in (index / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        page = json.loads(data)
        pages.append((page["url"], page["content"], json.dumps(page, sort_keys=True)))
    return sorted(pages)


def _contents(output: Path) -> list[tuple[str, str, int, list[tuple[str, str]]]]:
    """Each index of the built search bundle: path, key, pages and the pages it holds."""
    bundle = output / "pagefind"
    manifest = json.loads((bundle / "indexes.json").read_text(encoding="utf-8"))
    return [
        (i["path"], i["key"], i["pages"], _indexed(bundle / i["path"])) for i in manifest["indexes"]
    ]


def _assert_like_clean_build(content: Path, output: Path, tmp_path: Path) -> None:
    clean = _build(content, tmp_path / "clean")
    assert _contents(output) == _contents(clean)
    assert _layout(output / "pagefind") == _layout(clean / "pagefind")


def _layout(bundle: Path) -> list[str]:
    """The bundle's files, with the hashes Pagefind puts in their names blanked."""
    return sorted(
        re.sub(r"[0-9a-f]{7,}", "#", str(p.relative_to(bundle))) for p in bundle.rglob("*")
    )


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """The three-year archive and its first build (three indexes)."""
    content = _content(tmp_path)
    output = _build(content, tmp_path / "out")
    keys = [i[1] for i in _contents(output)]
    assert keys == ["2025-01", "2024-02_2024-08", "2023-03_2023-10"]
    return content, output


@pytest.mark.browser
def test_new_item_reindexes_only_the_newest_group(
    built: tuple[Path, Path], tmp_path: Path, page: Any, caplog: pytest.LogCaptureFixture
) -> None:
    content, output = built
    part = output / "pagefind" / "part"
    older = _files(part)
    newest = _indexed(output / "pagefind")
    write_post(
        content, "2025-01-20", "nouveau", "Un billet tout neuf", "Les données neuves.", "Tech"
    )
    with caplog.at_level(logging.INFO, logger="feed_archive.build.search"):
        _build(content, output)
    assert "(1 of 3 indexes rebuilt)" in caplog.text
    assert _files(part) == older, "older months' index files kept, bytes and mtimes"
    urls = [page[0] for page in _indexed(output / "pagefind")]
    assert len(urls) == len(newest) + 1 and "/2025/01/20/nouveau/" in urls
    _assert_like_clean_build(content, output, tmp_path)

    server, url = serve(output, "/")
    try:
        open_search(page, url, "donnees", sort="relevance")
        found = titles(page)
    finally:
        server.shutdown()
        server.server_close()
    assert plain("Un billet tout neuf") in found
    assert plain("Billet 2023 numéro 0") in found, "an old item, from a merged older index"


def test_updated_item_in_an_older_month_reindexes_its_group(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    content, output = built
    bundle = output / "pagefind"
    untouched = _files(bundle / "part" / "2024-02_2024-08")
    root = {name: data for name, data in _files(bundle).items() if not name.startswith("part/")}
    post = next((content / "archive").rglob("billet-2023-1.md"))
    post.write_text(
        post.read_text(encoding="utf-8") + "\nUn paragraphe zygomatique ajouté.\n",
        encoding="utf-8",
    )
    _build(content, output)
    texts = [page[1] for page in _indexed(bundle / "part" / "2023-03_2023-10")]
    assert any("zygomatique" in text for text in texts), "the 2023 index was rebuilt"
    assert _files(bundle / "part" / "2024-02_2024-08") == untouched
    after = {name: data for name, data in _files(bundle).items() if not name.startswith("part/")}
    assert {k: v for k, v in after.items() if k != "indexes.json"} == {
        k: v for k, v in root.items() if k != "indexes.json"
    }, "the newest index was not rebuilt"
    _assert_like_clean_build(content, output, tmp_path)


#: The indexes of `three_years`, newest first.
ALL_INDEXES = ("2025-04", "2025-03", "2024-03_2024-04", "2023-03_2023-04")


@pytest.fixture
def three_years(tmp_path: Path) -> Path:
    """A hand-made built site, one article in each of March and April 2023–2025, indexed
    with at most 2 pages an index: April 2025 alone, March 2025, then one index a year."""
    site = tmp_path / "site"
    for year in ("2023", "2024", "2025"):
        for number in range(2):
            write_page(site, f"{year}-0{number + 3}-01", f"p{number}", f"{year} {number}", "Texte.")
    report = search.index_site(site, max_pages=2, changed=set())
    assert report.redone == report.indexes == ALL_INDEXES
    return site


def test_unchanged_site_rebuilds_nothing(three_years: Path) -> None:
    before = _files(three_years / "pagefind")
    report = search.index_site(three_years, max_pages=2, changed=set())
    assert report.redone == () and report.pages == 6
    assert _files(three_years / "pagefind") == before


def test_without_the_changed_list_everything_is_rebuilt(three_years: Path) -> None:
    report = search.index_site(three_years, max_pages=2)
    assert report.redone == ALL_INDEXES


def test_only_what_pagefind_reads_reindexes_a_month(three_years: Path) -> None:
    page = three_years / "2024" / "03" / "01" / "p0" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("menu", "autre menu"), "utf-8")
    report = search.index_site(three_years, max_pages=2, changed={"2024/03/01/p0/index.html"})
    assert report.redone == (), "a change outside data-pagefind-body reindexes nothing"
    write_page(three_years, "2024-03-01", "p0", "2024 0", "Texte modifié par le build.")
    report = search.index_site(three_years, max_pages=2, changed={"2024/03/01/p0/index.html"})
    assert report.redone == ("2024-03_2024-04",), "a changed page reindexes its group"
    write_page(three_years, "2023-03-01", "p0", "2023 0", "Texte modifié hors du build.")
    report = search.index_site(three_years, max_pages=2, changed=set())
    assert report.redone == ("2023-03_2023-04",), "a page changed since the last index too"


def test_failed_run_keeps_the_old_indexes_and_is_redone_next_time(three_years: Path) -> None:
    before = _files(three_years / "pagefind")
    write_page(three_years, "2024-03-01", "p0", "2024 0", "Texte modifié.")
    (three_years / ".pagefind-new").write_text("a file where pagefind must write a folder")
    with pytest.raises(search.SearchIndexError) as failure:
        search.index_site(three_years, max_pages=2, changed={"2024/03/01/p0/index.html"})
    assert str(failure.value).startswith("pagefind failed on ") and "\n" not in str(failure.value)
    assert _files(three_years / "pagefind") == before, "nothing swapped in"
    (three_years / ".pagefind-new").unlink()
    report = search.index_site(three_years, max_pages=2, changed=set())
    assert report.redone == ("2024-03_2024-04",), "the change the failed run missed is seen"


def test_regrouping_rebuilds_the_groups_that_moved(three_years: Path) -> None:
    write_page(three_years, "2026-01-01", "p0", "2026 0", "Texte neuf.")
    report = search.index_site(three_years, max_pages=2, changed={"2026/01/01/p0/index.html"})
    assert report.indexes == ("2026-01", "2025-03_2025-04", "2024-03_2024-04", "2023-03_2023-04")
    assert report.redone == ("2026-01", "2025-03_2025-04"), "April 2025 left pagefind/"
    bundle = three_years / "pagefind"
    assert (bundle / "part" / "2025-03_2025-04" / "pagefind-entry.json").is_file()
    assert not list((bundle / "part" / "2025-03_2025-04").glob("*.js")), "merged: no JS"
    assert not (bundle / "part" / "2025-03").exists(), "the group it replaced is gone"
    shutil.rmtree(bundle / "part" / "2024-03_2024-04")
    report = search.index_site(three_years, max_pages=2, changed=set())
    assert report.redone == ("2024-03_2024-04",), "a missing index folder is rebuilt"
