"""Production builds (publishconf.py) served under a sub-path and at the root: no broken link,
sitemap, robots.txt, feeds, canonical and Open Graph tags; `invoke publish` to a bare repo."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import linkcheck
from conftest import SAMPLE_1, SAMPLE_2, copy_project, fetch_into, run_invoke


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with both sample snapshots archived (built by each test)."""
    project = copy_project(tmp_path_factory.mktemp("publish") / "project")
    include_seo_partial(project / "theme" / "templates" / "base.html")
    fetch_into(project / "content", SAMPLE_1)
    fetch_into(project / "content", SAMPLE_2)
    return project


def include_seo_partial(base: Path) -> None:
    """Include partials/seo.html in a copy's base.html, as the theme should, if it does not yet."""
    text = base.read_text(encoding="utf-8")
    if "partials/seo.html" in text or 'rel="canonical"' in text:
        return
    head = text.index("</head>")
    base.write_text(text[:head] + '{% include "partials/seo.html" %}\n' + text[head:], "utf-8")


def preview(project: Path, siteurl: str) -> Path:
    """`invoke preview --siteurl SITEURL` in the project; return its output/."""
    result = run_invoke(project, "preview", "--siteurl", siteurl)
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "output"


def crawl(output: Path, siteurl: str) -> linkcheck.LinkReport:
    """Check every link of the served site, starting at its home, robots.txt and 404 page."""
    extra = [f"{siteurl}/robots.txt", f"{siteurl}/feeds/all.atom.xml"]
    if (output / "404.html").exists():
        extra.append(f"{siteurl}/404.html")
    return linkcheck.check_site(siteurl + "/", extra=extra)


def assert_whole_site_checked(report: linkcheck.LinkReport, output: Path, siteurl: str) -> None:
    """No broken link, and the crawl reached every page, the sitemap and the search index."""
    assert not report.broken, "broken links:\n" + report.describe()
    articles = list(output.glob("20[0-9][0-9]/[01][0-9]/[0-3][0-9]/*/index.html"))
    assert len(articles) > 10
    for article in articles:
        url = f"{siteurl}/{article.parent.relative_to(output).as_posix()}/"
        assert report.status.get(url) == 200, f"never reached {url}"
    html_files = [p for p in output.rglob("*.html") if "pagefind" not in p.parts]
    assert len(report.pages) >= len(html_files) - 1  # all but, at most, an unlinked 404.html
    assert report.status[f"{siteurl}/sitemap.xml"] == 200
    if (output / "pagefind").is_dir():
        search = [url for url in report.status if "/pagefind/" in url]
        assert any(url.endswith(".pf_fragment") for url in search), search[:5]
        assert any(url.endswith(".pf_index") for url in search)
        assert any(url.endswith(".pagefind") for url in search)


def test_link_checker_finds_what_is_broken(tmp_path: Path, serve_dir) -> None:
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text(
        '<link rel="stylesheet" href="css/site.css"><a href="ok.html#top">ok</a>'
        '<a href="missing.html">gone</a><a href="/outside.html">escapes the sub-path</a>'
        '<img src="img.png" srcset="img.png 1x, big.png 2x"><a href="https://example.org/x">x</a>'
        '<a href="mailto:a@example.org">mail</a><div data-bundle="pagefind/"></div>',
        encoding="utf-8",
    )
    (site / "ok.html").write_text(
        '<html lang="en"><body><a href="./">home</a><h1 id="top">ok</h1><p>Words to index.</p>'
        "</body></html>",
        encoding="utf-8",
    )
    (site / "css" / "site.css").write_text("body{background:url(../bg.png)}", encoding="utf-8")
    (site / "img.png").write_bytes(b"png")
    subprocess.run(
        [*linkcheck_pagefind(), "--site", str(site), "--glob", "ok.html"],
        check=True,
        capture_output=True,
    )
    fragment = next((site / "pagefind" / "fragment").iterdir())
    fragment.unlink()
    base = serve_dir(site, "/sub/")
    report = linkcheck.check_site(base)
    assert set(report.broken) == {
        base + "missing.html",
        base.replace("/sub/", "/outside.html"),
        base + "big.png",
        base + "bg.png",
        base + f"pagefind/fragment/{fragment.name}",
    }, report.describe()
    assert report.status[base + "ok.html"] == 200
    assert report.status[base + "pagefind/pagefind-entry.json"] == 200
    assert not any("example.org" in url for url in report.status)
    assert base + "index.html" not in report.status and base in report.pages


def linkcheck_pagefind() -> list[str]:
    """The command that runs the pagefind binary installed with the project."""
    import sys

    return [sys.executable, "-m", "pagefind"]


def test_subpath_build_has_no_broken_link(project: Path, serve_dir) -> None:
    output = project / "output"
    output.mkdir(exist_ok=True)
    siteurl = serve_dir(output, "/my-archive/").rstrip("/")
    preview(project, siteurl)
    report = crawl(output, siteurl)
    assert_whole_site_checked(report, output, siteurl)
    # Every page links inside the sub-path: nothing on the server outside it was ever wanted.
    assert all(urlsplit(url).path.startswith("/my-archive/") for url in report.status)


def test_root_build_has_no_broken_link(project: Path, serve_dir) -> None:
    output = project / "output"
    output.mkdir(exist_ok=True)
    siteurl = serve_dir(output, "/").rstrip("/")
    preview(project, siteurl)
    assert_whole_site_checked(crawl(output, siteurl), output, siteurl)


def test_production_site_has_sitemap_robots_feeds_and_meta(project: Path) -> None:
    siteurl = "https://someone.github.io/my-archive"
    output = preview(project, siteurl + "/")
    robots = (output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {siteurl}/sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots

    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    articles = sorted(output.glob("20[0-9][0-9]/[01][0-9]/[0-3][0-9]/*/index.html"))
    for article in articles:
        assert f"{siteurl}/{article.parent.relative_to(output).as_posix()}/" in locs
    assert all(loc.startswith(siteurl + "/") for loc in locs)
    assert not any(loc.endswith("robots.txt") for loc in locs)

    feed = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert f'href="{siteurl}/' in feed and 'href="/' not in feed

    html = articles[0].read_text(encoding="utf-8")
    url = f"{siteurl}/{articles[0].parent.relative_to(output).as_posix()}/"
    assert re.search(rf'<link rel="canonical" href="{re.escape(url)}"\s*/?>', html), html[:2000]
    assert re.search(rf'<meta property="og:url" content="{re.escape(url)}"', html)
    assert '<meta property="og:type" content="article"' in html
    title = re.search(r'<meta property="og:title" content="([^"]+)"', html)
    assert title and title.group(1).strip()
    for key in ("og:site_name", "og:description"):
        assert f'<meta property="{key}" content="' in html
    texts = [a.read_text(encoding="utf-8") for a in articles]
    (updated,) = [t for t in texts if '<meta property="og:title" content="[MàJ]' in t]
    assert '<meta property="article:modified_time" content="20' in updated
    # Every link of the production site carries the sub-path: links inside the site are
    # root-relative ("/my-archive/…"), canonical and Open Graph URLs absolute.
    links = re.findall(r'(?:href|src)="([^"]*)', html)
    outside = ("https://fil-numerique", "data:", "#")
    inside = [link for link in links if not link.startswith(outside)]
    assert len(inside) > 10
    assert all(link.startswith(("/my-archive/", siteurl + "/")) for link in inside), inside


def test_publish_pushes_the_built_site_to_gh_pages(tmp_path: Path, project: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    siteurl = "https://someone.github.io/my-archive"
    result = run_invoke(project, "publish", "--remote", str(remote), "--siteurl", siteurl)
    assert result.returncode == 0, result.stdout + result.stderr

    def remote_git(*args: str) -> bytes:
        return subprocess.run(
            ["git", "--git-dir", str(remote), *args], check=True, capture_output=True
        ).stdout

    files = set(remote_git("ls-tree", "-r", "--name-only", "gh-pages").decode().split())
    output = project / "output"
    built = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    assert files == built | {".nojekyll"}
    assert {"index.html", "sitemap.xml", "robots.txt", "feeds/all.atom.xml"} <= files
    assert remote_git("show", "gh-pages:index.html") == (output / "index.html").read_bytes()
    assert siteurl.encode() in remote_git("show", "gh-pages:sitemap.xml")
    assert remote_git("log", "-1", "--format=%s", "gh-pages").decode().strip().endswith(siteurl)
