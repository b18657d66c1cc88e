"""Newest-first paging and counts across index groups (FEED_ARCHIVE_SEARCH_MAX_PAGES small)
in Debian's Chromium: 16 items over three years in four groups."""

from __future__ import annotations

import json
from typing import Any, Iterator

import pytest

from browserkit import dates, open_search, plain, serve
from conftest import build_site
from searchkit import write_post

pytestmark = pytest.mark.browser


#: The index of the oldest months of `years_site`.
OLDEST = "2023-04_2024-09"


@pytest.fixture(scope="module")
def years_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """15 items on "données" (11 in 2025, 2 in 2024, 2 in 2023) and one without, one a month;
    at most 5 pages an index: 2025-11 alone, 2025-06..10, 2025-01..05, 2023-04..2024-09."""
    base = tmp_path_factory.mktemp("search-years")
    content = base / "content"
    months = {2025: range(1, 12), 2024: (3, 9), 2023: (4, 10)}
    for year, numbers in months.items():
        for month in numbers:
            write_post(
                content,
                f"{year}-{month:02d}-1{month % 3}",
                f"item-{year}-{month}",
                f"Billet {year} {month:02d}",
                "Les données publiques. " * (month % 4 + 1),
                "Droit" if month >= 6 else "Tech",
            )
    write_post(content, "2024-06-06", "autre", "Sans rapport", "Rien ici.", "Tech")
    output = build_site(content, base / "output", FEED_ARCHIVE_SEARCH_MAX_PAGES=5)
    keys = [
        i["key"] for i in json.loads((output / "pagefind" / "indexes.json").read_text())["indexes"]
    ]
    assert keys == ["2025-11", "2025-06_2025-10", "2025-01_2025-05", OLDEST]
    server, url = serve(output, "/")
    yield url
    server.shutdown()
    server.server_close()


def test_split_index_newest_first_loads_older_years_on_demand(page: Any, years_site: str) -> None:
    held: list[Any] = []

    def hold(route: Any) -> None:
        if held and held[0] is None:
            route.continue_()
        else:
            held.append(route)

    page.route(lambda url: f"/pagefind/part/{OLDEST}/" in url, hold)
    with page.expect_request(lambda r: f"/pagefind/part/{OLDEST}/" in r.url, timeout=15000):
        open_search(page, years_site, "donnees")
    first = dates(page)
    assert len(first) == 10
    assert first == sorted(first, reverse=True)
    assert all(d.startswith("2025") for d in first)
    assert held, "the first page was shown with the oldest index still held back"
    status = plain(page.inner_text("#search-status"))
    assert status.startswith("au moins 11 "), "a lower bound while the oldest index loads"
    waiting, held[:] = held[:], [None]
    for route in waiting:
        route.continue_()
    page.wait_for_selector("#search[data-count=exact]", state="attached")
    assert "15" in page.inner_text("#search-status")
    page.click("#search-more")
    page.wait_for_function("document.querySelectorAll('#search-results li').length == 15")
    every = dates(page)
    assert every == sorted(every, reverse=True)
    assert every[-1].startswith("2023-04")
    assert page.evaluate("document.activeElement.closest('li') !== null")
    assert "15" in page.inner_text("#search-status")
    assert page.locator("#search-more").is_hidden()


def test_split_index_relevance_merges_every_year(page: Any, years_site: str) -> None:
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    open_search(page, years_site, "donnees", sort="relevance")
    assert len(dates(page)) == 10
    assert "15" in page.inner_text("#search-status")
    assert any(f"/pagefind/part/{OLDEST}/" in u for u in loaded)
    page.click("#search-more")
    page.wait_for_function("document.querySelectorAll('#search-results li').length == 15")


def test_split_index_tag_filter(page: Any, years_site: str) -> None:
    open_search(page, years_site, "donnees", tag="Droit")
    found = dates(page)
    assert len(found) == 8
    assert found == sorted(found, reverse=True)
    assert all(d[5:7] >= "06" for d in found)
    assert "8" in page.inner_text("#search-status")
    assert page.input_value("#search-tag") == "Droit"
