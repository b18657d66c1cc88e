"""Search indexing (feed_archive.search): real Pagefind runs on real Pelican builds."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from conftest import build_site
from feed_archive.build import search
from searchkit import write_page, write_post


@pytest.fixture
def three_years(tmp_path: Path) -> Path:
    """A hand-made built site: 2, 1 and 3 articles in 2023, 2024, 2025, a month and a tag page."""
    site = tmp_path / "site"
    for i, day in enumerate(("2023-03-01", "2023-09-01", "2024-05-05")):
        write_page(site, day, f"a{i}", f"Ancien {i}", "Les données publiques.")
    for i, day in enumerate(("2025-01-02", "2025-06-07", "2025-12-30")):
        write_page(site, day, f"b{i}", f"Récent {i}", "La surveillance des données.")
    (site / "2025" / "01").mkdir(parents=True, exist_ok=True)
    (site / "2025" / "01" / "index.html").write_text("<html><body>mois</body></html>")
    (site / "tag" / "x").mkdir(parents=True)
    (site / "tag" / "x" / "index.html").write_text("<html><body>données</body></html>")
    return site


MONTHS = ["2025-12", "2025-06", "2025-01", "2024-05", "2023-09", "2023-03"]


def test_plan_newest_month_alone_then_consecutive_months(three_years: Path) -> None:
    assert search.plan(three_years, 0) == [MONTHS], "0: one index"
    assert search.plan(three_years, 1) == [[m] for m in MONTHS]
    assert search.plan(three_years, 3) == [
        ["2025-12"],
        ["2025-06", "2025-01"],
        ["2024-05", "2023-09", "2023-03"],
    ], "the newest month alone, the others filled from the oldest"
    assert search.plan(three_years, 4) == [["2025-12"], ["2025-06"], MONTHS[2:]]
    assert search.plan(three_years, 5) == [["2025-12"], MONTHS[1:]], "calendar pages not counted"


def test_index_site_one_index(three_years: Path) -> None:
    report = search.index_site(three_years, max_pages=0)
    bundle = three_years / "pagefind"
    assert report.pages == 6
    assert report.indexes == ("2023-03_2025-12",)
    manifest = json.loads((bundle / "indexes.json").read_text())
    assert manifest["indexes"] == [
        {"path": "", "key": "2023-03_2025-12", "from": "2023-03", "to": "2025-12", "pages": 6}
    ]
    assert (bundle / "pagefind.js").is_file() and (bundle / "wasm.fr.pagefind").is_file()
    assert not (bundle / "pagefind-ui.js").exists(), "Pagefind's own UI is not published"
    assert len(list((bundle / "fragment").iterdir())) == 6, "only article pages are indexed"
    assert not (three_years / ".pagefind-new").exists()


def test_index_site_split_by_month(three_years: Path) -> None:
    report = search.index_site(three_years, max_pages=3)
    bundle = three_years / "pagefind"
    assert report.pages == 6
    manifest = json.loads((bundle / "indexes.json").read_text())
    assert [(i["path"], i["key"], i["pages"]) for i in manifest["indexes"]] == [
        ("", "2025-12", 1),
        ("part/2025-01_2025-06/", "2025-01_2025-06", 2),
        ("part/2023-03_2024-05/", "2023-03_2024-05", 3),
    ]
    part = bundle / "part" / "2023-03_2024-05"
    assert (part / "pagefind-entry.json").is_file()
    assert len(list((part / "fragment").iterdir())) == 3
    assert not list(part.glob("*.js")) and not list(part.glob("wasm.*")), "merged: no JS/wasm"


def test_parallel_runs_give_the_same_indexes(three_years: Path) -> None:
    serial = search.index_site(three_years, max_pages=2, workers=1)
    manifest = json.loads((three_years / "pagefind" / "indexes.json").read_text())
    pages = sorted((f["url"], f["content"]) for f in _fragments(three_years / "pagefind"))
    parallel = search.index_site(three_years, max_pages=2, workers=3)
    assert parallel.indexes == serial.indexes and len(parallel.indexes) == 4
    assert json.loads((three_years / "pagefind" / "indexes.json").read_text()) == manifest
    assert sorted((f["url"], f["content"]) for f in _fragments(three_years / "pagefind")) == pages


def test_reindexing_replaces_the_bundle(three_years: Path) -> None:
    search.index_site(three_years, max_pages=1)
    assert (three_years / "pagefind" / "part" / "2023-03").is_dir()
    search.index_site(three_years, max_pages=0)
    assert not (three_years / "pagefind" / "part").exists()


def test_no_article_pages_no_bundle(tmp_path: Path) -> None:
    (tmp_path / "pagefind").mkdir()
    report = search.index_site(tmp_path)
    assert report.pages == 0
    assert not (tmp_path / "pagefind").exists()


def test_missing_site_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(search.SearchIndexError, match="no built site at"):
        search.index_site(tmp_path / "nowhere")


def test_pagefind_failure_is_one_line_and_keeps_the_old_bundle(three_years: Path) -> None:
    search.index_site(three_years, max_pages=0)
    (three_years / ".pagefind-new").write_text("a file where pagefind must write a folder")
    with pytest.raises(search.SearchIndexError) as failure:
        search.index_site(three_years, max_pages=0)
    message = str(failure.value)
    assert message.startswith("pagefind failed on ") and "\n" not in message
    assert (three_years / "pagefind" / "pagefind.js").is_file(), "old index still served"


def test_pelican_build_indexes_articles(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_post(content, "2024-02-03", "vieux", "Un vieux billet", "Les données anciennes.", "Tech")
    write_post(content, "2025-02-03", "neuf", "Un billet neuf", "Les données nouvelles.", "Tech")
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH_MAX_PAGES=1)
    manifest = json.loads((output / "pagefind" / "indexes.json").read_text())
    assert [i["key"] for i in manifest["indexes"]] == ["2025-02", "2024-02"]
    assert (output / "search" / "index.html").is_file()
    page = (output / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-bundle="/pagefind/"' in page and "search/search.js" in page


def test_search_setting_off_builds_no_index(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_post(content, "2025-02-03", "neuf", "Un billet neuf", "Les données.", "Tech")
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    assert (output / "2025").is_dir()
    assert not (output / "pagefind").exists()


def test_build_goes_on_when_indexing_fails(tmp_path: Path, caplog) -> None:
    content = tmp_path / "content"
    write_post(content, "2025-02-03", "neuf", "Un billet neuf", "Les données.", "Tech")
    output = tmp_path / "output"
    output.mkdir()
    (output / ".pagefind-new").write_text("in the way")
    with caplog.at_level(logging.ERROR, logger="feed_archive.build.search"):
        build_site(content, output)
    errors = [r.getMessage() for r in caplog.records if r.name.startswith("feed_archive.")]
    assert len(errors) == 1
    assert errors[0].startswith("feed_archive: search index not built: pagefind failed on ")
    assert "\n" not in errors[0]
    assert (output / "2025" / "02" / "03" / "neuf" / "index.html").is_file()


def _fragments(bundle: Path) -> list[dict]:
    """The stored result fragments of a Pagefind bundle and its merged parts (gzip, then a
    12-byte signature)."""
    import gzip

    return [
        json.loads(gzip.decompress(path.read_bytes())[12:])
        for path in sorted(bundle.glob("fragment/*.pf_fragment"))
        + sorted(bundle.glob("part/*/fragment/*.pf_fragment"))
    ]


def test_sample_index_holds_article_text_and_filters_only(sample_site: Path) -> None:
    fragments = _fragments(sample_site / "pagefind")
    articles = list(sample_site.glob("2025/*/*/*/index.html"))
    assert len(fragments) == len(articles) > 20
    cnil = next(f for f in fragments if "CNIL sanctionne" in f["meta"]["title"])
    assert cnil["content"].startswith("Données personnelles")
    assert "Vie privée" not in cnil["content"], "filter text stays out of excerpts"
    assert "Précédent" not in cnil["content"] and "Calendrier" not in cnil["content"]
    assert sorted(cnil["filters"]["tag"]) == ["Justice", "Vie privée"]
    assert cnil["filters"]["source"] == ["Le Fil Numérique"]
    assert cnil["filters"]["year"] == ["2025"] and cnil["filters"]["kind"] == ["article"]
    assert cnil["meta"]["date"].startswith("2025-10-31T16:08")
    assert all(f["url"].startswith("/2025/") for f in fragments)


def test_search_page_strings_are_translated_to_french() -> None:
    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2] / "theme"
    translated = {}
    for name in ("messages.po", "search.po"):
        with (root / "translations/fr/LC_MESSAGES" / name).open("rb") as handle:
            translated.update({m.id: m.string for m in read_po(handle) if m.id})
    used = {
        m[1] if isinstance(m[1], str) else m[1][0]
        for m in extract_from_file(
            "jinja2",
            str(root / "templates" / "search.html"),
            options={"extensions": "jinja2.ext.i18n"},
        )
    }
    assert len(used) >= 15
    missing = [m for m in used if not translated.get(m)]
    assert not missing, missing


def test_bad_max_pages_setting_is_one_error_line(tmp_path: Path, caplog) -> None:
    """A bad value is said once, naming the key, when the build starts; it goes on with the
    default (the settings are checked for every key at start, not when search runs)."""
    content = tmp_path / "content"
    write_post(content, "2025-02-03", "neuf", "Un billet neuf", "Les données.", "Tech")
    with caplog.at_level(logging.ERROR, logger="feed_archive"):
        output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH_MAX_PAGES="many")
    errors = [r.getMessage() for r in caplog.records if r.name.startswith("feed_archive.")]
    assert errors == [
        "feed_archive: FEED_ARCHIVE_SEARCH_MAX_PAGES: expected a whole number >= 0, got 'many'"
        " (the build uses the defaults)"
    ]
    assert (output / "pagefind" / "indexes.json").is_file()
