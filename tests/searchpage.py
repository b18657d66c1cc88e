"""Helpers for the search page tests on the 16-month corpus (search_corpus.py): build and
serve it, open a query, wait for its first results or its exact count, read the count."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import search_corpus as corpus
from browserkit import serve
from conftest import build_site


def served_corpus(base: Path) -> Iterator[str]:
    """Build the corpus under `base` in 9 index groups (FEED_ARCHIVE_SEARCH_MAX_PAGES small),
    serve it at the root and yield its URL."""
    corpus.write_corpus(base / "content")
    output = build_site(
        base / "content", base / "output", FEED_ARCHIVE_SEARCH_MAX_PAGES=corpus.MAX_PAGES
    )
    assert len(list((output / "pagefind" / "part").iterdir())) == 8
    server, url = serve(output, "/")
    yield url
    server.shutdown()
    server.server_close()


def search_url(site: str, query: str, **params: str) -> str:
    """The search page's URL for `query` and its parameters (sort, filters)."""
    url = f"{site}search/?q={quote(query)}"
    for key, value in params.items():
        url += f"&{key}={quote(value)}"
    return url


def ready(page: Any) -> None:
    """Wait until the first page of results is shown."""
    page.wait_for_selector("#search[data-state=ready]", state="attached", timeout=15000)


def exact(page: Any) -> None:
    """Wait until the page shows the exact number of matching items."""
    page.wait_for_selector("#search[data-count=exact]", state="attached", timeout=15000)


def shown(page: Any) -> int:
    """The number the status heading states."""
    return int(re.sub(r"\D", "", page.inner_text("#search-status")))


def dates(page: Any) -> list[str]:
    """The dates of the results shown, in order."""
    return page.eval_on_selector_all(
        "#search-results li time", "els => els.map(e => e.getAttribute('datetime'))"
    )
