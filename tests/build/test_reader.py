"""The cmark-gfm reader of archived posts gives what Pelican's Python-Markdown reader gives.

Each post is read by both readers; metadata must be equal, and the HTML must show the same
text, the same line breaks, the same link targets and image sources, with no raw HTML.
The normalizations below are spelling only, except one documented difference (BACKSLASH_BREAK).
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import CORPUS, ROOT, SAMPLE_1, SAMPLE_2, LogCollector, fetch_into, site_settings

sys.path.insert(0, str(ROOT / "benchmarks"))

#: Tags cmark writes for Markdown (CommonMark + GFM tables); anything else would be raw HTML.
MARKDOWN_TAGS = {
    "p", "a", "img", "em", "strong", "code", "pre", "br", "hr", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
#: Characters cmark leaves as they are in a URL (cmark's houdini_escape_href); others are %XX.
HREF_SAFE = "-_.+!*'(),%#@?=;:/&$~"
#: LIST_MARKERS, a real difference in structure (counted in Comparison.list_structure and
#: reported): markdownify indents a list item's next paragraphs and nested lists by the marker's
#: width (2 or 3 spaces, CommonMark's rule) and puts no blank line before a list; Python-Markdown
#: wants 4 spaces and a blank line, so it ends the list early or makes no list, and shows the
#: next markers ("- ", "3. ") as text. The words are the same; markers ("- " written for every
#: <li>, or shown as text) are left out of the text comparison.
LIST_MARKER = re.compile(r"-|\d+\.")


@dataclass
class Facts:
    """What a reader sees in a post's HTML: text, line breaks, URLs, tags."""

    text: list[str] = field(default_factory=list)
    breaks: int = 0
    links: list[str] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    comments: list[str] = field(default_factory=list)
    backslash_breaks: int = 0
    items: int = 0

    @property
    def visible(self) -> str:
        """The text, whitespace-normalized, without list markers (LIST_MARKERS)."""
        return " ".join(w for w in "".join(self.text).split() if not LIST_MARKER.fullmatch(w))


def href(url: str) -> str:
    """A URL spelled as cmark spells it (it percent-encodes in UTF-8 what Python-Markdown keeps)."""
    return quote(url, safe=HREF_SAFE)


class _Collector(HTMLParser):
    def __init__(self, backslash_breaks: bool) -> None:
        super().__init__(convert_charrefs=True)  # entity spelling (&quot; vs ") does not count
        self.facts = Facts()
        self.code = 0
        self.backslash_breaks = backslash_breaks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.facts.tags.add(tag)
        if tag in ("pre", "code"):
            self.code += 1
        elif tag == "br":  # `<br>` (Python-Markdown, raw) and `<br />` (cmark) are one break
            self.facts.breaks += 1
            self.facts.text.append("\n")
        elif tag == "li":
            self.facts.items += 1
            self.facts.text.append(" - ")
        elif tag == "a":
            self.facts.links.append(href(values.get("href") or ""))
        elif tag == "img":
            self.facts.images.append((href(values.get("src") or ""), values.get("alt") or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("pre", "code"):
            self.code -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("pre", "code"):
            self.code -= 1
        elif tag in ("p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"):
            self.facts.text.append(" ")  # block ends separate words in both engines

    def handle_data(self, data: str) -> None:
        if self.backslash_breaks and not self.code and "\\\n" in data:
            # BACKSLASH_BREAK, a real difference (reported, not an equivalence): markdownify
            # writes a `<br>` as `\` + newline (clean.py, newline_style="BACKSLASH"). CommonMark
            # reads that as a hard line break; Python-Markdown does not know it and shows the
            # backslash. We count each one as the line break it was meant to be.
            self.facts.backslash_breaks += data.count("\\\n")
            self.facts.breaks += data.count("\\\n")
            data = data.replace("\\\n", "\n")
        self.facts.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.facts.comments.append(data)


def facts(content: str, backslash_breaks: bool = False) -> Facts:
    """Facts of one HTML fragment."""
    collector = _Collector(backslash_breaks)
    collector.feed(content)
    collector.close()
    return collector.facts


@dataclass
class Comparison:
    """What comparing the two readers over some posts found."""

    posts: int = 0
    backslash_breaks: int = 0
    raw_omitted: int = 0
    list_structure: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def compare(paths: list[Path], settings: dict[str, Any]) -> Comparison:
    """Read every file with both readers and list where they differ."""
    from pelican.readers import MarkdownReader

    from feed_archive.build.reader import ArchiveMarkdownReader

    python_markdown, cmark = MarkdownReader(settings), ArchiveMarkdownReader(settings)
    found = Comparison()
    fallbacks = LogCollector()
    logger = logging.getLogger("feed_archive.build.reader")
    logger.addHandler(fallbacks)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        _compare_into(found, paths, python_markdown, cmark)
    finally:
        logger.removeHandler(fallbacks)
        logger.setLevel(level)
    found.fallbacks = [r.args[0] for r in fallbacks.records if "Python-Markdown" in r.msg]
    return found


def _compare_into(found: Comparison, paths: list[Path], python_markdown: Any, cmark: Any) -> None:
    for path in paths:
        assert cmark.is_archived(str(path)), path
        old_html, old_meta = finished(python_markdown.read(str(path)), cmark)
        new_html, new_meta = cmark.read(str(path))
        new_meta = without_locations(new_meta)
        found.posts += 1
        # backslash breaks on both sides: a post cmark cannot read (emphasis) is Python-Markdown's
        old, new = facts(old_html, backslash_breaks=True), facts(new_html, backslash_breaks=True)
        found.backslash_breaks += old.backslash_breaks
        found.raw_omitted += sum("raw HTML omitted" in c for c in new.comments)
        if old.items != new.items:
            found.list_structure.append(str(path))
        checks = {
            "metadata": (_strict(old_meta), _strict(new_meta)),
            "text": (old.visible, new.visible),
            "line breaks": (old.breaks, new.breaks),
            "links": (old.links, new.links),
            "images": (old.images, new.images),
            "tags cmark writes": (set(), new.tags - MARKDOWN_TAGS),
            "raw HTML": (False, "<script" in new_html.lower() or bool(new.comments)),
        }
        for name, (want, got) in checks.items():
            if want != got:
                found.problems.append(f"{path}: {name}: {_diff(want, got)}")


def without_locations(metadata: dict[str, Any]) -> dict[str, Any]:
    """Our reader's metadata without the `url` and `save_as` it adds (test_locations.py proves
    them equal to Pelican's own); every other key must be Python-Markdown's."""
    assert {"url", "save_as"} <= set(metadata), "the reader gives archived posts their place"
    return {k: v for k, v in metadata.items() if k not in ("url", "save_as")}


def finished(read: tuple[str, dict[str, Any]], reader: Any) -> tuple[str, dict[str, Any]]:
    """Python-Markdown's reading finished as our reader finishes its own (typography, sanitizer).

    Both readers' HTML then go through the same last steps; what is compared is what each
    engine makes of the Markdown.
    """
    from feed_archive.build.reader import finish

    html, metadata = read
    metadata = dict(metadata)
    for key in ("title", "summary"):
        if isinstance(metadata.get(key), str):
            metadata[key] = reader.typography(metadata[key])
    source = metadata.get("source") if isinstance(metadata.get("source"), str) else None
    return finish(html, source, reader.typography), metadata


def _strict(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata with each value's type and repr (a date's tzinfo class counts, not only ==)."""
    return {
        k: (v, type(v), repr(v), getattr(v, "tzinfo", None).__class__) for k, v in metadata.items()
    }


def _diff(want: Any, got: Any) -> str:
    if isinstance(want, str) and isinstance(got, str):
        at = next(
            (i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b),
            min(len(want), len(got)),
        )
        return f"Python-Markdown …{want[at - 40 : at + 60]!r} / cmark …{got[at - 40 : at + 60]!r}"
    return f"Python-Markdown {want!r} / cmark {got!r}"


def _settings(content: Path, tmp: Path) -> dict[str, Any]:
    return site_settings(content, tmp / "output")


# --- the engine itself -----------------------------------------------------------------------


def test_cmark_is_safe_and_plain() -> None:
    """No raw HTML, no javascript: URL, no autolinked bare URL, no smart quotes, tables on."""
    from feed_archive.build.markdown import cmark_html

    out = cmark_html(
        'a <script>x()</script> <img src=x onerror="y()"> [j](javascript:alert(1))\n\n'
        'http://bare.example/ "quoted" -- ...\n\n| a |\n| --- |\n| 1 |\n'
    )
    assert "<script" not in out and "onerror" not in out
    assert 'href=""' in out and "javascript" not in out
    assert "<a href=" not in out.replace('<a href="">', "")
    assert "&quot;quoted&quot; -- ..." in out
    assert "<table>" in out and "<td>1</td>" in out


def test_cmark_frees_and_repeats() -> None:
    """Many conversions give the same answer each time (the engine frees and reuses cleanly)."""
    from feed_archive.build.markdown import cmark_html

    text = "# T\n\n" + "Un *mot* et [un lien](https://e.example/é).\n\n" * 200
    first = cmark_html(text)
    assert all(cmark_html(text) == first for _ in range(300))
    assert first.count("<em>mot</em>") == 200 and "https://e.example/%C3%A9" in first


@pytest.mark.parametrize(
    "value",
    [
        "2025-10-31 16:08:00+01:00",
        "2025-07-01 00:00:59+02:00",
        "1999-12-31 23:59:59-05:30",
        "2024-02-29 12:00:00+14:00",
        "2025-10-31 16:08:00+00:00",  # zero offset: Pelican's own answer (tzlocal or tzutc)
        "2025-02-30 16:08:00+01:00",  # not a date: Pelican's own error
        "2025-10-31T16:08:00+01:00",
        "2025-10-31 16:08+01:00",
    ],
)
def test_dates_as_pelican_reads_them(value: str, tmp_path: Path) -> None:
    """Our fast date reading gives Pelican's value (type, tzinfo) or defers to Pelican."""
    from pelican.utils import get_date

    from feed_archive.build.reader import ArchiveMarkdownReader

    (tmp_path / "content").mkdir()
    reader = ArchiveMarkdownReader(_settings(tmp_path / "content", tmp_path))
    try:
        want = get_date(value)
    except ValueError:
        with pytest.raises(ValueError):
            reader.process_metadata("date", value)
        return
    for name in ("date", "modified"):
        got = reader.process_metadata(name, value)
        assert (got, type(got), repr(got)) == (want, type(want), repr(want))


def test_line_breaks_outside_fences_only() -> None:
    """A `<br>` ending a line becomes a hard break, except in fenced code and on the last line."""
    from feed_archive.build.markdown import cmark_html, line_breaks

    body = "- a<br>\n  b<br>\n  c\n\n```\nx<br>\ny\n```\n\n> q<br>\n> r\n\nend<br>"
    out = line_breaks(body)
    assert out == "- a\\\n  b\\\n  c\n\n```\nx<br>\ny\n```\n\n> q\\\n> r\n\nend<br>"
    rendered = cmark_html(out)
    assert rendered.count("<br />") == 3 and "x&lt;br&gt;\ny" in rendered


def test_backslash_break_is_the_one_known_difference(tmp_path: Path) -> None:
    """BACKSLASH_BREAK pinned: Python-Markdown shows `\\`, cmark gives the line break meant."""
    from pelican.readers import MarkdownReader

    from feed_archive.build.reader import ArchiveMarkdownReader
    from feed_archive.ingest import clean
    from feed_archive.post import sanitize

    body = clean.to_markdown(sanitize("<p>ligne un<br>ligne deux</p>"))
    assert body == "ligne un\\\nligne deux"
    post = tmp_path / "content" / "archive" / "f" / "p.md"
    post.parent.mkdir(parents=True)
    post.write_text(f"Title: T\nDate: 2025-01-01 10:00:00+01:00\n\n{body}\n", encoding="utf-8")
    settings = _settings(tmp_path / "content", tmp_path)
    old = MarkdownReader(settings).read(str(post))[0]
    new = ArchiveMarkdownReader(settings).read(str(post))[0]
    assert old == "<p>ligne un\\\nligne deux</p>"
    assert re.fullmatch(r"<p>ligne un<br ?/?>\nligne deux</p>", new), new
    assert facts(old, backslash_breaks=True).visible == facts(new).visible == "ligne un ligne deux"


# --- installation ----------------------------------------------------------------------------


def _post(content: Path, body: str, slug: str = "p") -> Path:
    """An archived post with `body` under `content`."""
    post = content / "archive" / "f" / f"{slug}.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    header = f"Title: T\nDate: 2025-01-01 10:00:00+01:00\nSlug: {slug}\nFeed: f\n\n"
    post.write_text(f"{header}{body}\n", encoding="utf-8")
    return post


def test_plugin_installs_the_reader_for_archive_only(tmp_path: Path) -> None:
    """With the plugin, Pelican's Readers read Markdown with our reader; pages keep the old one."""
    from pelican import Pelican
    from pelican.readers import Readers

    from feed_archive.build.reader import ArchiveMarkdownReader

    content = tmp_path / "content"
    page = content / "pages" / "about.md"
    page.parent.mkdir(parents=True)
    page.write_text("Title: About\n\nUne *page* ligne\\\nsuite\n", encoding="utf-8")
    post = _post(content, "ligne un\\\nligne deux")
    settings = _settings(content, tmp_path)
    Pelican(settings)  # loads the plugin: register() connects readers_init
    readers = Readers(settings)
    for ext in ("md", "markdown", "mkd", "mdown"):
        assert type(readers.readers[ext]) is ArchiveMarkdownReader, ext
    reader = readers.readers["md"]
    assert reader.is_archived(str(post)) and not reader.is_archived(str(page))
    assert not reader.is_archived(str(tmp_path / "content" / "archive-old" / "x.md"))
    article = readers.read_file(str(content), str(post.relative_to(content)))
    assert article.metadata["reader"] == "archivemarkdown"  # Pelican names it after the class
    assert re.search("ligne un<br ?/?>", article.content) and "\\" not in article.content
    page_html = readers.read_file(str(content), str(page.relative_to(content))).content
    assert "<em>page</em> ligne\\" in page_html  # Python-Markdown: the backslash stays


def test_placeholders_stay_as_written(tmp_path: Path) -> None:
    """A preserved image's `{static}/…` src (and a hand-made `|filename|` link) is left for
    Pelican to resolve, exactly as Python-Markdown leaves it; a feed's encoded braces are not."""
    from pelican.readers import MarkdownReader

    from feed_archive.build.reader import ArchiveMarkdownReader

    image = "images/archive/ab/" + "a" * 64 + ".png"
    body = (
        f'![Un graphique]({{static}}/{image} "https://e.example/a.png")\n\n'
        "[voir](|filename|autre.md) [url](https://e.example/%7Bstatic%7D/x)"
    )
    post = _post(tmp_path / "content", body)
    settings = _settings(tmp_path / "content", tmp_path)
    ours, _ = ArchiveMarkdownReader(settings).read(str(post))
    theirs, _ = MarkdownReader(settings).read(str(post))
    for html in (ours, theirs):
        assert f'src="{{static}}/{image}"' in html
        assert 'href="https://e.example/%7Bstatic%7D/x"' in html
    # a relative link is no feed's: the last sanitizer pass drops it (only preserved images,
    # which the plugin writes itself, keep their {static}/ path)
    assert 'href="|filename|autre.md"' in theirs and "|filename|" not in ours


def test_formatted_fields_left_to_python_markdown(tmp_path: Path) -> None:
    """With FORMATTED_FIELDS (Pelican's default: summary), the post is Python-Markdown's."""
    from pelican.readers import MarkdownReader

    from feed_archive.build.reader import ArchiveMarkdownReader

    post = _post(tmp_path / "content", "ligne un\\\nligne deux")
    post.write_text(
        post.read_text(encoding="utf-8").replace("Feed: f\n", "Feed: f\nSummary: *court*\n"),
        encoding="utf-8",
    )
    content, output = tmp_path / "content", tmp_path / "output"
    settings = site_settings(content, output, FORMATTED_FIELDS=["summary"])
    got = ArchiveMarkdownReader(settings).read(str(post))
    assert (got[0], without_locations(got[1])) == MarkdownReader(settings).read(str(post))
    assert got[1]["summary"] == "<p><em>court</em></p>"


def test_parallel_build_reads_with_cmark(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """reader.preread's forked workers use the installed reader: the page shows cmark's HTML."""
    from conftest import build_site

    content = tmp_path / "content"
    _post(content, "ligne un\\\nligne deux")
    for number in range(3):
        _post(content, f"texte {number}", slug=f"p{number}")
    caplog.set_level(logging.DEBUG, logger="feed_archive.build.reader")
    output = build_site(
        content,
        tmp_path / "output",
        FEED_ARCHIVE_PARALLEL_MIN=1,
        FEED_ARCHIVE_WORKERS=2,
        CACHE_CONTENT=False,
        LOAD_CONTENT_CACHE=False,
    )
    page = (output / "2025" / "01" / "01" / "p" / "index.html").read_text(encoding="utf-8")
    assert "4 posts prepared ahead" in caplog.text
    assert re.search(r"ligne un<br ?/?>\s*ligne", page), page
    assert "ligne un\\" not in page


# --- the comparisons -------------------------------------------------------------------------


def _report(found: Comparison, label: str) -> None:
    logging.getLogger(__name__).info(
        "%s: %s posts, %s backslash breaks, %s raw HTML omitted, list structure differs in %s,"
        " read by Python-Markdown (emphasis): %s",
        label,
        found.posts,
        found.backslash_breaks,
        found.raw_omitted,
        found.list_structure,
        found.fallbacks,
    )
    assert found.posts
    assert not found.problems, "\n".join(found.problems[:20])


def test_sample_archive_reads_the_same(tmp_path: Path) -> None:
    """Every post of the bundled sample (both snapshots, with versions) reads the same."""
    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    paths = sorted((content / "archive").rglob("*.md"))
    found = compare(paths, _settings(content, tmp_path))
    _report(found, "sample")
    assert found.posts >= 10


def test_synthetic_archive_reads_the_same(tmp_path: Path) -> None:
    """Posts like the benchmark's (headings, lists, quotes, links, emphasis) read the same."""
    import synth

    content = tmp_path / "content"
    paths = synth.write_archive(content, 300, total=10_000, seed=7)
    found = compare(paths, _settings(content, tmp_path))
    _report(found, "synthetic")
    assert found.backslash_breaks == 0


#: Feed HTML that makes our converter write each construct it has (clean.py).
CONVERTER_CASES = {
    "nested-code": "<ul><li>liste<pre>ligne 1\n\nligne 3 &lt;b&gt; * _x_</pre></li></ul>"
    "<blockquote><pre>cité\n  indenté</pre></blockquote>",
    "image-without-src": '<p>Texte <img src="relative.png" alt="Légende" title="Le titre"> '
    '<img src="x.png" alt="Sans titre"> fin</p>',
    "table": "<table><thead><tr><th>a | b</th><th>c</th></tr></thead><tbody><tr><td>1</td>"
    "<td>*2* <a href='https://e.example/t'>lien</a></td></tr><tr><td>seul</td></tr></tbody>"
    "</table><table><tr><td>sans en-tête</td><td>x</td></tr></table>",
    "code": "<pre><code>```\nif a &lt; b &amp;&amp; c:\n    print('&lt;br&gt;')<br>x\n```"
    "</code></pre>"
    "<p>en ligne : <code>a < b</code> et <code>x`y</code></p>",
    "links": '<p><a href="https://e.example/é?q=1&amp;r=(2)">accent</a> '
    '<a href="https://e.example/x">https://e.example/x</a> '
    '<a href="mailto:a@e.example">courriel</a> https://bare.example/url</p>',
    "blocks": "<h2>Titre 2</h2><h3>Titre 3</h3><hr><ol start='3'><li>trois</li><li>quatre"
    "</li></ol><ul><li>a<ul><li>b</li></ul></li></ul><dl><dt>terme</dt><dd>déf</dd></dl>"
    "<p><del>barré</del> <sub>2</sub> <q>cité</q> <kbd>Ctrl</kbd></p>",
    "emphasis": "<p><em>« cité ».</em>Suite <strong>gras</strong>, <em>un</em>deux "
    "<b>Note</b><strong>:</strong> fin</p>",
    "hostile": "<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:y) &lt;br&gt;</p>",
}


def test_converter_constructs_read_the_same(tmp_path: Path) -> None:
    """Each construct clean.py writes reads the same (or, emphasis, with Python-Markdown)."""
    from feed_archive.ingest import clean
    from feed_archive.post import sanitize

    content = tmp_path / "content"
    paths = []
    for name, source in CONVERTER_CASES.items():
        body = clean.to_markdown(sanitize(source))
        paths.append(_post(content, body, slug=name))
    found = compare(paths, _settings(content, tmp_path))
    _report(found, "constructs")
    assert found.posts == len(CONVERTER_CASES)
    assert [Path(p).stem for p in found.fallbacks] == ["emphasis"]


@pytest.fixture(scope="session")
def corpus_posts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Posts archived from a third of the corpus feeds (every third file, in name order)."""
    if not CORPUS.is_dir():
        pytest.skip(f"feed corpus not present at {CORPUS}")
    content = tmp_path_factory.mktemp("reader-corpus") / "content"
    files = sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.parts[len(CORPUS.parts)] == "real"
    )
    logging.disable(logging.CRITICAL)
    try:
        for number, path in enumerate(files[::3]):
            try:
                fetch_into(content, path, name=f"corpus {number:03d}")
            except Exception:  # a feed the archiver refuses has no post to read
                continue
    finally:
        logging.disable(logging.NOTSET)
    return content, sorted((content / "archive").rglob("*.md"))


def test_corpus_posts_read_the_same(corpus_posts: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """Posts from real-world feeds (tables, code, nested lists, images, odd URLs) read the same."""
    content, paths = corpus_posts
    found = compare(paths, _settings(content, tmp_path))
    _report(found, "corpus")
    assert found.posts > 100


def test_escaped_text_stays_text() -> None:
    """What clean.py escapes stays literal text in cmark too (no syntax, no tag)."""
    from feed_archive.build.markdown import cmark_html
    from feed_archive.ingest import clean
    from feed_archive.post import sanitize

    source = (
        "<p>1. pas une liste * _x_ [l](u) `c` &lt;b&gt; # t | p | \\ {a} &amp;amp;</p>"
        "<p>+ pas une liste</p><p>- non plus</p><p>2) ni ça</p><p>## pas un titre</p>"
    )
    rendered = cmark_html(clean.to_markdown(sanitize(source)))
    found = facts(rendered)
    assert found.tags == {"p"}, rendered
    assert " ".join("".join(found.text).split()) == (
        "1. pas une liste * _x_ [l](u) `c` <b> # t | p | \\ {a} &amp; "
        "+ pas une liste - non plus 2) ni ça ## pas un titre"
    )
