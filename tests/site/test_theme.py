"""Theme: real Pelican builds checked from their HTML (pages, links, dates, sizes, collisions)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, build_site

PARIS = ZoneInfo("Europe/Paris")
#: search indexing (issue 4) is tested on its own; these builds check the theme only
NO_SEARCH = {"FEED_ARCHIVE_SEARCH": False}
#: pages other parts of the project write (search: issue 4, statistics: issue 8)
OTHER_PAGES = ("search/", "stats/")
#: the templates of this theme (search and statistics ship their own strings)
THEME_TEMPLATES = [
    *(f"{name}.html" for name in "404 article base calendar changes day index listing".split()),
    "month.html",
    *(f"{name}.html" for name in "page sources tags year".split()),
    "partials/kinds.html",
    "partials/macros.html",
    "partials/months.html",
    "partials/revisions.html",
]


class _Page(HTMLParser):
    """Links, headings, text and marked regions of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.text: list[str] = []
        self.h1: list[str] = []
        self.body_count = 0
        self.html_lang: str | None = None
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if tag in ("link", "script", "img") and (values.get("href") or values.get("src")):
            self.assets.append(values.get("href") or values.get("src") or "")
        if "data-pagefind-body" in values:
            self.body_count += 1
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h1:
            self.h1[-1] += data


def parse(path: Path) -> _Page:
    """Parse one output page."""
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _posts(content: Path) -> list[dict[str, str]]:
    """Metadata of every archived post (the Markdown files under content/archive)."""
    posts = []
    for md in sorted((content / "archive").rglob("*.md")):
        head = md.read_text(encoding="utf-8").split("\n\n", 1)[0]
        meta = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        posts.append(meta)
    return posts


class _Filters(HTMLParser):
    """Pagefind filters of a page, read as Pagefind reads them: `key:value` inline, or `key`
    with the element's text (one filter per attribute: the theme writes no lists)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._open: list[tuple[str, str, int]] = []  # (tag, key, index in found)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        spec = dict(attrs).get("data-pagefind-filter")
        if spec and ":" in spec:
            key, value = spec.split(":", 1)
            self.found.append((key.strip(), value.strip()))
        elif spec:
            self._open.append((tag, spec.strip(), len(self.found)))
            self.found.append((spec.strip(), ""))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _, key, index in self._open:
            self.found[index] = (key, self.found[index][1] + data)


def pagefind_filters(html: str) -> list[tuple[str, str]]:
    """Sorted (filter, value) pairs of a page."""
    parser = _Filters()
    parser.feed(html)
    return sorted((key, value.strip()) for key, value in parser.found)


def _url(meta: dict[str, str]) -> str:
    date = dt.datetime.fromisoformat(meta["Date"]).astimezone(PARIS)
    return f"{date:%Y/%m/%d}/{meta['Slug']}/"


def _listing_links(output: Path, main: str) -> set[str]:
    """Links found on a listing's main page and all its numbered pages."""
    links: set[str] = set()
    for path in [
        output / main / "index.html",
        *sorted((output / main / "page").glob("*/index.html")),
    ]:
        links.update(parse(path).links)
    return links


@pytest.fixture(scope="module")
def article_pages(sample_site: Path) -> dict[str, _Page]:
    """Every page of the sample build that has a data-pagefind-body, by URL."""
    pages = {}
    for path in sample_site.rglob("index.html"):
        page = parse(path)
        if page.body_count:
            pages[str(path.parent.relative_to(sample_site)) + "/"] = page
    return pages


def test_every_item_has_exactly_one_article_page(sample_site: Path, article_pages: dict) -> None:
    """One article page per archived post, each with one data-pagefind-body and one h1."""
    posts = _posts(sample_site.parent / "content")
    assert len(posts) >= 30
    assert sorted(article_pages) == sorted(_url(m) for m in posts)
    for url, page in article_pages.items():
        assert page.body_count == 1, url
        assert len(page.h1) == 1, url
        assert page.html_lang == "fr"


def test_every_item_is_on_its_day_and_tag_pages(sample_site: Path) -> None:
    """Each post is linked from its day page, from one page of each of its tags, and its source."""
    for meta in _posts(sample_site.parent / "content"):
        url = _url(meta)
        href = "/" + url
        day = "/".join(url.split("/")[:3])
        assert href in parse(sample_site / day / "index.html").links, (day, url)
        html = (sample_site / url / "index.html").read_text(encoding="utf-8")
        tail = html.split('<p class="tags">')[1:]
        tag_links = re.findall(r'<a class="tag" href="/(tag/[^"]+)/"', tail[0]) if tail else []
        tags = {t.strip().casefold() for t in meta.get("Tags", "").split(",") if t.strip()}
        if "brève" in tags:  # a brief's "Brève" tag is not shown beside its "Brève" badge
            tags.discard("brève")
            assert href in _listing_links(sample_site, "tag/breve"), url
        assert len(tag_links) == len(tags), url
        for tag in tag_links:
            assert href in _listing_links(sample_site, tag), (tag, url)
        assert href in _listing_links(sample_site, "sources/le-fil-numerique"), url


def test_item_of_31_october_shows_french_date_and_time(sample_site: Path, article_pages) -> None:
    """The item of 31 Oct 2025 16:08 (+01:00) shows "31 octobre 2025" and "16:08"."""
    posts = [
        m
        for m in _posts(sample_site.parent / "content")
        if m["Date"].startswith("2025-10-31 16:08")
    ]
    assert len(posts) == 1 and posts[0]["Date"].endswith("+01:00")
    page = article_pages[_url(posts[0])]
    text = " ".join(page.text)
    assert "31 octobre 2025" in text
    assert "16:08" in text
    assert "vendredi 31 octobre 2025 à 16:08" in text


def test_calendar_reaches_every_item(sample_site: Path, article_pages: dict) -> None:
    """Calendar -> year -> month -> day -> item reaches every article page by links."""
    seen: set[str] = set()
    for year in parse(sample_site / "archives" / "index.html").links:
        if not re.fullmatch(r"/\d{4}/", year):
            continue
        for month in parse(sample_site / year.strip("/") / "index.html").links:
            if not re.fullmatch(r"/\d{4}/\d\d/", month):
                continue
            for day in parse(sample_site / month.strip("/") / "index.html").links:
                if re.fullmatch(r"/\d{4}/\d\d/\d\d/", day):
                    seen.update(
                        link[1:]
                        for link in parse(sample_site / day.strip("/") / "index.html").links
                        if link[1:] in article_pages
                    )
    assert seen == set(article_pages)


def test_month_page_counts_items_per_day(sample_site: Path) -> None:
    """The month grid shows a count for each day with items, linked to that day."""
    html = (sample_site / "2025" / "10" / "index.html").read_text(encoding="utf-8")
    cell = re.search(r'<a href="/2025/10/31/"><span class="n">31.*?<span class="c">(\d+)', html)
    assert cell and cell.group(1) == "2"
    assert "octobre 2025" in html
    assert '<abbr title="lundi">lun.</abbr>' in html


def test_home_groups_latest_days_with_badges(sample_site: Path) -> None:
    """Home: the 7 newest days, French day headings, times, brief/paywall/updated badges."""
    html = (sample_site / "index.html").read_text(encoding="utf-8")
    days = re.findall(r'<h2 id="d([\d-]+)"><a href="/[\d/]+">([^<]+)</a>', html)
    assert [d for d, _ in days] == sorted((d for d, _ in days), reverse=True)
    assert len(days) == 7
    assert days[0][1] == "Vendredi 7 novembre 2025"  # a date heading starts with a capital
    assert '<span class="badge brief">Brève</span>' in html
    assert '<span class="badge paywall">Abonnés</span>' in html
    assert '<span class="badge updated">Mis à jour</span>' in html
    assert '<time datetime="2025-11-07T08:45+01:00">08:45</time>' in html


def test_article_page_contract(sample_site: Path, article_pages: dict) -> None:
    """Article: Pagefind body/filters, original link, paywall notice, neighbours, related."""
    url = next(u for u in article_pages if "modeles-de-langage-ouverts" in u)
    html = (sample_site / url / "index.html").read_text(encoding="utf-8")
    body = html.split("data-pagefind-body", 1)[1].split('<p class="notice"', 1)[0]
    assert pagefind_filters(html) == [
        ("kind", "article"),
        ("paywalled", "oui"),
        ("source", "Le Fil Numérique"),
        ("tag", "IA"),
        ("tag", "Logiciel libre"),
        ("updated", "non"),
        ("year", "2025"),
    ]
    assert body.startswith(' data-pagefind-sort="date:2025-')
    assert 'data-pagefind-meta="date:2025-' in body.split(">", 1)[0]
    assert "prevnext" not in body and "related" not in body
    assert "réservé aux abonnés" in html
    assert "Lire l’article original sur fil-numerique.example" in html
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert '<aside class="related"' in html
    related = html.split('<aside class="related"', 1)[1].split("</aside>", 1)[0]
    assert 1 <= related.count("<li>") <= 3  # FEED_ARCHIVE_RELATED_COUNT
    brief = next(u for u in article_pages if "une-constellation" in u)
    brief_html = (sample_site / brief / "index.html").read_text(encoding="utf-8")
    assert ("kind", "brève") in pagefind_filters(brief_html)
    assert ("kind", "article") not in pagefind_filters(brief_html)


def test_updated_item_shows_both_dates(sample_site: Path, article_pages: dict) -> None:
    """An item updated by the second snapshot shows when the archive saw the update.

    The sample feed gives no update date: "Mis à jour le" (the publisher's date) would be
    untrue, so the page says "Mise à jour relevée le" (when the archive saw it).
    """
    url = next(u for u in article_pages if "rancongiciels" in u)
    html = (sample_site / url / "index.html").read_text(encoding="utf-8")
    assert "Publié le <time" in html and "Mise à jour relevée le <time" in html
    assert "Mis à jour le <time" not in html


def test_french_typography_in_titles(sample_site: Path, article_pages: dict) -> None:
    """Titles get a narrow no-break space before ":" and inside « »; URLs are untouched."""
    url = next(u for u in article_pages if "donnees-personnelles" in u)
    html = (sample_site / url / "index.html").read_text(encoding="utf-8")
    assert "Données personnelles\u202f: la" in html
    assert "«\u202fDes données" in html
    assert 'href="https://fil-numerique.example/2025/10/31/' in html


def test_average_article_page_size(sample_site: Path, article_pages: dict) -> None:
    """An article page's HTML, less its own text, stays under 10 KB; prints the average."""
    sizes, overheads = [], []
    for url in article_pages:
        html = (sample_site / url / "index.html").read_bytes()
        text = re.search(rb'<div class="text">(.*?)</div>\n</div>', html, re.DOTALL)
        assert text, url
        sizes.append(len(html))
        overheads.append(len(html) - len(text.group(1)))
    print(
        f"\narticle pages: {len(sizes)}, average {sum(sizes) / len(sizes):.0f} bytes, "
        f"average without their text {sum(overheads) / len(overheads):.0f} bytes"
    )
    assert max(overheads) <= 10 * 1024
    # issue 6 (100,000 items in 1 GB): the page around the text stays lean (4.0 KB in Nov. 2026)
    assert sum(overheads) / len(overheads) <= 5 * 1024


def test_summaries_only_on_the_home_page(sample_site: Path) -> None:
    """Home entries carry their summary; day pages show the same entries without it."""
    entry = re.compile(r'<li class="entry">.*?</li>', re.DOTALL)
    home = entry.findall((sample_site / "index.html").read_text(encoding="utf-8"))
    assert home and all("<p>" in item for item in home)
    day = entry.findall((sample_site / "2025/10/31/index.html").read_text(encoding="utf-8"))
    assert len(day) == 2 and not any("<p>" in item for item in day)
    assert all('<p class="meta">' in item for item in day)


def test_only_site_assets_and_feeds(sample_site: Path) -> None:
    """No stylesheet, script or image from another host; Atom feeds per tag and source."""
    for path in (sample_site / "index.html", sample_site / "tags" / "index.html"):
        for asset in parse(path).assets:
            assert asset.startswith("/") or asset.startswith("data:"), asset
    assert (sample_site / "feeds" / "all.atom.xml").is_file()
    assert (sample_site / "feeds" / "tag" / "justice.atom.xml").is_file()
    feed = (sample_site / "feeds" / "source" / "le-fil-numerique.atom.xml").read_text("utf-8")
    assert feed.count("<entry>") == 20  # the newest FEED_ARCHIVE_LISTING_FEED_ITEMS of 33
    # tag and source feeds carry summaries; the all-items feed carries the full text
    tag_feed = (sample_site / "feeds" / "tag" / "vie-privee.atom.xml").read_text("utf-8")
    everything = (sample_site / "feeds" / "all.atom.xml").read_text("utf-8")
    assert "géolocalisation sans consentement" in tag_feed
    assert "lieux de culte" not in tag_feed and "lieux de culte" in everything
    assert (sample_site / "404.html").is_file()
    assert "Page introuvable" in (sample_site / "404.html").read_text(encoding="utf-8")


def test_tags_index_sorted_by_name_and_by_count(sample_site: Path) -> None:
    """Two orders of the tag index, each linking every tag once with its count."""
    by_name = (sample_site / "tags" / "index.html").read_text(encoding="utf-8")
    by_count = (sample_site / "tags" / "count" / "index.html").read_text(encoding="utf-8")
    pattern = r'<li><a href="/tag/([^/]+)/">[^<]+</a> <span class="c">(\d+)</span>'
    names, counts = re.findall(pattern, by_name), re.findall(pattern, by_count)
    assert sorted(names) == sorted(counts) and len(names) > 10
    assert [s for s, _ in names] == sorted(s for s, _ in names)
    assert [int(c) for _, c in counts] == sorted((int(c) for _, c in counts), reverse=True)


# --- builds of small hand-made archives --------------------------------------------------


def _post(folder: Path, n: int, tags: str, when: dt.datetime, title: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"post-{n:03d}.md").write_text(
        f"Title: {title or f'Post {n}'}\nDate: {when.isoformat(sep=' ')}\nTags: {tags}\n"
        f"Category: Test\nSlug: post-{n:03d}\nFeed: Test feed\nSummary: s\n\nBody {n}.\n",
        encoding="utf-8",
    )


def test_colliding_tag_slugs_never_overwrite(tmp_path: Path) -> None:
    """ "python" page 3 vs "python3", and tags sharing a slug: every item stays reachable."""
    content = tmp_path / "content"
    start = dt.datetime(2024, 1, 1, 12, 0, tzinfo=PARIS)
    expected: dict[str, set[str]] = defaultdict(set)
    layout = ["python"] * 16 + ["python3"] * 3 + ["C", "C++", "C#"] + ["Économie", "economie"]
    for n, tag in enumerate(layout):
        when = start + dt.timedelta(hours=7 * n)
        _post(content / "archive", n, tag, when)
        expected[tag].add(f"/{when:%Y/%m/%d}/post-{n:03d}/")
    output = build_site(content, tmp_path / "output", FEED_ARCHIVE_LIST_PAGE_SIZE=5, **NO_SEARCH)
    assert (output / "tag" / "python" / "page" / "3" / "index.html").is_file()
    assert (output / "tag" / "python3" / "index.html").is_file()
    python = _listing_links(output, "tag/python")
    assert expected["python"] <= python and not expected["python3"] & python
    assert _listing_links(output, "tag/python3") >= expected["python3"]
    # "C", "C++" and "C#" share the slug "c": one page lists all three, nothing is lost
    assert _listing_links(output, "tag/c") >= expected["C"] | expected["C++"] | expected["C#"]
    assert _listing_links(output, "tag/economie") >= expected["Économie"] | expected["economie"]


def test_listing_pages_are_stable_when_an_item_is_added(tmp_path: Path) -> None:
    """Adding one item changes the tag's main page and at most one numbered page."""
    content = tmp_path / "content"
    start = dt.datetime(2024, 3, 1, 9, 0, tzinfo=PARIS)
    for n in range(23):
        _post(content / "archive", n, "stable", start + dt.timedelta(hours=n))
    first = build_site(content, tmp_path / "out1", FEED_ARCHIVE_LIST_PAGE_SIZE=5, **NO_SEARCH)
    _post(content / "archive", 23, "stable", start + dt.timedelta(hours=23))
    second = build_site(content, tmp_path / "out2", FEED_ARCHIVE_LIST_PAGE_SIZE=5, **NO_SEARCH)
    before = {p.relative_to(first): p.read_bytes() for p in (first / "tag").rglob("*.html")}
    after = {p.relative_to(second): p.read_bytes() for p in (second / "tag").rglob("*.html")}
    assert len(before) == 5 and set(before) <= set(after)
    changed = {str(p) for p in before if before[p] != after[p]}
    assert "tag/stable/index.html" in changed and len(changed) <= 2


def test_tag_and_source_feeds_hold_the_newest_items(tmp_path: Path) -> None:
    """FEED_ARCHIVE_LISTING_FEED_ITEMS caps tag and source feeds; all.atom.xml keeps its own cap."""
    content = tmp_path / "content"
    start = dt.datetime(2024, 3, 1, 9, 0, tzinfo=PARIS)
    for n in range(8):
        _post(content / "archive", n, "fil", start + dt.timedelta(hours=n))
    output = build_site(
        content, tmp_path / "output", FEED_ARCHIVE_LISTING_FEED_ITEMS=3, **NO_SEARCH
    )
    for feed in ("feeds/tag/fil.atom.xml", "feeds/source/test-feed.atom.xml"):
        text = (output / feed).read_text(encoding="utf-8")
        # titles keep Pelican's widont no-break space: "Post\xa07"
        assert re.findall(r"<title>Post\s(\d+)</title>", text) == ["7", "6", "5"]
    assert (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8").count("<entry>") == 8


def test_english_dates_without_system_locale(tmp_path: Path, monkeypatch: Any) -> None:
    """DEFAULT_LANG = "en": English strings and dates, whatever LANG/LC_ALL say."""
    monkeypatch.setenv("LC_ALL", "C")
    monkeypatch.setenv("LANG", "C")
    content = tmp_path / "content"
    _post(content / "archive", 1, "x", dt.datetime(2025, 10, 31, 16, 8, tzinfo=PARIS), "Hi: you")
    output = build_site(content, tmp_path / "output", DEFAULT_LANG="en", **NO_SEARCH)
    html = (output / "2025" / "10" / "31" / "post-001" / "index.html").read_text("utf-8")
    assert '<html lang="en">' in html
    assert "Friday, October 31, 2025 at 4:08\u202fPM" in html
    assert "<h1>Hi:" in html  # no French spacing in English
    assert "Skip to content" in html


def test_sub_path_siteurl_links(tmp_path: Path, sample_site: Path) -> None:
    """Under a sub-path SITEURL, every internal link and asset starts with its path (links
    inside the site are root-relative: "/my-archive/…") or with SITEURL, and resolves."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(sample_site.parent / "content", content)
    site_url = "http://127.0.0.1:8000/my-archive"
    output = build_site(content, tmp_path / "output", SITEURL=site_url, **NO_SEARCH)
    checked = 0
    for path in output.rglob("*.html"):
        page = parse(path)
        for link in page.links + page.assets:
            if link.startswith(("http://", "https://")) and "127.0.0.1" not in link:
                continue
            assert link.startswith((site_url + "/", "/my-archive/", "#", "data:")), (path, link)
            target = link.removeprefix(site_url + "/").removeprefix("/my-archive/").split("#")[0]
            inside = link.startswith((site_url, "/my-archive/"))
            if inside and target and not target.startswith(OTHER_PAGES):
                resolved = output / target
                assert resolved.is_file() or (resolved / "index.html").is_file(), (path, link)
            checked += 1
    assert checked > 1000


def test_every_theme_string_is_translated_to_french() -> None:
    """Each msgid used by the templates has a French translation."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    with (ROOT / "theme/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    used = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(ROOT / "theme" / "templates"),
            method_map=[(name, "jinja2") for name in THEME_TEMPLATES],
            options_map={name: {"extensions": "jinja2.ext.i18n"} for name in THEME_TEMPLATES},
        )
    }
    assert len(used) > 30
    missing = [m for m in used if not catalog.get(m) or not catalog.get(m).string]
    assert not missing, missing


def test_hidden_and_draft_items_render(tmp_path: Path) -> None:
    """Hidden and draft posts get an article page too, without neighbours or listings."""
    content = tmp_path / "content"
    when = dt.datetime(2025, 1, 2, 10, 0, tzinfo=PARIS)
    _post(content / "archive", 1, "a", when)
    _post(content / "archive", 2, "a", when + dt.timedelta(hours=1))
    for n, status in ((2, "hidden"), (3, "draft")):
        path = content / "archive" / f"post-{n:03d}.md"
        _post(content / "archive", n, "a", when + dt.timedelta(hours=n))
        path.write_text(path.read_text("utf-8").replace("Feed:", f"Status: {status}\nFeed:"))
    output = build_site(content, tmp_path / "output", **NO_SEARCH)
    hidden = (output / "2025" / "01" / "02" / "post-002" / "index.html").read_text("utf-8")
    assert "Publié le" in hidden and 'rel="prev"' not in hidden
    assert (output / "drafts").is_dir()
    listed = _listing_links(output, "tag/a")
    assert "/2025/01/02/post-001/" in listed
    assert not {"/2025/01/02/post-002/", "/2025/01/02/post-003/"} & listed


def test_french_typography_leaves_code_urls_and_attributes_alone() -> None:
    """Spaces become narrow no-break spaces only in text, never in code, URLs or attributes."""
    from feed_archive.build.typography import french

    html = (
        '<p title="a : b">Question : oui ? « Non » !</p><pre>x : y</pre>'
        "<p>Voir https://ex.fr/?a=1 ; 16:08 <code>a ; b</code> &nbsp;!</p>"
    )
    out = french(html)
    n = "\u202f"
    assert f'<p title="a : b">Question{n}: oui{n}? «{n}Non{n}»{n}!</p>' in out
    assert "<pre>x : y</pre>" in out and "<code>a ; b</code>" in out
    assert f"https://ex.fr/?a=1{n}; 16:08" in out
    assert out.endswith(f"{n}!</p>")
    assert french("<p>«mot»</p>") == f"<p>«{n}mot{n}»</p>"


def test_french_apostrophes_and_ellipses_in_text_only() -> None:
    """' between letters becomes ’, three dots …; never in code, URLs, attributes or '....'."""
    from feed_archive.build.typography import french

    html = (
        "<p title=\"l'attribut...\">L'article dit 'non'... ou....</p>"
        "<pre>print('l'...')</pre><p><a href=\"https://e.fr/l'x...\">l'URL</a></p>"
    )
    out = french(html)
    assert "<p title=\"l'attribut...\">L’article dit 'non'… ou....</p>" in out
    assert "<pre>print('l'...')</pre>" in out
    assert 'href="https://e.fr/l\'x..."' in out and ">l’URL</a>" in out


@pytest.mark.parametrize("count", [0, 1, 5, 6, 10, 11, 23])
def test_listing_pages_hold_every_item_once(count: int) -> None:
    """Numbered pages are full chunks from the oldest; with the main page nothing is missing."""
    from feed_archive.build.timeline import Listing

    listing = Listing("tag", "t", "t", "tag/t/", "tag/t/index.html")
    listing.items = list(range(count, 0, -1))  # newest first
    listing.paginate(5)
    main, numbered = listing.pages[0], listing.pages[1:]
    assert len(numbered) == count // 5
    assert all(len(p.items) == 5 for p in numbered)
    assert [p.url for p in numbered] == [f"tag/t/page/{n}/" for n in range(1, len(numbered) + 1)]
    assert numbered == [] or numbered[0].items == [5, 4, 3, 2, 1]
    shown = set(main.items).union(*(p.items for p in numbered))
    assert shown == set(range(1, count + 1))
    assert main.items == sorted(main.items, reverse=True)
    assert (main.older is None) == (len(numbered) < 2)


def test_month_grid_starts_on_the_locale_first_weekday() -> None:
    """October 2025 starts on a Wednesday: two empty cells with Monday first, three with Sunday."""
    from feed_archive.build.timeline import Month

    month = Month(2025, 10)
    monday_first = month.weeks(0)
    assert monday_first[0][:3] == [None, None, (1, None)]
    assert sum(cell is not None for week in monday_first for cell in week) == 31
    assert all(len(week) == 7 for week in monday_first)
    assert month.weeks(6)[0][:4] == [None, None, None, (1, None)]
    assert Month(2024, 2).weeks(0)[-1][3] == (29, None)  # leap year


def test_empty_archive_and_a_page_build(tmp_path: Path) -> None:
    """With no item yet the site still builds: home, calendar, tags and a hand-written page."""
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "archive").mkdir()
    (content / "pages" / "about.md").write_text(
        "Title: À propos\nSlug: a-propos\n\nUne archive : « tout » reste.\n", encoding="utf-8"
    )
    output = build_site(content, tmp_path / "output", **NO_SEARCH)
    assert "Rien n’est encore archivé." in (output / "index.html").read_text("utf-8")
    assert (output / "archives" / "index.html").is_file()
    assert (output / "tags" / "index.html").is_file()
    about = (output / "pages" / "a-propos" / "index.html").read_text("utf-8")
    assert "<h1>À propos</h1>" in about  # the plugin's typography, not typogrify's widont
    assert "Une archive\u202f: «\u202ftout\u202f»" in about
