"""The search page in Debian's Chromium (issue 15), on the 16-month corpus: focus on the
results heading, filters applied on a committed change, the paywalled "non" filter, French
labels, spacing and numbers, two distinctly named search forms, axe-core."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest

import search_corpus as corpus
from browserkit import axe, plain
from searchpage import exact, ready, search_url, served_corpus, shown

pytestmark = pytest.mark.browser

NNBSP = "\u202f"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The corpus in 9 index groups, served at the root."""
    yield from served_corpus(tmp_path_factory.mktemp("search-corpus"))


def test_focus_moves_to_the_results_heading(page: Any, site: str) -> None:
    page.goto(search_url(site, "donnees"))
    ready(page)
    focused = page.evaluate(
        "({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " tabindex: document.activeElement.getAttribute('tabindex')})"
    )
    assert focused == {"tag": "H2", "id": "search-status", "tabindex": "-1"}
    assert "resultats pour" in plain(page.inner_text("#search-status"))
    page.fill("#search-q", "cadastre")
    page.press("#search-q", "Enter")
    ready(page)
    assert page.evaluate("document.activeElement.id") == "search-status"
    assert plain(page.inner_text("#search-status")).endswith("pour « cadastre ».")


@pytest.mark.parametrize("key,value", [("tag", "Droit"), ("sort", "relevance")])
def test_arrow_keys_in_a_select_do_not_search_enter_and_leaving_do(
    page: Any, site: str, key: str, value: str
) -> None:
    page.goto(search_url(site, "donnees"))
    exact(page)
    if key != "sort":
        page.click("#search-refine summary")
        page.wait_for_function(f"document.querySelectorAll('#search-{key} option').length > 2")
    url = page.url
    page.focus(f"#search-{key}")
    page.keyboard.press("ArrowDown")
    assert page.input_value(f"#search-{key}") == value
    assert page.url == url, "no search on an arrow key"
    assert page.get_attribute("#search", "data-state") == "ready"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    assert page.url == url
    page.keyboard.press("Enter")
    ready(page)
    assert f"{key}={value}" in page.url
    exact(page)
    truth = corpus.matching(tag=value) if key == "tag" else corpus.matching()
    assert shown(page) == truth
    # a change made with the keys applies when focus leaves the select too
    page.focus(f"#search-{key}")
    page.keyboard.press("ArrowUp")
    assert f"{key}={value}" in page.url
    page.keyboard.press("Tab")
    ready(page)
    assert f"{key}=" not in page.url


def test_paywalled_no_filter_offered_and_applied(page: Any, site: str) -> None:
    page.goto(search_url(site, "donnees"))
    exact(page)
    page.click("#search-refine summary")
    page.wait_for_function("document.querySelectorAll('#search-paywalled option').length === 3")
    labels = page.locator("#search-paywalled option").all_inner_texts()
    no, yes = corpus.matching(paywalled="non"), corpus.matching(paywalled="oui")
    assert labels == ["Tous", f"non ({no})", f"oui ({yes})"]
    page.select_option("#search-paywalled", "non")
    exact(page)
    assert "paywalled=non" in page.url
    assert shown(page) == no


def test_filter_labels_agree_in_french(page: Any, site: str) -> None:
    page.goto(search_url(site, "donnees"))
    firsts = page.eval_on_selector_all(
        "select[data-filter]", "els => els.map(s => [s.id, s.options[0].text])"
    )
    assert dict(firsts) == {
        "search-tag": "Tous",
        "search-source": "Toutes",
        "search-year": "Toutes",
        "search-kind": "Tous",
        "search-paywalled": "Tous",
        "search-updated": "Tous",
    }


def test_excerpts_keep_french_spacing_and_mark_a_cut_start(page: Any, site: str) -> None:
    page.goto(search_url(site, "donnees"))
    ready(page)
    excerpt = page.locator("#search-results .excerpt").first.text_content()
    for mark in ";:!?":
        assert f"{NNBSP}{mark}" in excerpt and f" {mark}" not in excerpt, excerpt
    assert f"«{NNBSP}" in excerpt and f"{NNBSP}»" in excerpt, excerpt
    assert f" «{NNBSP}donnees{NNBSP}»" in page.text_content("#search-status")
    page.goto(search_url(site, "cadastre"))
    ready(page)
    cut = page.locator("#search-results .excerpt").first.text_content()
    assert cut.startswith("…") and "cadastre" in cut, cut
    page.goto(search_url(site, "billet"))
    ready(page)
    whole = page.locator("#search-results .excerpt").first.text_content()
    assert whole.startswith("Billet "), whole


def test_numbers_have_french_digit_groups(page: Any, site: str) -> None:
    page.goto(search_url(site, ""))
    grouped = page.evaluate(
        "import(new URL('../theme/search/words.js', location.href).href)"
        ".then(m => [m.number(3769, 'fr'), m.number(1234567, 'fr'), m.number(12, 'fr')])"
    )
    assert grouped == [f"3{NNBSP}769", f"1{NNBSP}234{NNBSP}567", "12"]


def test_the_two_search_forms_have_distinct_names(page: Any, site: str) -> None:
    page.goto(search_url(site, "donnees"))
    ready(page)
    names = [
        page.locator("form[role=search]").nth(i).aria_snapshot().splitlines()[0]
        for i in range(page.locator("form[role=search]").count())
    ]
    assert len(names) == 2 and names[0] != names[1], names
    assert all(re.match(r'- search "[^"]+"', name) for name in names), names


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_search_page_with_results(
    browser: Any, site: str, scheme: str
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", color_scheme=scheme
    )
    page = context.new_page()
    try:
        page.goto(search_url(site, "donnees"))
        exact(page)
        page.click("#search-refine summary")
        page.wait_for_function("document.querySelectorAll('#search-tag option').length > 2")
        assert page.locator("#search-results li").count() == 10
        assert axe(page) == []
    finally:
        context.close()


def test_clearing_the_query_during_a_search_leaves_the_page_not_busy(page: Any, site: str) -> None:
    held: list[Any] = []
    page.route(lambda url: "/pagefind/" in url, lambda route: held.append(route))
    page.goto(search_url(site, "donnees"))
    page.wait_for_selector("#search[aria-busy=true]", state="attached")
    page.fill("#search-q", "")
    page.press("#search-q", "Enter")
    assert page.get_attribute("#search", "aria-busy") is None
    assert page.get_attribute("#search", "data-state") == "ready"
    assert "mots" in page.inner_text("#search-status")
