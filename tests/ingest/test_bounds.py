"""Bounded output at ingest: tags per item, new items per fetch, one item's text, tables.

Real feeds from a local HTTP server, the real archive; the caps are set small here (their
shipped defaults are exercised in test_defaults.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from conftest import archive_config
from feed_archive.build.markdown import body_html
from feed_archive.ingest import archive, clean
from feed_archive.post import read_header, sanitize, split_file
from feedmaker import FULL_TEXT, item, rss


def run(content: Path, url: str, name: str = "Bornes", **overrides: Any) -> archive.FeedReport:
    """One fetch of `url` into the archive under `content`."""
    (report,) = archive.run(archive_config(content, {"url": url, "name": name}, **overrides))
    return report


def headers(content: Path) -> list[dict[str, str]]:
    """The header of every archived post, by file name."""
    return [read_header(p.read_text("utf-8")) for p in sorted(content.rglob("*.md"))]


def warnings(caplog: Any) -> list[str]:
    """The warning lines logged so far."""
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# --- tags per item ---------------------------------------------------------------------------


def test_tags_beyond_the_cap_are_dropped_with_one_warning(
    httpserver: Any, tmp_path: Path, caplog: Any
) -> None:
    """The feed's first categories are kept up to the cap; configured and rule tags always."""
    feed_tags = [f"Sujet {n}" for n in range(30)]
    many = item(1, tags=feed_tags, html="<p>Un texte sur la cybersécurité.</p>")
    few = item(2, tags=["Sujet 0", "Sujet 1"])
    httpserver.expect_request("/tags.xml").respond_with_data(rss([many, few]))
    source = {"url": httpserver.url_for("/tags.xml"), "name": "Bornes", "tags": ["maison"]}
    config = archive_config(
        tmp_path,
        source,
        FEED_ARCHIVE_MAX_TAGS=5,
        FEED_ARCHIVE_TAG_RULES={"Sécurité": ["cybersécurité"]},
    )
    with caplog.at_level(logging.WARNING, logger="feed_archive"):
        (report,) = archive.run(config)
    assert report.line() == "Bornes: 2 new, 0 updated, 0 unchanged (HTTP 200)"
    tags = {h["guid"]: h["tags"] for h in headers(tmp_path)}
    assert tags["https://fil.example/?p=1"] == "Sujet 0, Sujet 1, Sujet 2, maison, Sécurité"
    assert tags["https://fil.example/?p=2"] == "Sujet 0, Sujet 1, maison"
    (line,) = [w for w in warnings(caplog) if "tags" in w]
    assert line == (
        "Bornes: item 'Article numéro 1': 32 tags, the first 5 kept (FEED_ARCHIVE_MAX_TAGS)"
    )


# --- new items per feed and fetch -------------------------------------------------------------


def _etag_server(httpserver: Any, body: bytes, seen: list[str | None]) -> str:
    """Serve `body` with an ETag, answering 304 to a request that sends it back."""

    def answer(request: Request) -> Response:
        sent = request.headers.get("If-None-Match")
        seen.append(sent)
        if sent == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(body, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    httpserver.expect_request("/many.xml").respond_with_handler(answer)
    return httpserver.url_for("/many.xml")


def test_new_items_beyond_the_cap_come_in_the_next_runs_oldest_first(
    httpserver: Any, tmp_path: Path
) -> None:
    """3 new items a run: the oldest first, "N more next run", no validator kept meanwhile."""
    days = [9, 3, 7, 1, 10, 5, 2, 8, 4, 6]  # publication days, in document order
    entries = [
        item(n, date=f"Mon, {day:02d} Sep 2025 10:00:00 +0200") for n, day in enumerate(days)
    ]
    seen: list[str | None] = []
    url = _etag_server(httpserver, rss(entries), seen)
    lines, archived = [], []
    for _ in range(5):
        lines.append(run(tmp_path, url, FEED_ARCHIVE_MAX_NEW_ITEMS=3).line())
        archived.append(sorted(int(h["date"][8:10]) for h in headers(tmp_path)))
    assert lines == [
        "Bornes: 3 new, 0 updated, 0 unchanged, 7 more next run (HTTP 200)",
        "Bornes: 3 new, 0 updated, 3 unchanged, 4 more next run (HTTP 200)",
        "Bornes: 3 new, 0 updated, 6 unchanged, 1 more next run (HTTP 200)",
        "Bornes: 1 new, 0 updated, 9 unchanged (HTTP 200)",
        "Bornes: not modified (HTTP 304)",
    ]
    assert archived[:4] == [[1, 2, 3], [1, 2, 3, 4, 5, 6], list(range(1, 10)), list(range(1, 11))]
    # While items were held back the ETag was not kept: each run downloaded the whole feed.
    assert seen == [None, None, None, None, '"v1"']


def test_held_back_items_are_not_lost_when_the_feed_moves_on(
    httpserver: Any, tmp_path: Path
) -> None:
    """Items held back stay wanted: a later document that still lists them gets them archived."""
    first = [item(n, date=f"Mon, {n + 1:02d} Sep 2025 10:00:00 +0200") for n in range(6)]
    later = [item(n, date=f"Mon, {n + 1:02d} Sep 2025 10:00:00 +0200") for n in range(2, 9)]
    httpserver.expect_ordered_request("/f.xml").respond_with_data(rss(first[::-1]))
    httpserver.expect_ordered_request("/f.xml").respond_with_data(rss(later[::-1]))
    httpserver.expect_ordered_request("/f.xml").respond_with_data(rss(later[::-1]))
    url = httpserver.url_for("/f.xml")
    assert (
        run(tmp_path, url, FEED_ARCHIVE_MAX_NEW_ITEMS=4)
        .line()
        .endswith("4 new, 0 updated, 0 unchanged, 2 more next run (HTTP 200)")
    )
    assert (
        run(tmp_path, url, FEED_ARCHIVE_MAX_NEW_ITEMS=4)
        .line()
        .endswith("4 new, 0 updated, 2 unchanged, 1 more next run (HTTP 200)")
    )
    assert (
        run(tmp_path, url, FEED_ARCHIVE_MAX_NEW_ITEMS=4)
        .line()
        .endswith("1 new, 0 updated, 6 unchanged (HTTP 200)")
    )
    guids = {h["guid"] for h in headers(tmp_path)}
    assert guids == {f"https://fil.example/?p={n}" for n in range(9)}


# --- one item's text ---------------------------------------------------------------------------


def test_a_text_over_the_cap_is_cut_visibly_and_the_cut_recorded(
    httpserver: Any, tmp_path: Path, caplog: Any
) -> None:
    """The kept text ends with a marker; `Cut:` says how long the feed's text was; one warning."""
    from feed_archive.ingest import bounds

    code = "<pre><code>" + "ligne de code\n" * 400 + "</code></pre>"
    long_html = FULL_TEXT + code + FULL_TEXT
    entries = [item(1, html=long_html), item(2, html="<p>Court.</p>")]
    httpserver.expect_request("/long.xml").respond_with_data(rss(entries))
    with caplog.at_level(logging.WARNING, logger="feed_archive"):
        report = run(tmp_path, httpserver.url_for("/long.xml"), FEED_ARCHIVE_MAX_TEXT_BYTES=16_000)
    assert report.counts["new"] == 2 and not report.problem
    files = sorted(tmp_path.rglob("*.md"))
    posts = {h["guid"]: p for h, p in zip(headers(tmp_path), files, strict=True)}
    header, body = split_file(posts["https://fil.example/?p=1"].read_text("utf-8"))
    assert header["cut"] == str(len(long_html.encode()))
    assert len(body.encode()) <= 16_000
    assert body.rstrip().endswith(bounds.CUT_MARKER)
    assert body.count("```") % 2 == 0, "a code block cut in the middle must be closed"
    html = body_html(body) or ""
    assert html.rstrip().endswith("<p>[…]</p>"), html[-200:]
    short_header, short_body = split_file(posts["https://fil.example/?p=2"].read_text("utf-8"))
    assert "cut" not in short_header and short_body.strip() == "Court."
    (line,) = [w for w in warnings(caplog) if "FEED_ARCHIVE_MAX_TEXT_BYTES" in w]
    assert line.startswith("Bornes: item 'Article numéro 1': text of ")
    assert line.endswith(" cut to 16000 bytes (FEED_ARCHIVE_MAX_TEXT_BYTES)")


def test_a_cut_inside_a_code_block_closes_it_before_the_marker() -> None:
    """Cut inside a fence (blank lines in the code too): the fence is closed, the marker after."""
    from feed_archive.ingest import bounds

    code = "\n\n".join(f"ligne {n} du code" for n in range(400))
    markdown = "Un paragraphe.\n\n````\n" + code + "\n````\n\nLa fin."
    cut = bounds.cut_text(markdown, 2_000)
    assert len(cut.encode()) <= 2_000 and cut.startswith("Un paragraphe.\n\n````\nligne 0")
    assert cut.endswith("\n````\n\n" + bounds.CUT_MARKER), cut[-80:]
    html = body_html(cut) or ""
    assert html.count("<pre>") == 1 and html.rstrip().endswith("</code></pre>\n<p>[…]</p>")
    assert bounds.cut_text(markdown, len(markdown.encode())) == markdown


def test_a_refetch_of_a_cut_text_is_unchanged(httpserver: Any, tmp_path: Path) -> None:
    """A cut item fetched again is the same version (nothing rewritten, no version added)."""
    entries = [item(1, html=FULL_TEXT * 3)]
    httpserver.expect_request("/long.xml").respond_with_data(rss(entries))
    url = httpserver.url_for("/long.xml")
    assert run(tmp_path, url, FEED_ARCHIVE_MAX_TEXT_BYTES=5_000).counts["new"] == 1
    again = run(tmp_path, url, FEED_ARCHIVE_MAX_TEXT_BYTES=5_000)
    assert again.counts["unchanged"] == 1
    assert not list(tmp_path.rglob("*.md.txt"))


# --- tables: no amplification between the feed's HTML and the page -------------------------


def _page_html(feed_html: str) -> tuple[str, str]:
    markdown = clean.to_markdown(sanitize(feed_html, "https://fil.example/"))
    return markdown, body_html(markdown) or ""


def test_a_spanning_cell_does_not_widen_every_row() -> None:
    """colspan=1000 over one-cell rows (57 KB) made 5.3 MB of page: now a one-column table."""
    table = '<table><tr><td colspan="1000">x</td></tr>' + "<tr><td>y</td></tr>" * 3000 + "</table>"
    markdown, html = _page_html(table)
    assert html.count("<td>y</td>") == 3000
    assert len(html) < 2 * len(table), (len(table), len(markdown), len(html))


def test_ragged_rows_are_written_whole_so_the_text_cap_bounds_the_page() -> None:
    """Short rows are padded in the Markdown: at most 5 bytes of page per byte of Markdown."""
    wide = "<tr>" + "".join(f"<th>c{n}</th>" for n in range(200)) + "</tr>"
    table = "<table>" + wide + "<tr><td>y</td></tr>" * 500 + "</table>"
    markdown, html = _page_html(table)
    assert html.count("<td") == 200 * 500
    assert len(html) <= 5 * len(markdown), (len(markdown), len(html))


def test_a_row_longer_than_the_first_keeps_its_cells() -> None:
    """GFM drops cells beyond the header's count: every row is as wide as the widest."""
    table = "<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td><td>3</td></tr></table>"
    _, html = _page_html(table)
    assert all(f"<td>{n}</td>" in html for n in (1, 2, 3)), html
