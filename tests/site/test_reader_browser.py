"""The 15-month archive read in Chromium: every page type accessible and in French typography."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from browserkit import axe
from conftest import build_site
from synthetic import make_archive

pytestmark = pytest.mark.browser

PLAIN_BEFORE_PUNCT = re.compile(r"[ \u00a0][;:!?](?!//)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic archive built with search (5 items per listing page)."""
    base = tmp_path_factory.mktemp("reader-browser")
    archive = make_archive(base)
    return build_site(
        archive.content,
        base / "output",
        FEED_ARCHIVE_LIST_PAGE_SIZE=5,
        FEED_ARCHIVE_SEARCH_MAX_PAGES=60,
    )


@pytest.fixture
def site(built: Path, serve_dir: Any) -> str:
    """Base URL of the served site (no trailing slash)."""
    return serve_dir(built).rstrip("/")


def _path_of(built: Path, needle: str) -> str:
    for page in built.glob("20*/*/*/*/index.html"):
        if needle in page.read_text(encoding="utf-8"):
            return "/" + str(page.parent.relative_to(built)) + "/"
    raise AssertionError(needle)


#: One URL path per page type ("@…": the article whose page holds this source link).
PAGE_TYPES = {
    "home": "/",
    "article": "@/2025/11/01/premier/",
    "updated article": "@/2025/11/27/hopital/",
    "paywalled article": "@/2025/11/20/accord/",
    "day": "/2025/11/01/",
    "month": "/2025/11/",
    "year": "/2025/",
    "calendar": "/archives/",
    "tag": "/tag/securite/",
    "older tag page": "/tag/securite/page/8/",
    "sparse tag": "/tag/rare/",
    "tags": "/tags/",
    "tags by count": "/tags/count/",
    "source": "/sources/le-fil/",
    "sources": "/sources/",
    "search": "/search/?q=donn%C3%A9es",
    "statistics": "/stats/",
    "disappearances": "/gone/",
    "not found": "/404.html",
}


def _open(browser: Any, url: str, width: int = 1280) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(url)
    if "/search/" in url:
        page.wait_for_selector("#search[data-state=ready]")
    return context, page


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_every_page_type_passes_axe_and_french_typography(
    browser: Any, built: Path, site: str, kind: str
) -> None:
    path = PAGE_TYPES[kind]
    path = _path_of(built, path[1:]) if path.startswith("@") else path
    context, page = _open(browser, site + path)
    try:
        assert page.locator("h1").count() == 1, path
        text = page.evaluate("document.body.innerText")
        wrong = [
            text[max(0, m.start() - 25) : m.end() + 3] for m in PLAIN_BEFORE_PUNCT.finditer(text)
        ]
        assert not wrong, wrong[:10]
        violations = axe(page)
        assert not violations, violations
    finally:
        context.close()


def test_the_update_reads_title_first_with_the_publishers_date(
    browser: Any, built: Path, site: str
) -> None:
    context, page = _open(browser, site + _path_of(built, "/2025/11/27/hopital/"), width=390)
    try:
        title = page.locator("h1").bounding_box()
        history = page.locator("details.revisions").bounding_box()
        text = page.locator(".text").bounding_box()
        assert title["y"] < text["y"] < history["y"]
        assert title["y"] < 400, "the title is near the top of a phone screen"
        dates = page.locator(".dates").inner_text()
        assert "Mis à jour le vendredi 28 novembre 2025 à 11:15" in dates
        assert page.locator("h1").inner_text().startswith("Rançongiciel")
    finally:
        context.close()


def test_titles_never_wrap_under_the_date_column(browser: Any, site: str) -> None:
    context, page = _open(browser, site + "/tag/securite/", width=390)
    try:
        overlaps = page.evaluate(
            """() => [...document.querySelectorAll('ul.lines li')].filter(li => {
                const time = li.querySelector('time'), title = li.querySelector('a');
                if (!time || !title) return false;
                const rects = [...title.getClientRects()];
                return rects.some(r => r.left < time.getBoundingClientRect().right);
            }).length"""
        )
        assert overlaps == 0
    finally:
        context.close()


def test_one_task_regenerates_the_screenshots(built: Path, tmp_path: Path) -> None:
    """`invoke screenshots` (scripts/screenshots.py): five pages at 390 and 1366 px."""
    import subprocess
    import sys

    from conftest import ROOT

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), str(built), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    expected = [
        f"{n}-{w}.png"
        for n in ("article", "home", "search", "statistics", "tag")
        for w in (1366, 390)
    ]
    assert names == sorted(expected)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in tmp_path.glob("*.png"))


def test_search_results_keep_digit_groups_in_titles(browser: Any, site: str) -> None:
    """A search result shows the title as the page does: "40 000" held by U+202F."""
    context, page = _open(browser, site + "/search/?q=malveillant")
    try:
        titles = page.locator("#search-results li h2, #search-results li h3").all_inner_texts()
        assert any("40\u202f000" in title for title in titles), titles
        assert not any("40 000" in title for title in titles), titles
    finally:
        context.close()
