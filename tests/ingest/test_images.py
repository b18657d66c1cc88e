"""Preserved images: fetched from a real local HTTP server, content-addressed, built by Pelican."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from werkzeug import Response

from conftest import archive_config, build_site
from feed_archive import post
from feed_archive.ingest import archive, images


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88"
    b"\xfe\x07\x00"
)
BIG_JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 5000


def _feed(base: str, images_html: str, enclosure: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Images</title><link>{base}/</link>
<item><title>Un article illustré</title><link>{base}/post/1</link><guid>{base}/?p=1</guid>
<pubDate>Mon, 03 Nov 2025 09:00:00 +0100</pubDate>{enclosure}
<content:encoded><![CDATA[<p>Texte.</p>{images_html}]]></content:encoded></item>
</channel></rss>""".encode()


def _serve(httpserver, slow: bool = False) -> str:
    httpserver.expect_request("/img/a.png").respond_with_data(PNG, content_type="image/png")
    httpserver.expect_request("/img/b.gif").respond_with_data(GIF, content_type="image/gif")
    httpserver.expect_request("/img/c.webp").respond_with_data(
        WEBP, content_type="application/octet-stream"
    )
    httpserver.expect_request("/img/fake.png").respond_with_data(
        "<html>not an image</html>", content_type="image/png"
    )
    httpserver.expect_request("/img/big.jpg").respond_with_data(BIG_JPEG, content_type="image/jpeg")
    httpserver.expect_request("/img/missing.png").respond_with_data("no", status=404)

    def sleepy(request):
        time.sleep(1.5)
        return Response(PNG, content_type="image/png")

    httpserver.expect_request("/img/slow.png").respond_with_handler(sleepy)
    return httpserver.url_for("").rstrip("/")


def _requests(httpserver, path: str) -> int:
    return sum(1 for request, _ in httpserver.log if request.path == path)


def _run(content: Path, url: str, images_on: bool = True, **overrides):
    source = {"url": url, "name": "Images", "images": images_on}
    # the images are on this machine's test server: allowed explicitly (see test_private_networks)
    overrides.setdefault("FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS", ["127.0.0.0/8", "::1/128"])
    config = archive_config(content, source, FEED_ARCHIVE_IMAGE_TIMEOUT=0.5, **overrides)
    (report,) = archive.run(config)
    assert not report.failed, report.error
    return report


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_sniff_checks_magic_bytes() -> None:
    assert images.sniff(PNG) == "png"
    assert images.sniff(GIF) == "gif"
    assert images.sniff(WEBP) == "webp"
    assert images.sniff(BIG_JPEG) == "jpg"
    assert images.sniff(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf") == "avif"
    assert images.sniff(b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif") == "avif"
    assert images.sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") is None
    assert images.sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert images.sniff(b"<html>") is None


def test_protect_and_restore_only_local_archive_paths() -> None:
    local = "images/archive/ab/" + "ab" * 32 + ".png"
    html = f'<img src="{{static}}/{local}" title="x"><img src="{{static}}/../secret.png">'
    protected = post.protect_local(html)
    assert post.images.PLACEHOLDER + local in protected and "{static}/../secret.png" in protected
    assert post.restore_local(protected) == html
    forged = '<img src="https://feed-archive.invalid/static/../../etc/passwd.png">'
    assert post.restore_local(forged) == forged


def test_images_are_archived_and_the_post_points_to_them(
    tmp_path: Path, httpserver, caplog
) -> None:
    base = _serve(httpserver)
    tags = "".join(
        f'<img src="/img/{name}" alt="{alt}">'
        for name, alt in [
            ("a.png", "Un graphique"),
            ("b.gif", "Une animation"),
            ("fake.png", "Faux"),
            ("missing.png", "Absent"),
            ("big.jpg", "Trop gros"),
        ]
    )
    enclosure = f'<enclosure url="{base}/img/c.webp" type="image/webp" length="10"/>'
    httpserver.expect_request("/feed.xml").respond_with_data(
        _feed(base, tags, enclosure), content_type="application/rss+xml"
    )
    content = tmp_path / "content"
    with caplog.at_level(logging.WARNING, logger="feed_archive.ingest.images"):
        report = _run(content, f"{base}/feed.xml", FEED_ARCHIVE_IMAGE_MAX_BYTES=4000)
    assert report.counts["new"] == 1
    (post,) = (content / "archive").rglob("*.md")
    text = post.read_text("utf-8")
    for data, ext, name, alt in [
        (PNG, "png", "a.png", "Un graphique"),
        (GIF, "gif", "b.gif", "Une animation"),
        (WEBP, "webp", "c.webp", ""),
    ]:
        digest = _sha(data)
        stored = content / "images" / "archive" / digest[:2] / f"{digest}.{ext}"
        assert stored.read_bytes() == data
        local = f"{{static}}/images/archive/{digest[:2]}/{digest}.{ext}"
        assert f'![{alt}]({local} "{base}/img/{name}")' in text
    for name in ("fake.png", "missing.png", "big.jpg"):
        assert f"]({base}/img/{name})" in text  # the remote URL is kept
    assert len(list((content / "images").rglob("*.*"))) == 3
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 3
    assert any("fake.png" in w and "not a JPEG/PNG/GIF/WebP/AVIF image" in w for w in warnings)
    assert any("missing.png" in w and "HTTP 404" in w for w in warnings)
    assert any("big.jpg" in w and "image larger than the 4 KiB limit" in w for w in warnings)
    index = json.loads((content / "archive" / images.INDEX_NAME).read_text("utf-8"))
    assert index[f"{base}/img/a.png"]["path"].endswith(f"{_sha(PNG)}.png")
    assert index[f"{base}/img/missing.png"] == {"failed": True}  # the reason is in the log only

    # Fetching again: nothing downloaded, nothing logged, the post is unchanged.
    caplog.clear()
    before = post.read_bytes()
    with caplog.at_level(logging.WARNING, logger="feed_archive.ingest.images"):
        again = _run(content, f"{base}/feed.xml", FEED_ARCHIVE_IMAGE_MAX_BYTES=4000)
    assert again.counts["unchanged"] == 1 and again.counts["updated"] == 0
    assert post.read_bytes() == before
    assert caplog.records == []
    assert _requests(httpserver, "/img/a.png") == 1
    assert _requests(httpserver, "/img/missing.png") == 1

    # Pelican copies the images and the page shows the local copy, the original URL kept.
    output = build_site(content, tmp_path / "output")
    digest = _sha(PNG)
    assert (output / "images" / "archive" / digest[:2] / f"{digest}.png").read_bytes() == PNG
    (page,) = output.glob("2025/11/03/*/index.html")
    html = page.read_text("utf-8")
    img = re.search(r"<img[^>]*Un graphique[^>]*>", html)
    assert img, html
    assert f'src="/images/archive/{digest[:2]}/{digest}.png"' in img.group(0)
    assert f'title="{base}/img/a.png"' in img.group(0)
    assert f'src="{base}/img/missing.png"' in html
    assert "feed-archive.invalid" not in html and "{static}" not in html


def test_per_feed_budget_and_opt_in(tmp_path: Path, httpserver, caplog) -> None:
    base = _serve(httpserver)
    tags = '<img src="/img/a.png" alt="a"><img src="/img/b.gif" alt="b">'
    httpserver.expect_request("/feed.xml").respond_with_data(
        _feed(base, tags), content_type="application/rss+xml"
    )
    content = tmp_path / "content"
    # Off by default: no image request at all.
    _run(content / "off", f"{base}/feed.xml", images_on=False)
    assert _requests(httpserver, "/img/a.png") == 0
    assert not (content / "off" / "images").exists()
    # A per-feed budget that holds the PNG only: the GIF stays remote, said once, retried later.
    with caplog.at_level(logging.WARNING, logger="feed_archive.ingest.images"):
        _run(content, f"{base}/feed.xml", FEED_ARCHIVE_IMAGES_FEED_MAX_BYTES=len(PNG) + 10)
    (post,) = (content / "archive").rglob("*.md")
    text = post.read_text("utf-8")
    assert "{static}/images/archive/" in text and f"]({base}/img/b.gif)" in text
    assert [r.getMessage() for r in caplog.records if "budget" in r.getMessage()]
    index = json.loads((content / "archive" / images.INDEX_NAME).read_text("utf-8"))
    assert f"{base}/img/b.gif" not in index
    # Next run has a fresh budget: the GIF is archived, and the post updated once.
    report = _run(content, f"{base}/feed.xml", FEED_ARCHIVE_IMAGES_FEED_MAX_BYTES=len(GIF) + 10)
    assert report.counts["updated"] == 1
    assert f"]({base}/img/b.gif)" not in post.read_text("utf-8")


def test_slow_image_times_out(tmp_path: Path, httpserver, caplog) -> None:
    base = _serve(httpserver)
    httpserver.expect_request("/feed.xml").respond_with_data(
        _feed(base, '<img src="/img/slow.png" alt="lent">'), content_type="application/rss+xml"
    )
    content = tmp_path / "content"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="feed_archive.ingest.images"):
        _run(content, f"{base}/feed.xml")
    assert time.monotonic() - started < 1.4
    (post,) = (content / "archive").rglob("*.md")
    assert f"]({base}/img/slow.png)" in post.read_text("utf-8")
    (message,) = [r.getMessage() for r in caplog.records]
    assert "slow.png" in message and "no answer for 0.5 s" in message


@pytest.mark.slow
def test_invoke_commit_includes_preserved_images(tmp_path: Path) -> None:
    import subprocess

    from conftest import SAMPLE_1, copy_project, fetch_into, run_invoke

    project = copy_project(tmp_path / "project")
    fetch_into(project / "content", SAMPLE_1)
    digest = _sha(PNG)
    stored = project / "content" / "images" / "archive" / digest[:2] / f"{digest}.png"
    stored.parent.mkdir(parents=True)
    stored.write_bytes(PNG)
    result = run_invoke(project, "commit")
    assert result.returncode == 0, result.stderr
    tracked = subprocess.run(
        ["git", "-C", str(project), "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert f"content/images/archive/{digest[:2]}/{digest}.png" in tracked
    assert sum(p.endswith(".md") for p in tracked) > 20
