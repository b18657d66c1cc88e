"""Theme in a real Chromium: the reader's click path, small screens, accessibility, screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from browserkit import axe
from conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "screenshots"
ITEM_TITLE = "Données personnelles"  # the item of 31 Oct 2025 16:08 (+01:00)


@pytest.fixture
def site(sample_site: Path, serve_dir: Any) -> str:
    """Base URL of the served sample site (no trailing slash)."""
    return serve_dir(sample_site).rstrip("/")


def _no_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url}: content {width}px wide in a {viewport}px window"


def test_click_path_home_day_article_tag_month_day(page: Any, site: str) -> None:
    """Home -> a day -> an article -> one of its tags -> the month -> back to the day."""
    page.goto(site + "/")
    day_link = page.locator("section.day h2 a", has_text="31 octobre 2025")
    assert day_link.count() == 0  # 31 Oct is older than the home page's last 7 days
    page.locator(".pager a[rel=prev]").click()  # the newest day not on the home page
    while "/2025/10/31/" not in page.url:
        page.locator(".pager a[rel=prev]").click()
    assert page.locator("h1").inner_text() == "Vendredi 31 octobre 2025"
    day_url = page.url

    page.get_by_role("link", name=re.compile(ITEM_TITLE)).first.click()
    assert re.search(r"/2025/10/31/donnees-personnelles-[^/]+/$", page.url)
    assert "31 octobre 2025" in page.locator(".dates").inner_text()
    assert "16:08" in page.locator(".dates").inner_text()

    page.locator("p.tags a", has_text="Justice").click()
    assert page.url.endswith("/tag/justice/")
    assert "Justice" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name=re.compile(ITEM_TITLE)).count() == 1

    page.locator("main h2 a", has_text="2025").click()  # a sparse tag: grouped by year
    assert page.url.endswith("/2025/")
    page.locator("ol.months a", has_text="octobre").click()
    assert page.url.endswith("/2025/10/")
    page.locator("table.cal a", has_text=re.compile(r"^\s*31")).click()
    assert page.url == day_url
    assert page.get_by_role("link", name=re.compile(ITEM_TITLE)).count() == 1


def test_home_links_to_its_days(page: Any, site: str) -> None:
    """The home page heads each day with its French date, linking to that day's page."""
    page.goto(site + "/")
    headings = page.locator("section.day h2 a")
    assert headings.count() == 7
    first = headings.first
    assert re.fullmatch(r"\w+ \d{1,2} \w+ 2025", first.inner_text())
    first.click()
    assert re.search(r"/2025/\d\d/\d\d/$", page.url)
    assert page.locator("ol.entries > li").count() >= 1


PAGES = {
    "home": "/",
    "article": None,  # found from the day page
    "tag": "/tag/justice/",
    "month": "/2025/10/",
    "day": "/2025/10/31/",
    "tags": "/tags/",
    "calendar": "/archives/",
}


def _article_url(page: Any, site: str) -> str:
    page.goto(site + "/2025/10/31/")
    href = page.get_by_role("link", name=re.compile(ITEM_TITLE)).first.get_attribute("href")
    return href if href.startswith("http") else site + href


@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_overflow_at_375px(browser: Any, site: str, name: str) -> None:
    """At 375 px (and 320 px) wide nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="fr-FR")
    page = context.new_page()
    try:
        path = PAGES[name] or _article_url(page, site)
        url = path if path.startswith("http") else site + path
        page.goto(url)
        _no_overflow(page)
        page.set_viewport_size({"width": 320, "height": 700})
        _no_overflow(page)
    finally:
        context.close()


@pytest.mark.parametrize("name", ["home", "article", "tag", "month", "calendar", "day", "tags"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_no_serious_violation(browser: Any, site: str, name: str, scheme: str) -> None:
    """axe-core finds no serious or critical violation, in light and dark mode."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", color_scheme=scheme
    )
    page = context.new_page()
    try:
        path = PAGES[name] or _article_url(page, site)
        page.goto(path if path.startswith("http") else site + path)
        violations = axe(page)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, bad
        order = [v for v in violations if v["id"] in ("heading-order", "page-has-heading-one")]
        assert not order, order
    finally:
        context.close()


def test_skip_link_and_focus_are_visible(page: Any, site: str) -> None:
    """The first Tab shows the skip link; following it moves focus to the main content."""
    page.goto(site + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box and box["y"] >= 0
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_print_style_hides_navigation(page: Any, site: str) -> None:
    """Printed, an article keeps its title and text but not the header, pager or related list."""
    page.goto(_article_url(page, site))
    page.emulate_media(media="print")
    for selector in ("header.site", "nav.prevnext", "aside.related", "footer.site"):
        assert page.locator(selector).evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator("h1").is_visible() and page.locator(".text").is_visible()


def test_no_request_to_another_host(page: Any, site: str) -> None:
    """Pages load fonts, styles and scripts only from the site itself."""
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in ("/", "/2025/10/31/", "/tag/justice/", "/2025/10/", "/tags/"):
        page.goto(site + path)
    page.goto(_article_url(page, site))
    assert hosts == {site.split("/")[2]}


@pytest.mark.parametrize(
    "width,height,label", [(1280, 900, "desktop"), (375, 800, "mobile")], ids=["desktop", "mobile"]
)
def test_screenshots(browser: Any, site: str, width: int, height: int, label: str) -> None:
    """Screenshots of the home page and an article page, for review (screenshots/)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(site + "/")
        home = SCREENSHOTS / f"home-{label}.png"
        page.screenshot(path=str(home), full_page=True)
        page.goto(_article_url(page, site))
        article = SCREENSHOTS / f"article-{label}.png"
        page.screenshot(path=str(article), full_page=True)
    finally:
        context.close()
    for shot in (home, article):
        assert shot.stat().st_size > 10_000
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
