"""Disappearances on the site: `/gone/`, the article notes, the plan, and a reader in Chromium.

The archive comes from real fetch runs: a feed served on 127.0.0.1 withdraws one item, and
the link checks find one article page answering 404 and one redirected to the home page.
"""

from __future__ import annotations

import logging
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
from pytest_httpserver import HTTPServer

from browserkit import axe, plain
from conftest import ROOT, LogCollector, archive_config, site_settings
from feed_archive.ingest import archive
from feed_archive.post.gone import SIDECAR_NAME, SOURCE_GONE, Disappearances
from feedmaker import rss

START = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)
LOCAL = ["127.0.0.0/8"]
NO_SEARCH = {"FEED_ARCHIVE_SEARCH": False}
PLAIN_BEFORE_PUNCT = re.compile(r"[ \u00a0][;:!?](?!//)")


def _item(n: int, base: str) -> dict[str, Any]:
    return {
        "title": f"Article numéro {n}",
        "link": f"{base}/article-{n}",
        "guid": f"urn:gone-site:{n}",
        "date": (START - timedelta(days=n)).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "html": f"<p>Texte de l'article {n}, qui parle de données.</p>",
    }


def _fetch(content: Path, server: HTTPServer, numbers: tuple[int, ...], when: datetime, **over):
    base = server.url_for("/").rstrip("/")
    server.clear()
    server.expect_request("/feed.xml").respond_with_data(
        rss([_item(n, base) for n in numbers]), content_type="application/rss+xml"
    )
    server.expect_request("/article-2").respond_with_data("", status=404)
    server.expect_request("/article-4").respond_with_data("", status=301, headers={"Location": "/"})
    server.expect_request(re.compile("/article-.*")).respond_with_data("ok")
    source = {"url": server.url_for("/feed.xml"), "name": "Le Fil"}
    over.setdefault("FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS", LOCAL)
    (report,) = archive.run(archive_config(content, source, **over), now=when)
    assert not report.failed, report.error
    return report


@pytest.fixture(scope="module")
def marked_content(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An archive of 5 items: #3 withdrawn, #2's page answers 404, #4's redirects home."""
    content = tmp_path_factory.mktemp("gone-site") / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        _fetch(content, server, (1, 2, 3, 4, 5), START)
        report = _fetch(
            content,
            server,
            (0, 1, 2, 4, 5),
            START + timedelta(hours=2),
            **{
                "FEED_ARCHIVE_LINK_CHECKS": 20,
            },
        )
        assert report.withdrawn == 1
    finally:
        server.stop()
    yield content


def _build(content: Path, output: Path, **overrides: Any) -> Any:
    """A real build; returns what the plugin did (pelican.feed_archive_build)."""
    from pelican import Pelican

    records = LogCollector()
    logging.getLogger().addHandler(records)
    try:
        pelican = Pelican(site_settings(content, output, **NO_SEARCH, **overrides))
        pelican.run()
    finally:
        logging.getLogger().removeHandler(records)
    errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
    assert not errors, errors
    return pelican.feed_archive_build


@pytest.fixture(scope="module")
def built(marked_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("gone-out") / "output"
    _build(marked_content, output)
    return output


def _article_page(output: Path, number: int) -> Path:
    for page in output.glob("20*/*/*/*/index.html"):
        if f"<h1>Article numéro {number}</h1>" in page.read_text(encoding="utf-8"):
            return page
    raise AssertionError(number)


def _url_of(output: Path, page: Path) -> str:
    return "/" + page.parent.relative_to(output).as_posix() + "/"


def test_gone_lists_every_marked_item_with_its_kind(built: Path) -> None:
    html = (built / "gone" / "index.html").read_text(encoding="utf-8")
    assert "<title>Disparitions — " in html and "<h1>Disparitions</h1>" in html
    withdrawn, sources = html.split('id="withdrawn"')[1].split('id="source-gone"')
    assert _url_of(built, _article_page(built, 3)) in withdrawn
    assert withdrawn.count("<li>") == 1
    assert sources.count("<li>") == 2
    assert _url_of(built, _article_page(built, 2)) in sources and "HTTP 404" in sources
    assert _url_of(built, _article_page(built, 4)) in sources
    assert "renvoie vers la page d’accueil du site" in sources
    for unmarked in (0, 1, 5):
        assert _url_of(built, _article_page(built, unmarked)) not in html
    assert 'datetime="2025-11-10T11:00+01:00"' in html, "the date the mark was first seen"


def test_the_article_page_shows_its_marks(built: Path) -> None:
    withdrawn = _article_page(built, 3).read_text(encoding="utf-8")
    assert "Retiré de son flux" in withdrawn
    assert "absent du flux depuis le" in withdrawn
    assert '<time datetime="2025-11-10T11:00+01:00">10 novembre 2025</time>' in withdrawn
    missing = _article_page(built, 2).read_text(encoding="utf-8")
    assert "Page d’origine disparue" in missing
    assert "le lien répond «\u202fintrouvable\u202f» (HTTP\u00a0404)" in missing or (
        "le lien répond «\u202fintrouvable\u202f» (HTTP 404)" in missing
    )
    assert "renvoie vers la page d’accueil du site" in _article_page(built, 4).read_text("utf-8")
    plain_page = _article_page(built, 1).read_text(encoding="utf-8")
    assert 'class="notice gone"' not in plain_page


def test_the_corrections_log_has_every_disappearance(built: Path) -> None:
    log = (built / "changes" / "index.html").read_text(encoding="utf-8")
    lines = {line for line in log.split("<li>") if line.startswith("<time")}
    withdrawn = _url_of(built, _article_page(built, 3)) + "#gone"
    assert any(withdrawn in line and "Retiré du flux" in line for line in lines), lines
    for number in (2, 4):
        url = _url_of(built, _article_page(built, number)) + "#gone"
        assert any(url in line and "Source disparue" in line for line in lines), lines
    assert len(lines) == 3
    feed = (built / "feeds" / "changes.atom.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 3 and "Retiré du flux" in feed


def test_every_string_of_the_pages_is_translated_to_french() -> None:
    from babel.messages.extract import extract_from_dir

    from feed_archive.build.i18n import translations

    names = ["gone.html", "partials/gone.html"]
    used = {
        message[2]
        for message in extract_from_dir(
            str(ROOT / "theme" / "templates"),
            method_map=[(name, "jinja2") for name in names],
            options_map={name: {"extensions": "jinja2.ext.i18n"} for name in names},
        )
    }
    assert len(used) >= 8
    french = translations(str(ROOT / "theme" / "translations"), "fr")
    missing = [m for m in used if french.gettext(m) == m]
    assert not missing, missing


def test_a_changed_sidecar_renders_only_the_affected_pages(
    marked_content: Path, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(marked_content, content)
    output, cache = tmp_path / "output", tmp_path / "cache"
    _build(content, output, CACHE_PATH=str(cache))
    sidecar = content / "archive" / SIDECAR_NAME
    gone = Disappearances.load(sidecar)
    (rel,) = [
        rel
        for rel, marks in gone.marked()
        if marks.get(SOURCE_GONE, None) and "404" in str(marks[SOURCE_GONE].status)
    ]
    assert gone.clear(rel, SOURCE_GONE, "2025-11-11 09:00:00+01:00")
    sidecar.write_text(gone.dumps(), encoding="utf-8")
    state = _build(content, output, CACHE_PATH=str(cache), FEED_ARCHIVE_PLAN_CHECK=True)
    page = _article_page(output, 2)
    affected = ["gone/index.html", page.relative_to(output).as_posix()]
    affected += ["changes/index.html", "feeds/changes.atom.xml"]  # the corrections log
    assert sorted(state.output.changed) == sorted(affected)
    assert "source revenue" in (output / "changes" / "index.html").read_text("utf-8").lower()
    assert "Page d’origine disparue" not in page.read_text(encoding="utf-8")
    # Marked again, built without the check: only those two pages are rendered at all.
    assert gone.mark(rel, SOURCE_GONE, "2025-11-12 09:00:00+01:00", 410)
    sidecar.write_text(gone.dumps(), encoding="utf-8")
    state = _build(content, output, CACHE_PATH=str(cache))
    rendered = state.output.rendered_pages - state.output.unplanned
    assert sorted(rendered) == sorted(affected)
    assert "(HTTP 410)" in page.read_text(encoding="utf-8")


@pytest.mark.browser
def test_a_reader_goes_from_home_to_gone_to_the_article(
    browser: Any, built: Path, serve_dir: Any
) -> None:
    site = serve_dir(built).rstrip("/")
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(site + "/")
        page.get_by_role("link", name="Disparitions").click()
        page.wait_for_url(site + "/gone/")
        assert page.locator("h1").inner_text() == "Disparitions"
        text = page.evaluate("document.body.innerText")
        wrong = [
            text[max(0, m.start() - 25) : m.end() + 3] for m in PLAIN_BEFORE_PUNCT.finditer(text)
        ]
        assert not wrong, wrong
        violations = axe(page)
        assert not violations, violations
        page.locator("#withdrawn").locator("xpath=..").get_by_role("link").first.click()
        page.wait_for_load_state()
        assert plain(page.locator("h1").inner_text()) == "article numero 3"
        note = page.get_by_role("note").filter(has_text="Retiré de son flux")
        assert "absent du flux depuis le 10 novembre 2025" in plain(note.inner_text())
        assert not axe(page)
    finally:
        context.close()


def test_a_reader_walks_home_changes_gone_and_reads_the_digests(
    browser: Any, built: Path, marked_content: Path, serve_dir: Any
) -> None:
    """Home → corrections log → disappearances → the withdrawn article and its file's digest."""
    from feed_archive.post.provenance import file_digest

    site = serve_dir(built).rstrip("/")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(site + "/")
        page.get_by_role("link", name="Journal des corrections").click()
        page.wait_for_url(site + "/changes/")
        entries = page.locator("main li").all_inner_texts()
        assert any("Article numéro 3" in entry for entry in entries), entries
        page.get_by_role("link", name="Disparitions").click()
        page.wait_for_url(site + "/gone/")
        page.locator("#withdrawn").locator("xpath=..").get_by_role("link").first.click()
        page.wait_for_selector("section.provenance")
        assert plain(page.locator("h1").inner_text()) == "article numero 3"
        shown = page.eval_on_selector_all(
            "section.provenance code.digest",
            "els => els.map(e => [e.textContent, e.dataset.sha256])",
        )
        (post,) = [
            path
            for path in (marked_content / "archive").rglob("*.md")
            if "Title: Article numéro 3\n" in path.read_text(encoding="utf-8")
        ]
        assert shown and shown[-1][1] == file_digest(post)
        assert shown[-1][1].startswith(shown[-1][0]) and len(shown[-1][0]) == 12
        line = plain(page.locator("section.provenance li").last.inner_text())
        assert "releve le" in line and "empreinte" in line, line
        page.go_back()
        page.wait_for_url(site + "/gone/")
        assert page.locator("h1").inner_text() == "Disparitions"
    finally:
        context.close()
