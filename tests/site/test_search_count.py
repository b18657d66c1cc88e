"""The count the search page shows is the whole archive's (issue 15), in Debian's Chromium on
a 16-month archive built with the real theme and plugin in 9 index groups: "au moins N" only
while older groups load, then the exact total, in both orders and with filters."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

import search_corpus as corpus
from browserkit import plain
from searchpage import dates, exact, ready, search_url, served_corpus, shown

pytestmark = pytest.mark.browser

#: Records every text the status heading shows, with the page's data-count at that moment.
RECORD = """
window.__statuses = [];
new MutationObserver((records) => {
  for (const r of records) {
    if (!(r.target.id === "search-status" || r.target.closest?.("#search-status"))) continue;
    const count = document.getElementById("search")?.dataset.count || "";
    for (const n of r.addedNodes) window.__statuses.push([n.textContent, count]);
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The corpus in 9 index groups, served at the root."""
    yield from served_corpus(tmp_path_factory.mktemp("search-corpus"))


def statuses(page: Any) -> list[tuple[str, str]]:
    """Every (text, data-count) the status heading went through, oldest first."""
    return [tuple(s) for s in page.evaluate("window.__statuses")]


def assert_counts_grow_to(page: Any, truth: int) -> None:
    """The counts shown never went down, said "au moins" until the exact one, which is true
    and then never changed."""
    counts = [(text, count) for text, count in statuses(page) if re.search(r"\d", text)]
    assert counts, statuses(page)
    numbers = [int(re.sub(r"\D", "", text)) for text, _ in counts]
    assert numbers == sorted(numbers), counts
    kinds = [count for _, count in counts]
    first = kinds.index("exact")
    assert set(kinds[:first]) <= {"partial"} and set(kinds[first:]) == {"exact"}, counts
    assert set(numbers[first:]) == {truth}, counts
    for text, count in counts:
        assert plain(text).startswith("au moins") == (count == "partial"), counts


def test_newest_first_says_at_least_while_older_groups_load_then_the_whole_count(
    page: Any, site: str
) -> None:
    held: list[Any] = []
    released = False

    def hold(route: Any) -> None:
        if released:
            route.continue_()
        else:
            held.append(route)

    page.add_init_script(RECORD)
    page.route(lambda url: "/pagefind/part/" in url, hold)
    with page.expect_request(lambda r: "/pagefind/part/" in r.url, timeout=15000):
        page.goto(search_url(site, "donnees"))
    ready(page)
    first = dates(page)
    assert len(first) == 10 and all(d.startswith("2025-12") for d in first)
    assert page.get_attribute("#search", "data-count") == "partial"
    status = page.inner_text("#search-status")
    assert plain(status).startswith("au moins 12 resultats pour"), status
    released = True
    for route in held:
        route.continue_()
    exact(page)
    assert shown(page) == corpus.matching() == 64
    assert_counts_grow_to(page, corpus.matching())


def test_relevance_count_is_exact_from_the_first_results(page: Any, site: str) -> None:
    page.add_init_script(RECORD)
    page.goto(search_url(site, "donnees", sort="relevance"))
    ready(page)
    assert page.get_attribute("#search", "data-count") == "exact"
    assert shown(page) == corpus.matching()
    assert not [s for s in statuses(page) if "moins" in s[0]]
    assert_counts_grow_to(page, corpus.matching())


@pytest.mark.parametrize("sort", ["date", "relevance"])
@pytest.mark.parametrize(
    "filters", [{"tag": "Droit"}, {"paywalled": "non"}, {"paywalled": "oui", "tag": "Tech"}]
)
def test_count_with_filters_is_the_whole_archive(
    page: Any, site: str, sort: str, filters: dict[str, str]
) -> None:
    page.add_init_script(RECORD)
    page.goto(search_url(site, "donnees", sort=sort, **filters))
    exact(page)
    truth = corpus.matching(**filters)
    assert 0 < truth < corpus.matching()
    assert shown(page) == truth
    assert_counts_grow_to(page, truth)
    for key, value in filters.items():
        assert page.input_value(f"#search-{key}") == value


def test_more_results_never_changes_the_total(page: Any, site: str) -> None:
    page.goto(search_url(site, "donnees"))
    exact(page)
    status = page.inner_text("#search-status")
    while page.locator("#search-more").is_visible():
        before = page.locator("#search-results li").count()
        page.click("#search-more")
        page.wait_for_function(f"document.querySelectorAll('#search-results li').length > {before}")
        assert page.inner_text("#search-status") == status
        new = page.locator("#search-results li").nth(before).locator("h2 a")
        assert new.evaluate("a => a === document.activeElement"), "focus on the first new result"
    every = dates(page)
    assert len(every) == corpus.matching()
    assert every == sorted(every, reverse=True)
    links = page.eval_on_selector_all("#search-results li h2 a", "els => els.map(a => a.href)")
    assert len(set(links)) == corpus.matching()
