"""Corrections log (issue 16): /changes/ and its Atom feed on real Pelican builds, the kinds in
the article's history, the "updated" search filter, and the incremental build of the log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import feedparser
import pytest

from conftest import build_site
from html_audit import audit

NO_SEARCH = {"FEED_ARCHIVE_SEARCH": False}
NNBSP = "\u202f"
HEADER = (
    "Title: {title}\nDate: 2025-03-{day:02d} 10:00:00+01:00\n{extra}Tags: Essai\n"
    "Category: Test Feed\nSlug: article-{n}\nSummary: Résumé {n}.\n"
    "Source: https://example.org/{n}\nGuid: https://example.org/?p={n}\nFeed: Test Feed\n"
    "Fetched: {fetched}\n\n{body}\n"
)


def write_updated_post(content: Path, n: int, versions: int = 2) -> Path:
    """Post `n`, published on 2025-03-n, with `versions` versions each adding a sentence;
    version v was fetched on 2025-04-n at 9+v o'clock."""
    folder = content / "archive" / "test-feed" / "2025" / "03"
    folder.mkdir(parents=True, exist_ok=True)
    post = folder / f"article-{n}.md"
    kept = folder / f"article-{n}.versions"
    body = f"Premier paragraphe de l’article {n}."
    for v in range(1, versions + 1):
        extra = "" if v == 1 else f"Modified: 2025-04-{n:02d} {9 + v}:00:00+02:00\n"
        text = HEADER.format(
            title=f"Article {n}" if v == 1 else f"[MàJ] Article {n}",
            day=n,
            n=n,
            extra=extra,
            fetched=f"2025-04-{n:02d} {9 + v}:00:00+02:00",
            body=body,
        )
        if v < versions:
            kept.mkdir(exist_ok=True)
            (kept / f"{v:03d}.md.txt").write_text(text, encoding="utf-8")
        else:
            post.write_text(text, encoding="utf-8")
        body += f"\n\nAjout numéro {v}."
    return post


def _log_pages(output: Path) -> list[Path]:
    return [output / "changes" / "index.html", *sorted(output.glob("changes/page/*/index.html"))]


def _lines(html: str) -> list[tuple[str, str]]:
    """(link, kinds) of each line of a log page."""
    return re.findall(
        r'<li><time [^>]*>[^<]*</time> <span><a href="([^"]+)">[^<]*</a> '
        r'<span class="kinds">— ([^<]*)</span>',
        html,
    )


def test_sample_log_lists_the_update_with_its_kinds(sample_site: Path) -> None:
    html = (sample_site / "changes" / "index.html").read_text(encoding="utf-8")
    assert (
        "<title>Journal des corrections — " in html and "<h1>Journal des corrections</h1>" in html
    )
    assert "1 modification relevée" in html
    ((link, kinds),) = _lines(html)
    assert kinds == "Titre modifié, texte ajouté"
    assert re.fullmatch(r"/2025/11/\d\d/rancongiciels-[^/]+/#diff-2", link), link
    assert 'href="/feeds/changes.atom.xml"' in html
    article = (sample_site / link.split("#")[0].strip("/") / "index.html").read_text("utf-8")
    diff = article.split('id="diff-2"', 1)[1].split("</summary>", 1)[0]
    assert "Titre modifié, texte ajouté" in diff
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    assert '<a href="/changes/">Journal des corrections</a>' in home
    assert set(audit(html)) <= set(audit(home))  # nothing beyond what every page has


def test_sample_log_feed_is_valid_atom_with_one_entry_per_change(sample_site: Path) -> None:
    parsed = feedparser.parse((sample_site / "feeds" / "changes.atom.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title.endswith("Journal des corrections")
    (entry,) = parsed.entries
    assert entry.link.endswith("#diff-2")
    assert entry.title.startswith("[MàJ]") and entry.title.endswith("— Titre modifié, texte ajouté")
    assert "<ins>[MàJ]</ins>" in entry.content[0].value
    assert "<ins>Mise à jour du 6 novembre" in entry.content[0].value


def test_sample_updated_filter_on_every_article_page(sample_site: Path) -> None:
    pages = list(sample_site.glob("2025/*/*/*/index.html"))
    found = {
        p.parent.name: re.findall(r'data-pagefind-filter="updated:(\w+)"', p.read_text("utf-8"))
        for p in pages
    }
    assert [name for name, values in found.items() if values == ["oui"]] == [
        next(n for n in found if n.startswith("rancongiciels"))
    ]
    assert all(values in (["oui"], ["non"]) for values in found.values())


def test_search_index_has_the_updated_filter(sample_site: Path) -> None:
    import gzip
    import json

    bundle = sample_site / "pagefind"
    fragments = [
        json.loads(gzip.decompress(path.read_bytes())[12:])
        for path in sorted(bundle.glob("fragment/*.pf_fragment"))
        + sorted(bundle.glob("part/*/fragment/*.pf_fragment"))
    ]
    updated = [f["url"] for f in fragments if f["filters"].get("updated") == ["oui"]]
    assert len(updated) == 1 and "/rancongiciels-" in updated[0]
    assert sum(f["filters"].get("updated") == ["non"] for f in fragments) == len(fragments) - 1
    search = (sample_site / "search" / "index.html").read_text(encoding="utf-8")
    assert '<label for="search-updated">Articles modifiés</label>' in search


def test_log_pages_hold_every_change_once_newest_first(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for n in range(1, 8):
        write_updated_post(content, n, versions=3 if n == 4 else 2)
    output = build_site(content, tmp_path / "out", FEED_ARCHIVE_LIST_PAGE_SIZE=3, **NO_SEARCH)
    pages = _log_pages(output)
    assert [p.relative_to(output).as_posix() for p in pages] == [
        "changes/index.html",
        "changes/page/1/index.html",
        "changes/page/2/index.html",
    ]
    main = pages[0].read_text(encoding="utf-8")
    assert "8 modifications relevées" in main and "page 1 sur 2" in main
    links = [link for page in pages for link, _ in _lines(page.read_text("utf-8"))]
    # the main page shows the newest partial chunk and the newest full one; page 2 is that one
    assert len(links) == 8 + 3
    assert len(set(links)) == 8
    shown = [link for link, _ in _lines(main)]
    assert shown[0] == "/2025/03/07/article-7/#diff-2"
    assert shown[-1] == "/2025/03/04/article-4/#diff-2" and len(shown) == 5
    assert "/2025/03/04/article-4/#diff-3" in shown and "/2025/03/04/article-4/#diff-2" in shown
    oldest = [link for link, _ in _lines(pages[1].read_text("utf-8"))]
    assert oldest == [f"/2025/03/0{n}/article-{n}/#diff-2" for n in (3, 2, 1)]
    assert "Mardi 1er avril 2025" in pages[1].read_text("utf-8")  # the day each was seen
    kinds = dict(_lines(main))
    assert kinds.pop("/2025/03/04/article-4/#diff-3") == "Texte ajouté"  # same title as v2
    assert set(kinds.values()) == {"Titre modifié, texte ajouté"}
    parsed = feedparser.parse((output / "feeds" / "changes.atom.xml").read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 8
    assert len({e.id for e in parsed.entries}) == 8
    assert [e.link.rsplit("/", 2)[-2:] for e in parsed.entries[:2]] == [
        ["article-7", "#diff-2"],
        ["article-6", "#diff-2"],
    ]


def test_an_empty_log_and_english_labels(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_updated_post(content, 1, versions=1)
    output = build_site(content, tmp_path / "fr", **NO_SEARCH)
    html = (output / "changes" / "index.html").read_text(encoding="utf-8")
    assert "Aucune modification relevée pour l’instant." in html and not _lines(html)
    # no feed while there is no change (an empty Atom feed's date would be the build's)
    assert not (output / "feeds" / "changes.atom.xml").exists() and "changes.atom" not in html
    write_updated_post(content, 2)
    english = build_site(content, tmp_path / "en", DEFAULT_LANG="en", **NO_SEARCH)
    html = (english / "changes" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Corrections log</h1>" in html and "1 change recorded" in html
    assert _lines(html) == [("/2025/03/02/article-2/#diff-2", "Title changed, text added")]


def _run(content: Path, output: Path, cache: Path, **overrides: Any) -> Any:
    from pelican import Pelican

    from conftest import site_settings

    settings = site_settings(content, output, CACHE_PATH=str(cache), **NO_SEARCH, **overrides)
    pelican = Pelican(settings)
    pelican.run()
    return pelican.feed_archive_build.output


@pytest.mark.parametrize("check", [False, True])
def test_log_pages_render_again_only_when_their_changes_do(tmp_path: Path, check: bool) -> None:
    content = tmp_path / "content"
    for n in range(1, 8):
        write_updated_post(content, n)
    output, cache = tmp_path / "out", tmp_path / "cache"
    sizes = {"FEED_ARCHIVE_LIST_PAGE_SIZE": 3, "FEED_ARCHIVE_PLAN_CHECK": check}
    first = _run(content, output, cache, **sizes)
    log = {"changes/index.html", "changes/page/1/index.html", "changes/page/2/index.html"}
    log.add("feeds/changes.atom.xml")
    assert log <= first.rendered_pages
    again = _run(content, output, cache, **sizes)
    assert not again.mismatches  # with the check, every page is rendered and compared
    assert check or not log & again.rendered_pages
    write_updated_post(content, 8)  # a new change: the main page and the feed only
    third = _run(content, output, cache, **sizes)
    assert not third.mismatches
    redone = log & third.changed
    assert redone == {"changes/index.html", "feeds/changes.atom.xml"}, redone
    # a hand-edited title (no new version): the one log page that shows it, and the feed
    post = content / "archive" / "test-feed" / "2025" / "03" / "article-1.md"
    post.write_text(post.read_text("utf-8").replace("[MàJ] Article 1", "Article un"), "utf-8")
    fourth = _run(content, output, cache, **sizes)
    assert not fourth.mismatches
    assert log & fourth.changed == {"changes/page/1/index.html", "feeds/changes.atom.xml"}
    assert "Article un" in (output / "changes" / "page" / "1" / "index.html").read_text("utf-8")


def _visible_text(html: str) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("script", "style")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return "".join(parser.parts)


def test_log_page_and_its_strings_follow_french_typography(sample_site: Path) -> None:
    from babel.messages.pofile import read_po

    from conftest import ROOT

    text = _visible_text((sample_site / "changes" / "index.html").read_text(encoding="utf-8"))
    assert "l’archive a relevée" in text and "'" not in text
    assert f"archivé{NNBSP}: titre" in text
    assert not re.search(r"[ \u00a0][;:!?»]|«[ \u00a0]", text)
    po = ROOT / "theme" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    from feed_archive.build.changelog import KIND_LABELS, NO_KIND

    for msgid in [*KIND_LABELS.values(), NO_KIND, "Corrections log", "No change recorded yet."]:
        found = catalog.get(msgid)
        assert found is not None and found.string, msgid
        assert not re.search(rf"[^{NNBSP}][;:!?»]|«[^{NNBSP}]|'", found.string), msgid


def test_every_kind_has_a_label_in_the_feed_and_the_theme() -> None:
    from conftest import ROOT
    from feed_archive.build.changelog import KIND_LABELS
    from feed_archive.build.gone import LOG_KINDS
    from feed_archive.post.changes import KINDS

    # the version changes' kinds, then the disappearances' (build/gone.py)
    assert tuple(KIND_LABELS) == (*KINDS, *LOG_KINDS.values())
    template = (ROOT / "theme" / "templates" / "partials" / "kinds.html").read_text("utf-8")
    for kind, label in KIND_LABELS.items():
        assert f'"{kind}": _("{label}")' in template, kind


def test_other_events_join_the_log_through_an_entry_source() -> None:
    """The hook for other events (issue 16, disappearances): a function article -> entries."""
    import datetime as dt
    from types import SimpleNamespace

    from feed_archive.build.changelog import Entry, make_log, version_entries

    def article(n: int) -> Any:
        return SimpleNamespace(fa=SimpleNamespace(url=f"a/{n}/"), revisions=None)

    def left_feed(item: Any) -> list[Entry]:
        day = dt.datetime(2025, 5, int(item.fa.url.split("/")[1]), tzinfo=dt.UTC)
        return [Entry(seen=day, article=item, kinds=("left-feed",), anchor="gone")]

    log = make_log([article(n) for n in (3, 9, 5)], 2, sources=(version_entries, left_feed))
    assert [e.url for e in log.items] == ["a/9/#gone", "a/5/#gone", "a/3/#gone"]
    assert [len(p.items) for p in log.pages] == [3, 2]  # the main page and page/1, like a tag's


def test_a_change_of_no_kind_reads_details_only(tmp_path: Path) -> None:
    content = tmp_path / "content"
    post = write_updated_post(content, 1)
    text = post.read_text(encoding="utf-8").replace("\n\nAjout numéro 1.", "")
    post.write_text(text.replace("Premier", "[Premier](https://example.org/)"), encoding="utf-8")
    folder = post.with_name("article-1.versions")
    old = (folder / "001.md.txt").read_text(encoding="utf-8")
    (folder / "001.md.txt").write_text(old.replace("Article 1", "[MàJ] Article 1"), "utf-8")
    output = build_site(content, tmp_path / "out", **NO_SEARCH)
    html = (output / "changes" / "index.html").read_text(encoding="utf-8")
    assert _lines(html) == [("/2025/03/01/article-1/#diff-2", "Détails seulement (liens, images)")]
