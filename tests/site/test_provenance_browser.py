"""Provenance read in Chromium (issue 16): from the home page to an updated article's digests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browserkit import axe, plain
from conftest import SAMPLE_1, SAMPLE_2, build_site, fetch_into
from feed_archive.post.provenance import file_digest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(archive folder, output) of both sample snapshots, built with exports."""
    base = tmp_path_factory.mktemp("proof-browser")
    content = base / "content"
    for snapshot in (SAMPLE_1, SAMPLE_2):
        assert fetch_into(content, snapshot).error is None
    output = build_site(content, base / "output", FEED_ARCHIVE_EXPORTS=True)
    return content / "archive", output


def test_the_article_page_shows_each_versions_digest(
    browser: Any, built: tuple[Path, Path], serve_dir: Any
) -> None:
    archive, output = built
    site = serve_dir(output).rstrip("/")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        document = page.request.get(site + "/provenance.json").json()
        item = next(i for i in document["items"] if len(i["versions"]) > 1)
        page.goto(site + "/")  # home -> the source's listing -> the updated article
        page.locator("a", has_text="Le Fil Numérique").first.click()
        page.wait_for_load_state()
        page.locator(f'a[href$="/{item["url"]}"]').first.click()
        page.wait_for_selector("section.provenance")
        assert page.url.endswith("/" + item["url"])
        assert page.locator("h1").inner_text().startswith("Rançongiciels")
        lines = page.locator("section.provenance li").all_inner_texts()
        shown = page.eval_on_selector_all(
            "section.provenance code.digest",
            "els => els.map(e => [e.textContent, e.dataset.sha256])",
        )
        assert len(lines) == len(shown) == 2
        assert all("releve le" in plain(line) and "empreinte" in line for line in lines)
        assert plain(lines[0]).startswith("version conservee 1 : releve le")
        assert [full for _, full in shown] == [v["sha256"] for v in item["versions"]]
        for (short, full), version in zip(shown, item["versions"], strict=True):
            assert full.startswith(short) and len(short) == 12
            assert file_digest(archive / version["file"]) == full  # the file itself agrees
        page.locator("section.provenance a", has_text="empreintes").click()
        page.wait_for_load_state()
        assert page.url.endswith("/provenance.json")
        page.go_back()
        page.wait_for_selector("section.provenance")
        violations = axe(page)
        assert not violations, violations
    finally:
        context.close()
