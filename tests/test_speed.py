"""speed.quick_typography: typogrify gives the same HTML with smartypants' helpers guarded."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import smartypants
from hypothesis import given, settings
from hypothesis import strategies as st
from typogrify.filters import typogrify

from conftest import ROOT, SAMPLE_1, SAMPLE_2, fetch_into, site_settings
from feed_archive.build import speed

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth


def _plain_typogrify(html: str) -> str:
    """typogrify with smartypants' own helpers."""
    guarded = {name: getattr(smartypants, name) for name in speed.SMARTY_ORIGINALS}
    try:
        for name, function in speed.SMARTY_ORIGINALS.items():
            setattr(smartypants, name, function)
        return typogrify(html)
    finally:
        for name, function in guarded.items():
            setattr(smartypants, name, function)


@pytest.fixture(autouse=True, scope="module")
def guarded() -> None:
    speed.quick_typography()
    assert all(hasattr(getattr(smartypants, n), "__wrapped__") for n in speed.SMARTY_ORIGINALS)


def _bodies(content: Path, tmp_path: Path) -> list[str]:
    from feed_archive.build.reader import ArchiveMarkdownReader

    reader = ArchiveMarkdownReader(site_settings(content, tmp_path / "output"))
    posts = sorted((content / "archive").rglob("*.md"))
    read = [reader.read(str(post)) for post in posts]
    return [html for html, _ in read] + [str(meta.get("title", "")) for _, meta in read]


def test_same_html_for_the_sample_and_synthetic_posts(tmp_path: Path) -> None:
    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    synth.write_archive(content, 120, total=10_000, seed=3)
    texts = _bodies(content, tmp_path)
    assert len(texts) > 300
    changed = 0
    for html in texts:
        expected = _plain_typogrify(html)
        assert typogrify(html) == expected
        changed += expected != html
    assert changed > 100, "the texts do get typography"


#: Text made of the characters smartypants reacts to, tags and French words.
PIECES = st.sampled_from(
    ["'", '"', "`", "``", "''", "-", "--", "---", ".", "...", ". . .", "\\", "\\'", '\\"',
     "&quot;", "&amp;", "&#8212;", "&nbsp;", " ", "\n", "l", "été", "80s", "«", "»", "<p>",
     "</p>", "<em>", "</em>", '<a href="x-y.html">', "</a>", "<pre>", "</pre>", "<code>",
     "</code>", "NASA", "&", "9"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_same_html_for_any_mix_of_quotes_dashes_and_tags(html: str) -> None:
    assert typogrify(html) == _plain_typogrify(html)


def test_a_parallel_clean_build_leaves_hashing_and_sanitizing_to_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' file stamps and sanitized HTML are reused: the main process does not read
    or sanitize each post again."""
    import os

    import pelican.cache

    from conftest import build_site

    main, counted = os.getpid(), []
    original = pelican.cache.FileStampDataCacher.__init__

    def init(self, *args, **kwargs) -> None:
        original(self, *args, **kwargs)
        stamp = self._filestamp_func

        def counting(name: str):
            if os.getpid() == main:
                counted.append(name)
            return stamp(name)

        self._filestamp_func = counting

    monkeypatch.setattr(pelican.cache.FileStampDataCacher, "__init__", init)
    from feed_archive.build import hooks

    sanitizer, sanitized = hooks.safe_html, []

    def counting_sanitizer(html: str, source: str | None) -> str:
        if os.getpid() == main:
            sanitized.append(source)
        return sanitizer(html, source)

    monkeypatch.setattr(hooks, "safe_html", counting_sanitizer)
    content = tmp_path / "content"
    synth.write_archive(content, 40, total=40)
    output = build_site(
        content,
        tmp_path / "output",
        FEED_ARCHIVE_PARALLEL_MIN=1,
        FEED_ARCHIVE_BUILD_WORKERS=2,
        FEED_ARCHIVE_SEARCH=False,
    )
    assert len(list(output.glob("20*/*/*/*/index.html"))) == 40
    assert not [name for name in counted if name.endswith(".md")]
    assert sanitized == [], "the last sanitizer pass ran in the workers"
    synth.write_archive(content, 1, start=40, total=40)
    build_site(content, tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    assert len([n for n in counted if n.endswith(".md")]) >= 40, "cached posts are checked"
