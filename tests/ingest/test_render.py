"""parse -> clean -> render: identity, dates, metadata and Markdown body, read back by Pelican."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, site_settings
from feed_archive import post as render
from feed_archive.ingest import clean, convert, parse
from feed_archive.settings import DEFAULTS, Source

PARIS = ZoneInfo("Europe/Paris")
MARKERS = tuple(re.compile(p, re.I) for p in DEFAULTS["FEED_ARCHIVE_PAYWALL_MARKERS"])
SOURCE = Source(name="Le Fil", url="x", slug="le-fil", tags=("presse",))
SEEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def rss(items: str, extra_ns: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" {extra_ns}><channel><title>F</title>'
        f"<link>https://ex.org/</link>{items}</channel></rss>"
    ).encode()


def one(items: str):
    (entry,) = parse.parse(rss(items)).entries
    return entry


def post_of(items: str):
    return convert.build_post(one(items), SOURCE, PARIS, MARKERS, SEEN)


def test_identity_guid_then_link_then_hash():
    assert one("<item><guid>g-1</guid><link>https://ex.org/a</link></item>").identity == "g-1"
    assert one("<item><link>https://ex.org/a</link></item>").identity == "https://ex.org/a"
    hashed = one("<item><title>T</title><pubDate>Fri, 31 Oct 2025 16:08:00 +0100</pubDate></item>")
    assert hashed.identity.startswith("urn:feed-archive:")
    other = one("<item><title>T</title><pubDate>Sat, 01 Nov 2025 16:08:00 +0100</pubDate></item>")
    assert other.identity != hashed.identity


def test_dates_published_then_updated_then_first_seen():
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b"<entry><id>1</id><title>t</title><updated>2025-06-01T10:00:00Z</updated></entry>"
        b"</feed>"
    )
    (entry,) = parse.parse(atom).entries
    post = convert.build_post(entry, SOURCE, PARIS, MARKERS, SEEN)
    assert post.date == "2025-06-01 12:00:00+02:00"
    dated = post_of("<item><guid>1</guid><pubDate>Fri, 31 Oct 2025 16:08:00 +0100</pubDate></item>")
    assert dated.date == "2025-10-31 16:08:00+01:00"
    undated = post_of("<item><guid>1</guid><title>x</title></item>")
    assert undated.date == "2026-01-02 04:04:05+01:00"
    bogus = post_of("<item><guid>1</guid><pubDate>le 31 du mois</pubDate></item>")
    assert bogus.date == undated.date


def test_other_time_zone_setting():
    entry = one("<item><guid>1</guid><pubDate>Fri, 31 Oct 2025 16:08:00 +0100</pubDate></item>")
    post = convert.build_post(entry, SOURCE, ZoneInfo("America/Montreal"), MARKERS, SEEN)
    assert post.date == "2025-10-31 11:08:00-04:00"


def test_tags_are_deduplicated_and_feed_tags_added():
    post = post_of(
        "<item><guid>1</guid><category>IA</category><category>ia</category>"
        "<category> Vie  privée </category><category>Presse</category></item>"
    )
    assert post.tags == ("IA", "Vie privée", "Presse")
    assert post.category == "Le Fil"


def test_title_html_authors_and_summary():
    post = post_of(
        "<item><guid>1</guid><title>Tom &amp;amp; &lt;b&gt;Jerry&lt;/b&gt;</title>"
        "<dc:creator>Doe, John</dc:creator><description>&lt;p&gt;Un &lt;em&gt;résumé&lt;/em&gt;"
        "&lt;/p&gt;</description></item>"
    )
    assert post.title == "Tom & Jerry"
    assert post.authors == ("Doe John",)
    assert post.summary == "Un résumé"
    text = render.render(post)
    assert "Title: Tom &amp; Jerry\n" in text
    assert "Authors: Doe John\n" in text


def test_body_keeps_structure_and_resolves_urls():
    post = post_of(
        "<item><guid>1</guid><link>https://ex.org/2025/a/</link><content:encoded><![CDATA["
        "<h2>Intertitre</h2><p>Un <strong>fort</strong> et <em>léger</em> "
        '<a href="../b/">lien</a>.</p><ul><li>un</li><li>deux</li></ul><ol><li>premier</li></ol>'
        '<blockquote><p>« Citation »</p></blockquote><figure><img src="/img/x.png" alt="Un chat">'
        "<figcaption>Légende</figcaption></figure><script>alert(1)</script>"
        '<iframe src="https://v.example/"></iframe><p style="color:red" onclick="x()">fin</p>'
        "]]></content:encoded></item>"
    )
    body = post.body
    assert "## Intertitre" in body
    assert "**fort**" in body and "*léger*" in body
    assert "[lien](https://ex.org/2025/b/)" in body
    assert "- un\n- deux" in body and "1. premier" in body
    assert "> « Citation »" in body
    assert "![Un chat](https://ex.org/img/x.png)" in body
    assert "alert" not in body and "iframe" not in body and "onclick" not in body
    assert body.endswith("fin")


def test_paywall_marker():
    teaser = (
        "<p>Début.</p><p>Il reste 79% de l'article à découvrir.</p><p>Vous devez être abonné•e "
        "pour lire la suite de cet article.</p>"
    )
    post = post_of(f"<item><guid>1</guid><description><![CDATA[{teaser}]]></description></item>")
    assert post.paywalled
    assert "Paywalled: true" in render.render(post)
    assert not post_of("<item><guid>2</guid><description>Libre.</description></item>").paywalled


def test_text_placeholders_and_markdown_syntax_stay_literal():
    html = "<p>{filename}/x |static| {{ jinja }} *pas* _em_ [a](b) # non</p><p>1. non</p>"
    markdown = clean.to_markdown(render.sanitize(html, "https://ex.org/"))
    import markdown as md

    out = md.markdown(markdown, extensions=["fenced_code", "tables"])
    assert out == (
        "<p>{filename}/x |static| {{ jinja }} *pas* _em_ [a](b) # non</p>\n<p>1. non</p>"
    )


def test_render_is_stable_and_ordered():
    post = post_of("<item><guid>1</guid><title>Titre</title><category>A</category></item>")
    text = render.render(post)
    assert text == render.render(post)
    keys = [line.split(":", 1)[0] for line in text.split("\n\n", 1)[0].split("\n")]
    assert keys == [k for k in render.KEYS if k in keys]
    assert keys[:2] == ["Title", "Date"]


def test_json_feed_items():
    data = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", '
        b'"home_page_url": "https://ex.org/", "items": [{"id": "1", "url": "/a", '
        b'"title": "Un", "content_html": "<p>Texte</p>", "date_published": '
        b'"2025-10-31T16:08:00+01:00", "tags": ["IA"], "authors": [{"name": "A"}]}, '
        b'{"id": 2, "content_text": "Sans titre"}]}'
    )
    feed = parse.parse(data)
    first, second = feed.entries
    assert first.link == "https://ex.org/a"
    assert first.published.isoformat() == "2025-10-31T16:08:00+01:00"
    assert second.identity == "2"
    with pytest.raises(parse.ParseError, match="JSON Feed"):
        parse.parse(b'{"hello": 1}')


@pytest.mark.parametrize("data", [b"", b"   ", b"<html><body>x</body></html>", b"\x00\x01"])
def test_not_a_feed(data):
    with pytest.raises(parse.ParseError):
        parse.parse(data, "text/html")


def test_pelican_reads_back_the_metadata(tmp_path):
    from pelican.readers import MarkdownReader

    post = post_of(
        "<item><guid>https://ex.org/?p=1</guid><link>https://ex.org/a</link>"
        "<title>Données : « test » &amp; co</title><category>IA</category>"
        "<dc:creator>Anne</dc:creator><pubDate>Fri, 31 Oct 2025 16:08:00 +0100</pubDate>"
        "<description>Il reste 79% de l'article à découvrir</description></item>"
    )
    path = tmp_path / "post.md"
    path.write_text(render.render(post), encoding="utf-8")
    settings = site_settings(tmp_path, tmp_path / "out", THEME=str(ROOT / "theme"))
    content, meta = MarkdownReader(settings).read(str(path))
    assert meta["title"] == "Données : « test » &amp; co"
    assert meta["date"].isoformat() == "2025-10-31T16:08:00+01:00"
    assert [t.name for t in meta["tags"]] == ["IA", "presse"]
    assert [a.name for a in meta["authors"]] == ["Anne"]
    assert meta["source"] == "https://ex.org/a"
    assert meta["guid"] == "https://ex.org/?p=1"
    assert meta["feed"] == "Le Fil"
    assert meta["paywalled"] == "true"
    assert meta["slug"] == post.slug
    assert "modified" not in meta
