"""The search page's words (issue 15): the paywalled filter on every article page."""

from __future__ import annotations

import re
from pathlib import Path

import search_corpus as corpus
from conftest import build_site


def test_every_article_page_says_paywalled_oui_or_non(tmp_path: Path) -> None:
    content = tmp_path / "content"
    posts = corpus.write_corpus(content)
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    for post in posts:
        (page,) = output.glob(f"{post.day[:4]}/{post.day[5:7]}/*/{post.slug}/index.html")
        found = re.findall(r'data-pagefind-filter="paywalled:(\w+)"', page.read_text("utf-8"))
        assert found == ["oui" if post.paywalled else "non"], (post.slug, found)
