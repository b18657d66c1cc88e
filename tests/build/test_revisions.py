"""Revision history: versions kept by store.py, word diffs, and the article page that shows them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SAMPLE_1, SAMPLE_2, fetch_into
from feed_archive.build import revisions
from feed_archive.build.revisions import Version, compare, diff_tokens, history, tokens


def _version(number: int, title: str, *blocks: str) -> Version:
    return Version(number=number, date=None, title=title, blocks=tuple(blocks))


def _post_of(content: Path, guid_suffix: str) -> Path:
    for path in (content / "archive").rglob("*.md"):
        if f"Guid: https://fil-numerique.example/?p={guid_suffix}\n" in path.read_text("utf-8"):
            return path
    raise AssertionError(f"no post for ?p={guid_suffix}")


def test_word_diff_marks_added_and_removed_words() -> None:
    old = _version(1, "Un titre", "Le chat dort sur le canapé.", "Fin.")
    new = _version(2, "[MàJ] Un titre", "Le chien dort sur le tapis.", "Fin.")
    change = compare(old, new)
    assert change.title_changed
    assert change.title_html == "<ins>[MàJ]</ins> Un titre"
    assert "<del>chat</del>" in change.body_html
    assert "<ins>chien</ins>" in change.body_html
    assert "<del>canapé.</del>" in change.body_html and "<ins>tapis.</ins>" in change.body_html
    assert (change.added, change.removed) == (3, 2)
    # The unchanged paragraph is summed up as "…", the changed one is kept whole.
    assert change.body_html.startswith("<p>Le <del>chat</del>")
    assert change.body_html.endswith("<p>…</p>")


def test_diff_escapes_feed_text() -> None:
    old = _version(1, "<b>t</b>", "a")
    new = _version(2, "<b>t</b> & co", "a <script>alert(1)</script> <ins>x</ins>")
    change = compare(old, new)
    assert "<script" not in change.body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in change.body_html
    assert "&lt;ins&gt;x&lt;/ins&gt;" in change.body_html
    assert "&lt;b&gt;t&lt;/b&gt; <ins>&amp; co</ins>" == change.title_html


def test_paragraph_tokens_and_identical_versions() -> None:
    assert tokens(["a b", "c"]) == ["a", "b", revisions.PARAGRAPH, "c"]
    parts, added, removed = diff_tokens(["a", "b"], ["a", "b"])
    assert (added, removed) == (0, 0) and all(kind == "" for kind, _ in parts)


def test_text_blocks_reads_markdown_as_text() -> None:
    body = "Un **gras** et un [lien](https://x.example/).\n\n- un\n- deux\n\n## Titre"
    assert revisions.text_blocks(body) == ("Un gras et un lien.", "un", "deux", "Titre")


def test_history_of_an_updated_sample_post(tmp_path: Path) -> None:
    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    post = _post_of(content, "10442")
    assert history(post) is None
    fetch_into(content, SAMPLE_2)
    found = history(post)
    assert found is not None and found.count == 2
    first, last = found.versions
    assert first.title.startswith("Rançongiciels") and last.title.startswith("[MàJ]")
    assert first.date is not None and first.date.isoformat() == "2025-11-03T09:00:00+01:00"
    # the sample feed gives no update date: the update has only the time the archive saw it
    assert last.date is None and last.seen is not None and last.seen > first.date
    assert first.date_text == "3 novembre 2025 à 09:00"
    (change,) = found.changes
    assert change.title_html.startswith("<ins>[MàJ]</ins>")
    assert re.search(r"<ins>Mise à jour du 6 novembre :[^<]*</ins>", change.body_html)
    assert "<del>" not in change.body_html


def test_refetch_without_change_adds_no_version(tmp_path: Path) -> None:
    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    assert fetch_into(content, SAMPLE_1).counts["updated"] == 0
    assert not list(content.rglob("*.versions"))
    fetch_into(content, SAMPLE_2)
    (folder,) = content.rglob("*.versions")
    assert sorted(p.name for p in folder.iterdir()) == ["001.md.txt"]
    post = _post_of(content, "10442")
    before = post.read_bytes()
    report = fetch_into(content, SAMPLE_2)
    assert report.counts["updated"] == 0 and report.counts["new"] == 0
    assert sorted(p.name for p in folder.iterdir()) == ["001.md.txt"]
    assert post.read_bytes() == before
    # the kept version is the full previous file, readable as text
    kept = (folder / "001.md.txt").read_text("utf-8")
    assert kept.startswith("Title: Rançongiciels") and "Modified:" not in kept


def test_three_versions_are_listed_in_order(tmp_path: Path) -> None:
    post = tmp_path / "a-post-0123456789ab.md"
    folder = tmp_path / "a-post-0123456789ab.versions"
    folder.mkdir()
    header = "Title: {t}\nDate: 2025-01-01 10:00:00+01:00\n{m}Feed: F\n\n{b}\n"
    (folder / "001.md.txt").write_text(header.format(t="Un", m="", b="alpha"), "utf-8")
    modified = "Modified: 2025-01-02 11:00:00+01:00\n"
    (folder / "002.md.txt").write_text(header.format(t="Deux", m=modified, b="beta"), "utf-8")
    (folder / "010.md.txt").write_text(
        header.format(t="Trois", m=modified.replace("02 11", "03 12"), b="gamma"), "utf-8"
    )
    (folder / "notes.txt").write_text("ignored", "utf-8")
    post.write_text(
        header.format(t="Quatre", m=modified.replace("02 11", "04 13"), b="delta"), "utf-8"
    )
    found = history(post, lang="en")
    assert found is not None
    assert [v.title for v in found.versions] == ["Un", "Deux", "Trois", "Quatre"]
    assert [c.new for c in found.changes] == [2, 3, 4]
    assert found.versions[-1].date_text.replace("\u202f", " ") == "January 4, 2025 at 1:00 PM"


@pytest.fixture(scope="module")
def updated_page(sample_site: Path) -> Path:
    (page,) = sample_site.glob("2025/11/03/rancongiciels-*/index.html")
    return page


def test_built_article_shows_the_revision(updated_page: Path) -> None:
    page = updated_page.read_text("utf-8")
    assert 'class="revisions"' in page
    assert "Historique\u202f: 2 versions</summary>" in page
    assert page.index('class="text"') < page.index('class="revisions"'), "history after the text"
    assert re.search(r"Version 2</span> — relevée le <time datetime=\"[^\"]+\">", page)
    assert "<ins>[MàJ]</ins> Rançongiciels" in page
    assert re.search("<ins>Mise à jour du 6 novembre\u202f:", page)
    assert "Version 1 → 2" in page


def test_unchanged_article_has_no_revision_block(sample_site: Path) -> None:
    pages = [p for p in sample_site.glob("2025/1*/*/*/index.html") if "rancongiciels" not in str(p)]
    assert pages
    for page in pages:
        assert 'class="revisions"' not in page.read_text("utf-8")


@pytest.mark.browser
def test_revision_view_in_a_browser(browser, sample_site: Path, updated_page: Path, serve_dir):
    base = serve_dir(sample_site)
    url = base + updated_page.parent.relative_to(sample_site).as_posix() + "/"
    for javascript in (True, False):
        context = browser.new_context(java_script_enabled=javascript, locale="fr-FR")
        page = context.new_page()
        page.goto(url)
        summary = page.locator("details.revisions > summary")
        assert summary.inner_text() == "Historique\u202f: 2 versions"
        added = page.locator(".revision-body-diff ins").first
        assert not added.is_visible()
        summary.click()
        assert added.is_visible()
        assert added.inner_text().startswith("Mise à jour du 6 novembre")
        assert page.locator(".revision-title-diff ins").inner_text() == "[MàJ]"
        assert page.locator(".revisions-list li").count() == 2
        context.close()


def test_a_change_outside_the_text_is_said(tmp_path: Path) -> None:
    from conftest import build_site

    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    post = _post_of(content, "10442")
    text = post.read_text("utf-8")
    folder = post.with_name(post.stem + ".versions")
    folder.mkdir()
    (folder / "001.md.txt").write_text(text.replace("Sécurité", "Securite"), "utf-8")
    post.write_text(text.replace("Tags:", "Modified: 2025-11-04 10:00:00+01:00\nTags:"), "utf-8")
    output = build_site(content, tmp_path / "output")
    (page,) = output.glob("2025/11/03/rancongiciels-*/index.html")
    html = page.read_text("utf-8")
    assert "Historique\u202f: 2 versions" in html
    assert "Aucun changement dans le texte" in html
    assert 'class="revision-body-diff"' not in html


def test_diff_parts_rebuild_both_versions() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.lists(st.sampled_from(["a", "b", "c", "<d>", "&", revisions.PARAGRAPH]), max_size=30)

    @settings(max_examples=200, deadline=None)
    @given(words, words)
    def check(old: list[str], new: list[str]) -> None:
        parts, added, removed = diff_tokens(old, new)
        assert [t for kind, t in parts if kind != "ins"] == old
        assert [t for kind, t in parts if kind != "del"] == new
        assert added == sum(1 for k, t in parts if k == "ins" and t != revisions.PARAGRAPH)
        assert removed == sum(1 for k, t in parts if k == "del" and t != revisions.PARAGRAPH)
        html = revisions._render_tokens(revisions._changed_paragraphs(parts), paragraphs=True)
        assert "<d>" not in html
        if any(t == "<d>" for kind, t in parts if kind):
            assert "&lt;d&gt;" in html

    check()


def test_english_strings(tmp_path: Path) -> None:
    from conftest import build_site

    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    output = build_site(content, tmp_path / "output", DEFAULT_LANG="en")
    (page,) = output.glob("2025/11/03/rancongiciels-*/index.html")
    html = page.read_text("utf-8")
    assert "History: 2 versions</summary>" in html
    assert re.search(
        r"Version 2</span> — seen on <time[^>]*>[A-Z][a-z]+, [A-Z][a-z]+ \d+, 20\d\d", html
    )
    assert "(shown)" in html and " words added" in html and "word(s)" not in html
    assert "Mis à jour le" not in html and "relevée" not in html
