"""The production build (publishconf.py, SITEURL with a sub-path) searched from another
address (127.0.0.1, under the sub-path) in Debian's Chromium (issue 15): every URL the search
page loads is site-relative."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

import search_corpus as corpus
from browserkit import serve
from conftest import ROOT
from searchpage import exact, search_url, shown

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The corpus built with publishconf.py (SITEURL https://example.org/my-archive), served
    from 127.0.0.1 under /my-archive/: another address than the one it was built for."""
    from pelican import Pelican
    from pelican.settings import read_settings

    base = tmp_path_factory.mktemp("search-production")
    corpus.write_corpus(base / "content")
    shutil.copytree(ROOT / "content" / "extra", base / "content" / "extra")
    output = base / "output"
    settings = read_settings(
        str(ROOT / "publishconf.py"),
        override={
            "PATH": str(base / "content"),
            "OUTPUT_PATH": str(output),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "CACHE_PATH": str(base / "cache"),
            "SITEURL": "https://example.org/my-archive",
            "FEED_ARCHIVE_SEARCH_MAX_PAGES": corpus.MAX_PAGES,
        },
    )
    assert settings["RELATIVE_URLS"] is False
    Pelican(settings).run()
    server, url = serve(output, "/my-archive/")
    yield output, url
    server.shutdown()
    server.server_close()


def test_production_build_searches_from_another_address(
    page: Any, production: tuple[Path, str]
) -> None:
    output, url = production
    html = (output / "search" / "index.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:src|action|data-bundle|data-site)="([^"]*)"', html)
    assets += re.findall(r'<link rel="(?:stylesheet|modulepreload)" href="([^"]*)"', html)
    assert len(assets) >= 6, assets
    assert all(a.startswith("/my-archive/") for a in assets), assets
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    page.goto(search_url(url, "donnees"))
    exact(page)
    assert shown(page) == corpus.matching()
    assert hosts == {url.split("/")[2]}
    link = page.locator("#search-results li h2 a").first
    assert link.get_attribute("href").startswith("/my-archive/2025/12/")
    link.click()
    page.wait_for_load_state()
    assert page.url.startswith(url + "2025/12/")
