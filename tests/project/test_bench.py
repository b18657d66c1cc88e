"""The benchmark harness runs end to end (--quick) and prints every scenario's line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import feedserver
import hugosite
import synth

SCENARIO_LINES = (
    "[1] ingest",
    "[1] re-fetch",
    "[4] vanilla",
    "[2] full build",
    "[3] incremental",
    "[5] output",
    "[5] projection",
    "[5] memory",
)


@pytest.mark.slow
def test_quick_bench_prints_every_scenario(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--work", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for prefix in SCENARIO_LINES:
        assert any(line.startswith(prefix) for line in lines), f"no {prefix!r} line:\n{done.stdout}"
    refetch = next(line for line in lines if line.startswith("[1] re-fetch"))
    assert "1 request(s), HTTP 304, 0 files written" in refetch and refetch.endswith("OK")
    assert "median" in next(line for line in lines if line.startswith("[2] full build"))
    hugo = [line for line in lines if line.startswith("[4] hugo+pagefind")]
    if shutil.which("hugo"):
        assert len(hugo) == 1 and "150 pages indexed" in hugo[0], done.stdout
        assert "Hugo+Pagefind (CPU" in next(ln for ln in lines if ln.startswith("[2] full build"))
    else:
        assert hugo == [f"[4] hugo+pagefind skipped: {hugosite.MISSING}"], done.stdout


def test_hugo_is_skipped_in_one_line_without_the_hugo_command(monkeypatch) -> None:
    import run

    monkeypatch.setattr(hugosite.shutil, "which", lambda name: None)
    args = run.parse_args(["--quick"])
    assert run.comparisons(args, set()) == (
        True,
        False,
        "[4] hugo+pagefind skipped: hugo not found: apt-get install hugo",
    )
    assert run.comparisons(run.parse_args(["--no-hugo"]), {"2"}) == (True, False, "")


def test_hugo_pages_keep_title_date_slug_tags_and_body(tmp_path) -> None:
    (post,) = synth.write_archive(tmp_path / "content", 1)
    site = tmp_path / "site"
    assert hugosite.write_site(tmp_path / "content", site, 7) == 1
    assert "\npaginate = 7\n" in (site / "hugo.toml").read_text(encoding="utf-8")
    (page,) = (site / "content" / "posts").rglob("*.md")
    matter, _, body = page.read_text(encoding="utf-8").partition("}\n\n")
    matter = json.loads(matter + "}")
    item = synth.make_post(synth.Item(0, 1))
    assert matter["title"] == item.title and matter["slug"] == item.slug
    assert matter["date"] == item.date.replace(" ", "T")
    assert matter["tags"] == list(item.tags)
    assert body == post.read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert page.parent.relative_to(site / "content" / "posts").as_posix() == item.date[:7].replace(
        "-", "/"
    )


def test_synthetic_feed_is_a_valid_rss_of_n_items() -> None:
    import feedparser

    data = synth.feed_xml(20)
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    assert len(parsed.entries) == 20
    assert len({e.id for e in parsed.entries}) == 20
    assert all(e.content[0].value.count("<p") >= 3 for e in parsed.entries if "☕" not in e.title)
    assert 4_000 < len(data) / 20 < 12_000


def test_synthetic_archive_is_varied_and_readable_by_pelican(tmp_path) -> None:
    paths = synth.write_archive(tmp_path / "content", 60)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert len(set(paths)) == 60
    assert any("\nModified: " in t for t in texts)
    assert any("\nPaywalled: true" in t for t in texts)
    assert any(t.startswith("Title: ☕️") for t in texts)
    years = {t.split("\nDate: ")[1][:4] for t in texts}
    assert len(years) >= 5
    words = [len(t.split("\n\n", 1)[1].split()) for t in texts if not t.startswith("Title: ☕️")]
    assert 400 < sum(words) / len(words) < 900


def test_feed_server_answers_304_to_its_validators() -> None:
    import httpx

    with feedserver.FeedServer(b"<rss/>") as server:
        first = httpx.get(server.url)
        again = httpx.get(server.url, headers={"If-None-Match": first.headers["ETag"]})
    assert (first.status_code, again.status_code) == (200, 304)
    assert [status for _, _, status in server.log] == [200, 304]


def test_projection_caps_the_feeds_and_extends_the_rest_linearly() -> None:
    import run

    small = {"total": 1_100, "feeds": 100, "feed_files": 10}
    large = {"total": 2_150, "feeds": 150, "feed_files": 10}  # feeds full: only entries change
    model, naive, how = run.project([(1_000, small), (2_000, large)], 100_000)
    assert model == 100_000 + 10 * 15, "1 byte per item elsewhere; 10 feeds of 15 bytes"
    assert naive == 2_150 + 1.05 * 98_000
    assert "1,000 and 2,000" in how
    more = {"total": 2_200, "feeds": 200, "feed_files": 20}  # new tags bring new feeds
    model, _, _ = run.project([(1_000, small), (2_000, more)], 100_000)
    assert model == 100_000 + (20 + 10 / 1_000 * 98_000) * 10
    alone, same, how = run.project([(2_000, large)], 100_000)
    assert alone == same == 2_150 * 50 and "proportional" in how
