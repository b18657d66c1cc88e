"""The search page's words (issue 15): French typography of its strings, agreement of the
filter labels by gettext context, English unchanged, and the paywalled filter on every page."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

import search_corpus as corpus
from conftest import ROOT, build_site

CATALOG = ROOT / "theme" / "translations" / "fr" / "LC_MESSAGES" / "search.po"
NNBSP = "\u202f"


def test_french_strings_have_narrow_spaces_before_punctuation_and_inside_quotes() -> None:
    with CATALOG.open("rb") as handle:
        strings = [m.string for m in read_po(handle) if m.id and m.string]
    assert len(strings) > 15
    for text in strings:
        assert not re.search(r"[ \u00a0][;:!?»]|«[ \u00a0]", text), text
        assert not re.search(rf"[^{NNBSP}][;:!?»]|«[^{NNBSP}]", text), text


def test_all_agrees_with_each_filter_in_french_and_stays_all_in_english() -> None:
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    agreed = {key: catalog.get("All", context=key).string for key in corpus.FILTERS}
    assert agreed == {
        "tag": "Tous",
        "source": "Toutes",
        "year": "Toutes",
        "kind": "Tous",
        "paywalled": "Tous",
        "updated": "Tous",
    }


def _first_options(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<select id="search-(\w+)" name="\w+" data-filter="\w+"><option value="">([^<]+)<',
            html,
        )
    )


def test_search_page_labels_in_french_and_english(tmp_path: Path) -> None:
    content = tmp_path / "content"
    corpus.write_corpus(content)
    french = build_site(content, tmp_path / "fr", FEED_ARCHIVE_SEARCH=False)
    english = build_site(content, tmp_path / "en", FEED_ARCHIVE_SEARCH=False, DEFAULT_LANG="en")
    page = (french / "search" / "index.html").read_text(encoding="utf-8")
    assert _first_options(page) == {
        "tag": "Tous",
        "source": "Toutes",
        "year": "Toutes",
        "kind": "Tous",
        "paywalled": "Tous",
        "updated": "Tous",
    }
    page = (english / "search" / "index.html").read_text(encoding="utf-8")
    assert set(_first_options(page).values()) == {"All"} and len(_first_options(page)) == 6


def test_every_article_page_says_paywalled_oui_or_non(tmp_path: Path) -> None:
    content = tmp_path / "content"
    posts = corpus.write_corpus(content)
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    for post in posts:
        (page,) = output.glob(f"{post.day[:4]}/{post.day[5:7]}/*/{post.slug}/index.html")
        found = re.findall(r'data-pagefind-filter="paywalled:(\w+)"', page.read_text("utf-8"))
        assert found == ["oui" if post.paywalled else "non"], (post.slug, found)
