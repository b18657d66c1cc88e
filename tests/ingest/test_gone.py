"""Disappearances recorded by real fetch runs: items withdrawn from a feed, source pages gone.

The feed and the articles' pages are served by pytest-httpserver on 127.0.0.1, which the
link checks may reach only because FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS lists it.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug import Response

from conftest import archive_config
from feed_archive.ingest import archive
from feed_archive.post import read_header
from feed_archive.post.gone import LEFT_FEED, SIDECAR_NAME, SOURCE_GONE, Disappearances
from feedmaker import rss

LOCAL = ["127.0.0.0/8", "::1/128"]
START = datetime(2025, 11, 10, 8, 0, tzinfo=UTC)


def _item(n: int, base: str = "https://fil.example") -> dict:
    day = START - timedelta(days=n)
    return {
        "title": f"Article {n}",
        "link": f"{base}/article-{n}",
        "guid": f"urn:gone:{n}",
        "date": day.strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "html": f"<p>Texte de l'article {n}.</p>",
    }


def _run(content: Path, url: str, when: datetime, **overrides) -> tuple:
    """One fetch run of the feed at `url`; returns (feed report, link report)."""
    overrides.setdefault("FEED_ARCHIVE_LINK_CHECKS", 0)
    overrides.setdefault("FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS", LOCAL)
    config = archive_config(content, {"url": url, "name": "Le Fil"}, **overrides)
    links = []
    (report,) = archive.run(config, now=when, on_links=links.append)
    assert not report.failed, report.error
    return report, links[0]


def _check(content: Path, **overrides):
    """A fetch run of no feed: only the link checks; returns their report."""
    overrides.setdefault("FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS", LOCAL)
    config = archive_config(content, {"url": "file:///unused", "name": "Le Fil"}, **overrides)
    links = []
    assert archive.run(config, (), now=START, on_links=links.append) == []
    return links[0]


def _gone(content: Path) -> Disappearances:
    return Disappearances.load(content / "archive" / SIDECAR_NAME)


def _post_of(content: Path, number: int) -> str:
    for path in (content / "archive").rglob("*.md"):
        if read_header(path.read_text(encoding="utf-8")).get("guid") == f"urn:gone:{number}":
            return path.relative_to(content / "archive").as_posix()
    raise AssertionError(number)


def _serve_feed(httpserver, items: list[dict]) -> str:
    httpserver.clear()
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    return httpserver.url_for("/feed.xml")


def test_a_withdrawn_item_is_marked_and_a_scrolled_out_one_is_not(tmp_path, httpserver):
    url = _serve_feed(httpserver, [_item(n) for n in range(1, 6)])  # 1 newest … 5 oldest
    _run(tmp_path, url, START)
    # Two new items; item 3 withdrawn (1, 2, 4 remain: 4 is older); item 5 scrolled out.
    url = _serve_feed(httpserver, [_item(n) for n in (-1, 0, 1, 2, 4)])
    report, _ = _run(tmp_path, url, START + timedelta(hours=1))
    assert report.withdrawn == 1
    assert "1 withdrawn" in report.line()
    gone = _gone(tmp_path)
    assert gone.marks(_post_of(tmp_path, 3))[LEFT_FEED].seen == "2025-11-10 10:00:00+01:00"
    assert gone.marks(_post_of(tmp_path, 5)) == {}
    assert gone.marks(_post_of(tmp_path, 4)) == {}
    assert (tmp_path / "archive" / _post_of(tmp_path, 3)).exists(), "nothing is deleted"


def test_a_withdrawn_item_that_comes_back_is_cleared_and_its_history_kept(tmp_path, httpserver):
    url = _serve_feed(httpserver, [_item(n) for n in range(1, 5)])
    _run(tmp_path, url, START)
    _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in (1, 3, 4)]), START)
    rel = _post_of(tmp_path, 2)
    assert LEFT_FEED in _gone(tmp_path).marks(rel)
    # Still missing at the next run: still marked, with the date it was first missed.
    later = START + timedelta(days=1)
    report, _ = _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in (1, 3, 4)]), later)
    assert report.withdrawn == 0
    assert _gone(tmp_path).marks(rel)[LEFT_FEED].seen.startswith("2025-11-10 09:00")
    _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in range(1, 5)]), later)
    gone = _gone(tmp_path)
    assert gone.marks(rel) == {}
    assert [e.state for e in gone.items[rel]] == ["marked", "cleared"]


def test_the_first_run_marks_nothing(tmp_path, httpserver):
    url = _serve_feed(httpserver, [_item(n) for n in (1, 3)])
    report, _ = _run(tmp_path, url, START)
    assert report.withdrawn == 0
    assert not (tmp_path / "archive" / SIDECAR_NAME).exists(), "no sidecar without a mark"


def test_an_unreadable_sidecar_is_never_overwritten(tmp_path, httpserver, caplog):
    url = _serve_feed(httpserver, [_item(n) for n in range(1, 5)])
    _run(tmp_path, url, START)
    sidecar = tmp_path / "archive" / SIDECAR_NAME
    sidecar.write_text('{"format": 1, "items": {', encoding="utf-8")  # a bad merge
    report, _ = _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in (1, 3, 4)]), START)
    assert report.counts["unchanged"] == 3, "the feed is archived all the same"
    assert sidecar.read_text(encoding="utf-8") == '{"format": 1, "items": {'
    assert any(SIDECAR_NAME in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)


def _archive_with_links(tmp_path: Path, httpserver, count: int = 3) -> Path:
    base = httpserver.url_for("/").rstrip("/")
    url = _serve_feed(httpserver, [_item(n, base) for n in range(1, count + 1)])
    _run(tmp_path, url, START)
    return tmp_path


@pytest.mark.parametrize(
    "answer",
    [
        Response(status=404),
        Response(status=410),
        Response(status=301, headers={"Location": "/"}),
        Response(status=302, headers={"Location": "https://www.fil.example/"}),
    ],
    ids=["404", "410", "redirect-home", "redirect-other-home"],
)
def test_a_gone_source_is_marked_and_cleared_when_it_answers_200(tmp_path, httpserver, answer):
    content = _archive_with_links(tmp_path, httpserver, 1)
    rel = _post_of(content, 1)
    seen = []
    httpserver.clear()
    httpserver.expect_request("/article-1", method="HEAD").respond_with_handler(
        lambda request: seen.append(request.headers.get("User-Agent")) or answer
    )
    links = _check(content, FEED_ARCHIVE_LINK_CHECKS=5)
    mark = _gone(content).marks(rel)[SOURCE_GONE]
    assert (links.checked, links.gone) == (1, 1)
    assert mark.status == answer.status_code
    assert mark.seen == "2025-11-10 09:00:00+01:00"
    if answer.status_code in (301, 302):
        assert mark.location.endswith("/") and "article" not in mark.location
    assert seen == ["feed-archive/1.0 (+https://github.com/; Pelican plugin)"]
    httpserver.clear()
    httpserver.expect_request("/article-1", method="HEAD").respond_with_data("", status=200)
    links = _check(content, FEED_ARCHIVE_LINK_CHECKS=5)
    assert links.back == 1
    assert _gone(content).marks(rel) == {}
    assert [e.state for e in _gone(content).items[rel]] == ["marked", "cleared"]


def test_head_refused_asks_again_with_get_and_other_answers_change_nothing(tmp_path, httpserver):
    content = _archive_with_links(tmp_path, httpserver, 2)
    httpserver.clear()
    httpserver.expect_request("/article-1", method="HEAD").respond_with_data("", status=405)
    httpserver.expect_request("/article-1", method="GET").respond_with_data("", status=404)
    httpserver.expect_request("/article-2").respond_with_data("", status=503)
    links = _check(content, FEED_ARCHIVE_LINK_CHECKS=5)
    assert (links.checked, links.gone, links.unanswered) == (2, 1, 1)
    assert "2 checked, 1 gone, 0 back, 1 unanswered" in links.line()
    assert SOURCE_GONE in _gone(content).marks(_post_of(content, 1))
    assert _gone(content).marks(_post_of(content, 2)) == {}


def test_rotation_checks_different_links_across_runs(tmp_path, httpserver):
    content = _archive_with_links(tmp_path, httpserver, 5)
    asked: list[str] = []
    httpserver.clear()
    httpserver.expect_request("/", method="HEAD").respond_with_data("")  # never asked
    for n in range(1, 6):
        httpserver.expect_request(f"/article-{n}", method="HEAD").respond_with_handler(
            lambda request: asked.append(request.path) or Response(status=200)
        )
    runs = []
    for _ in range(3):
        _check(content, FEED_ARCHIVE_LINK_CHECKS=2)
        runs.append(asked[:])
        asked.clear()
    assert [len(r) for r in runs] == [2, 2, 2]
    assert set(runs[0]).isdisjoint(runs[1]), runs
    assert len(set(runs[0] + runs[1] + runs[2][:1])) == 5, "every link within three runs"
    assert runs[2][1] == runs[0][0], "the rotation wraps around"


def test_the_time_budget_is_respected_with_a_slow_server(tmp_path, httpserver):
    content = _archive_with_links(tmp_path, httpserver, 4)
    httpserver.clear()

    def slow(request):
        time.sleep(3)
        return Response(status=404)

    httpserver.expect_request("/article-1", method="HEAD").respond_with_handler(slow)
    httpserver.expect_request("/article-2", method="HEAD").respond_with_handler(slow)
    began = time.monotonic()
    links = _check(
        content,
        FEED_ARCHIVE_LINK_CHECKS=20,
        FEED_ARCHIVE_LINK_CHECK_SECONDS=1.0,
    )
    elapsed = time.monotonic() - began
    assert elapsed < 2.5, elapsed
    assert links.out_of_time and links.seconds < 1.5
    assert "time budget reached" in links.line()
    assert not (content / "archive" / SIDECAR_NAME).exists(), "no answer, no mark"
    state = json.loads((content / "archive" / ".feed-archive-state.json").read_text("utf-8"))
    assert (links.checked, links.unanswered) == (1, 1), "the first slow link was cut short"
    assert state["link-checks"]["next"] == _post_of(content, 2), "the next run goes on"


def test_zero_disables_the_checks(tmp_path, httpserver):
    content = _archive_with_links(tmp_path, httpserver, 1)
    httpserver.clear()
    links = _check(content, FEED_ARCHIVE_LINK_CHECKS=5, FEED_ARCHIVE_LINK_CHECK_SECONDS=0)
    assert not links.enabled and httpserver.log == []


SECRET = "s3cr+t/K3y"


def test_no_link_is_checked_with_the_secret_nor_outside_the_allowed_networks(
    tmp_path, httpserver, monkeypatch
):
    monkeypatch.setenv("GONE_FEED_KEY", SECRET)  # the environment, as the workflow sets it
    base = httpserver.url_for("/").rstrip("/")
    items = [_item(n, base) for n in range(1, 4)]
    items[0]["link"] += f"?key={SECRET}"  # the feed repeats its key in a link
    httpserver.expect_request("/feed.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    source = {"url": base + "/feed.xml?k={secret}", "name": "Le Fil", "secret_env": "GONE_FEED_KEY"}
    config = archive_config(tmp_path, source, FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=LOCAL)
    archive.run(config, now=START)
    # A hand-edited post holding the key itself (not its redaction) is not checked either.
    path = tmp_path / "archive" / _post_of(tmp_path, 2)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("/article-2", f"/article-2?k={SECRET}"), encoding="utf-8")
    httpserver.clear()
    httpserver.expect_request("/article-3").respond_with_data("", status=404)
    reports = []
    config = archive_config(
        tmp_path, source, FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=LOCAL, FEED_ARCHIVE_LINK_CHECKS=20
    )
    archive.run(config, (), now=START, on_links=reports.append)
    asked = [request.full_path for request, _ in httpserver.log]
    assert asked == ["/article-3?"], asked
    assert (reports[0].checked, reports[0].secret, reports[0].gone) == (1, 2, 1)
    # Without the allow-list, a link to this machine is never asked.
    httpserver.clear()
    config = archive_config(tmp_path, source, FEED_ARCHIVE_LINK_CHECKS=20)
    archive.run(config, (), now=START, on_links=reports.append)
    assert httpserver.log == []
    assert (reports[1].checked, reports[1].unanswered) == (1, 1)


def test_a_pinned_old_item_does_not_make_scrolled_out_items_look_withdrawn(tmp_path, httpserver):
    """One old item kept at the end of the feed (a pinned post) is not "an older item remains"."""
    pinned = _item(400)
    url = _serve_feed(httpserver, [*(_item(n) for n in range(1, 6)), pinned])
    _run(tmp_path, url, START)
    # A new item arrives and the oldest dated one (5) scrolls out; the pinned post stays.
    url = _serve_feed(httpserver, [*(_item(n) for n in range(0, 5)), pinned])
    report, _ = _run(tmp_path, url, START + timedelta(hours=1))
    assert report.withdrawn == 0
    assert _gone(tmp_path).marks(_post_of(tmp_path, 5)) == {}


def test_dates_with_and_without_an_offset_are_compared() -> None:
    """A hand-written date without an offset is read as UTC, never a TypeError."""
    from feed_archive.ingest.disappear import withdrawn

    previous = {
        "a": "2025-11-10",
        "b": "2025-11-09 10:00:00+01:00",
        "c": "2025-11-08",
        "d": "2025-11-07",
    }
    listed = {"a": "2025-11-10", "c": "2025-11-08", "d": "2025-11-07"}
    assert withdrawn(previous, listed) == ["b"]


def test_withdrawals_while_the_sidecar_is_unreadable_are_marked_once_it_is_fixed(
    tmp_path, httpserver
):
    url = _serve_feed(httpserver, [_item(n) for n in range(1, 5)])
    _run(tmp_path, url, START)
    sidecar = tmp_path / "archive" / SIDECAR_NAME
    sidecar.write_text('{"format": 1, "items": {', encoding="utf-8")  # a bad merge
    _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in (1, 3, 4)]), START)
    sidecar.unlink()  # fixed by hand: the next run compares with the last recorded listing
    report, _ = _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in (1, 3, 4)]), START)
    assert report.withdrawn == 1
    assert LEFT_FEED in _gone(tmp_path).marks(_post_of(tmp_path, 2))


def test_a_sidecar_that_cannot_be_written_keeps_the_rest_of_the_state(tmp_path, httpserver):
    """The sidecar's write fails (immutable file): the run says so, and still saves its state."""
    import subprocess

    from test_faults import cannot_set_up

    _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in range(1, 5)]), START)
    _run(tmp_path, _serve_feed(httpserver, [_item(n) for n in (1, 3, 4)]), START)  # 2 marked
    sidecar = tmp_path / "archive" / SIDECAR_NAME
    state = tmp_path / "archive" / ".feed-archive-state.json"
    before = state.read_text(encoding="utf-8")
    if subprocess.run(["chattr", "+i", str(sidecar)], capture_output=True).returncode:
        cannot_set_up("cannot make a file immutable here (chattr +i)")
    try:
        url = _serve_feed(httpserver, [_item(n) for n in (1, 2, 3, 4)])  # 2 is back: a change
        config = archive_config(
            tmp_path,
            {"url": url, "name": "Le Fil"},
            FEED_ARCHIVE_LINK_CHECKS=0,
            FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=LOCAL,
        )
        with pytest.raises(archive.StoreError, match=SIDECAR_NAME):
            archive.run(config, now=START + timedelta(hours=1))
    finally:
        subprocess.run(["chattr", "-i", str(sidecar)], check=False)
    assert state.read_text(encoding="utf-8") != before, "the run's state was saved all the same"
