"""Corrections log in a real Chromium: from the home page to /changes/ and to the diff of a
version on its article page; accessibility (axe-core, light and dark) and small screens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from browserkit import axe, open_search, titles

pytestmark = pytest.mark.browser


@pytest.fixture
def site(sample_site: Path, serve_dir: Any) -> str:
    """Base URL of the served sample site (no trailing slash)."""
    return serve_dir(sample_site).rstrip("/")


def test_home_to_the_log_to_the_diff_of_a_version(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.locator("footer").get_by_role("link", name="Journal des corrections").click()
    assert page.url == site + "/changes/"
    assert page.locator("h1").inner_text() == "Journal des corrections"
    line = page.locator("ul.changes li")
    assert line.count() == 1
    assert "Titre modifié, texte ajouté" in line.inner_text()
    line.get_by_role("link").click()
    assert re.search(r"/2025/11/\d\d/rancongiciels-[^/]+/#diff-2$", page.url), page.url
    diff = page.locator("#diff-2")
    # the fragment opens the history and its diff, and brings the diff into view
    page.wait_for_function("document.getElementById('diff-2').open")
    assert page.evaluate("document.getElementById('revisions').open")
    assert diff.locator("summary").inner_text().startswith("Version 1 → 2")
    assert "Titre modifié, texte ajouté" in diff.locator("summary").inner_text()
    assert diff.locator("ins").first.is_visible()
    assert diff.locator(".revision-title-diff ins").inner_text() == "[MàJ]"
    box = diff.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    page.go_back()
    assert page.url == site + "/changes/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_log_page_has_no_serious_axe_violation(browser: Any, site: str, scheme: str) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", color_scheme=scheme
    )
    page = context.new_page()
    try:
        page.goto(site + "/changes/")
        violations = axe(page)
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, bad
        order = [v for v in violations if v["id"] in ("heading-order", "page-has-heading-one")]
        assert not order, order
    finally:
        context.close()


def test_log_page_fits_a_small_screen(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 700}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(site + "/changes/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("window.innerWidth")
    finally:
        context.close()


def test_search_filters_the_updated_items(page: Any, site: str) -> None:
    open_search(page, site + "/", "des")
    everything = titles(page)
    open_search(page, site + "/", "des", updated="oui")
    assert len(everything) > 1 and len(titles(page)) == 1, everything
    assert titles(page)[0] in everything and "rancongiciels" in titles(page)[0]
    assert page.input_value("#search-updated") == "oui"
