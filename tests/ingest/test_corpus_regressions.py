"""Small reproductions of what the feed corpus found, so CI covers them without ../shared."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import markdown
import pytest

import html_audit
from conftest import ROOT, archive_config, build_site


def _fetch(content: Path, feed: Path, name: str = "Regress") -> Any:
    from feed_archive.ingest import archive

    (report,) = archive.run(archive_config(content, {"url": str(feed), "name": name}))
    return report


def _rss(items: str) -> str:
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>R</title>'
    return f"{head}{items}</channel></rss>"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A feed with a control character in its text, a 400-character tag and nested code."""
    base = tmp_path_factory.mktemp("regress")
    keywords = ", ".join(f"keyword{n}" for n in range(60))
    items = _rss(
        "<item><title>Contrôle</title><guid>urn:r:1</guid>"
        "<pubDate>Mon, 06 Jan 2025 10:00:00 +0000</pubDate>"
        f"<category>{keywords}</category>"
        "<description><![CDATA[<p>l’o\x1fffre, page\x0cbreak</p>"
        "<ul><li><pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre></li></ul>"
        "<pre>```\n&lt;img src=x onerror=alert(2)&gt;\n```</pre>"
        "<p><code>a\n&lt;iframe src=//x&gt;&lt;/iframe&gt;</code></p>]]></description></item>"
    )
    feed = base / "feed.xml"
    feed.write_bytes(items.encode("utf-8"))
    content = base / "content"
    report = _fetch(content, feed)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger().addHandler(handler)
    try:
        output = build_site(content, base / "output")
    finally:
        logging.getLogger().removeHandler(handler)
    return {"report": report, "content": content, "output": output, "records": records}


def test_control_characters_and_long_tags_do_not_break_the_build(built: dict[str, Any]) -> None:
    """A \\x1f in the text (Atom feeds refuse it) and a 400-character tag: the site builds."""
    assert built["report"].counts["new"] == 1
    assert [r.getMessage() for r in built["records"]] == []
    (post,) = (built["content"] / "archive").rglob("*.md")
    text = post.read_text(encoding="utf-8")
    assert "\x1f" not in text and "\x0c" not in text and "l’offre" in text
    tags = next(line for line in text.splitlines() if line.startswith("Tags: "))
    assert 50 < len(tags) <= 106 and tags.startswith("Tags: keyword0 keyword1")
    assert list(built["output"].rglob("feeds/*.xml")) or list(built["output"].rglob("*.atom.xml"))


def test_code_blocks_cannot_carry_raw_html(built: dict[str, Any]) -> None:
    """Code in a list, code holding a fence, inline code over lines: all stay text."""
    from pelican.settings import read_settings

    (post,) = (built["content"] / "archive").rglob("*.md")
    body = post.read_text(encoding="utf-8").split("\n\n", 1)[1]
    rendered = markdown.Markdown(**read_settings(str(ROOT / "pelicanconf.py"))["MARKDOWN"])
    assert html_audit.audit(rendered.convert(body)) == []
    page = next(built["output"].rglob("2025/01/06/*/index.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_items_without_any_identity_field_stay_apart(tmp_path: Path) -> None:
    """RSS 0.92 style items with only a description are distinct posts (were merged into one)."""
    items = "".join(f"<item><description>Morceau {n}</description></item>" for n in range(5))
    feed = tmp_path / "feed.xml"
    feed.write_text(_rss(items), encoding="utf-8")
    report = _fetch(tmp_path / "content", feed)
    assert report.counts["new"] == 5 and report.counts["duplicate"] == 0


@pytest.mark.parametrize("codec", ["utf-16-be", "utf-16-le"])
def test_utf16_without_bom_or_declaration(tmp_path: Path, codec: str) -> None:
    """UTF-16 with neither BOM nor XML declaration is read (expat alone cannot)."""
    text = '<rss version="2.0"><channel><title>U</title><item><title>Élan</title>'
    text += "<guid>urn:u:1</guid></item></channel></rss>"
    feed = tmp_path / "feed.xml"
    feed.write_bytes(text.encode(codec))
    report = _fetch(tmp_path / "content", feed)
    assert report.error is None and report.counts["new"] == 1
    (post,) = (tmp_path / "content" / "archive").rglob("*.md")
    assert post.read_text(encoding="utf-8").startswith("Title: Élan\n")


def test_json_feed_with_a_bare_version_and_lone_surrogates(tmp_path: Path) -> None:
    """ "version": "1.1" is read as JSON Feed; a lone \\ud800 escape does not lose the item."""
    document = {
        "version": "1.1",
        "title": "J",
        "items": [{"id": "1", "title": "Un \ud800 titre", "content_html": "<p>x\ud800y</p>"}],
    }
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(document), encoding="utf-8")
    report = _fetch(tmp_path / "content", feed)
    assert report.error is None and report.counts == {**report.counts, "new": 1, "skipped": 0}


def test_xml_that_is_not_a_feed_says_so(tmp_path: Path) -> None:
    """Plain XML gets "no RSS, Atom or JSON Feed found", not the server's content type."""
    feed = tmp_path / "note.xml"
    feed.write_text('<?xml version="1.0"?><note><to>A</to></note>', encoding="utf-8")
    report = _fetch(tmp_path / "content", feed, name="Note")
    assert report.line() == "Note: FAILED: not a feed: no RSS, Atom or JSON Feed found"
