"""The search page in Debian's Chromium, on the built sample, at the root and under a sub-path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from browserkit import dates, open_search, plain, serve, settle, titles
from conftest import ROOT, SAMPLE_1, SAMPLE_2, build_site, fetch_into
from searchkit import write_post

pytestmark = pytest.mark.browser

CNIL = "Données personnelles : la CNIL sanctionne un courtier en publicité"
FACIAL = "Reconnaissance faciale : l’expérimentation dans les gares suspendue par le tribunal"


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample built with SITEURL=http://127.0.0.1:PORT/my-archive and served there."""
    base = tmp_path_factory.mktemp("search-subpath")
    output = base / "output"
    output.mkdir()
    server, url = serve(output, "/my-archive/")
    content = base / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    build_site(content, output, SITEURL=url.rstrip("/"))
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def root_site(sample_site: Path) -> Iterator[str]:
    """The session's sample build (SITEURL "") served at the root."""
    server, url = serve(sample_site, "/")
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["root", "subpath"])
def site(request: pytest.FixtureRequest) -> str:
    """Base URL of the built sample, at the root and under /my-archive/."""
    return request.getfixturevalue(f"{request.param}_site")


def test_without_accents_finds_accented_words(page: Any, site: str) -> None:
    open_search(page, site, "donnees")
    found = titles(page)
    assert plain(CNIL) in found
    marks = [plain(m) for m in page.locator("#search-results mark").all_inner_texts()]
    assert marks and all(m.startswith("donne") for m in marks), marks
    assert "donnees" in plain(page.inner_text("#search-status"))


def test_plural_finds_singular(page: Any, site: str) -> None:
    open_search(page, site, "surveillances")
    assert plain(FACIAL) in titles(page)


def test_result_shows_title_date_source_and_highlighted_excerpt(page: Any, site: str) -> None:
    open_search(page, site, "CNIL courtier")
    first = page.locator("#search-results li").first
    assert plain(first.locator("h2 a").inner_text()) == plain(CNIL)
    assert first.locator("time").get_attribute("datetime").startswith("2025-10-31")
    assert "2025" in first.locator("time").inner_text()
    assert first.locator(".source").inner_text() == "Le Fil Numérique"
    assert first.locator(".excerpt mark").count() >= 1
    first.locator("h2 a").click()
    page.wait_for_load_state()
    assert page.url.startswith(site) and "/2025/10/31/" in page.url
    assert "CNIL" in page.locator("h1").inner_text()


def test_newest_first_by_default_and_relevance_on_request(page: Any, site: str) -> None:
    open_search(page, site, "donnees")
    by_date = dates(page)
    assert len(by_date) >= 3
    assert by_date == sorted(by_date, reverse=True)
    page.select_option("#search-sort", "relevance")
    settle(page)
    assert "sort=relevance" in page.url
    by_relevance = dates(page)
    assert sorted(by_relevance) == sorted(by_date), "same items, another order"
    page.reload()
    settle(page)
    assert page.input_value("#search-sort") == "relevance"
    assert dates(page) == by_relevance


def test_tag_filter_narrows_results(page: Any, site: str) -> None:
    open_search(page, site, "donnees")
    everything = titles(page)
    page.click("#search-refine summary")
    page.wait_for_function("document.querySelectorAll('#search-tag option').length > 2")
    labels = page.locator("#search-tag option").all_inner_texts()
    assert any(label.startswith("Vie privée (") for label in labels), labels
    page.select_option("#search-tag", "Vie privée")
    settle(page)
    assert "tag=Vie+priv" in page.url
    narrowed = titles(page)
    assert 0 < len(narrowed) < len(everything)
    assert set(narrowed) <= set(everything)
    assert plain(CNIL) in narrowed
    page.reload()
    settle(page)
    assert titles(page) == narrowed
    assert page.input_value("#search-tag") == "Vie privée"


def test_query_in_url_survives_reload_and_back(page: Any, site: str) -> None:
    open_search(page, site)
    page.fill("#search-q", "donnees")
    page.press("#search-q", "Enter")
    settle(page)
    assert page.url.endswith("?q=donnees")
    first = titles(page)
    assert first
    page.reload()
    settle(page)
    assert page.input_value("#search-q") == "donnees"
    assert titles(page) == first
    page.fill("#search-q", "surveillances")
    page.press("#search-q", "Enter")
    settle(page)
    page.go_back()
    settle(page)
    assert page.input_value("#search-q") == "donnees"
    assert titles(page) == first


def test_nonsense_word_says_no_result(page: Any, site: str) -> None:
    open_search(page, site, "xqzwvkj")
    assert page.locator("#search-results li").count() == 0
    message = page.inner_text("#search-status")
    assert "xqzwvkj" in message
    assert re.search(r"\d", message) is None, "a plain sentence, not a count of 0"
    assert page.locator("#search-more").is_hidden()


def test_keyboard_only(page: Any, site: str) -> None:
    open_search(page, site)
    page.evaluate("document.activeElement.blur()")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-q":
            break
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.type("donnees")
    page.keyboard.press("Enter")
    settle(page)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#search-results')"):
            break
    focused = page.evaluate("document.activeElement.textContent")
    assert plain(focused) == titles(page)[0]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/2025/" in page.url


def test_header_search_box_leads_to_results(page: Any, site: str) -> None:
    page.goto(site)
    page.fill("header #q", "donnees")
    page.press("header #q", "Enter")
    settle(page)
    assert page.url.startswith(f"{site}search/?q=donnees")
    assert plain(CNIL) in titles(page)


def test_no_query_downloads_no_index(page: Any, site: str) -> None:
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    open_search(page, site)
    settle(page)
    page.wait_for_timeout(300)
    assert not any("/pagefind/" in url for url in loaded)
    assert page.inner_text("#search-status")


def test_filters_by_keyboard(page: Any, site: str) -> None:
    open_search(page, site, "donnees")
    everything = titles(page)
    page.focus("#search-sort")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelectorAll('#search-tag option').length > 2")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "search-tag"
    page.keyboard.press("ArrowDown")
    assert "tag=" not in page.url, "an arrow key in a closed select only moves the choice"
    page.keyboard.press("Enter")
    settle(page)
    assert "tag=" in page.url
    assert 0 < len(titles(page)) < len(everything)


def test_search_turned_off_says_so(page: Any, tmp_path: Path, serve_dir: Any) -> None:
    content = tmp_path / "content"
    write_post(content, "2025-02-03", "neuf", "Un billet neuf", "Les données.", "Tech")
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    open_search(page, serve_dir(output), "donnees")
    assert page.locator("#search-results li").count() == 0
    assert "introuvable" in page.inner_text("#search-status")
