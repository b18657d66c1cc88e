"""The size and time caps at their shipped defaults: no test here overrides the cap it checks.

Every other test sets a cap small to stay quick; these serve just over and just under each
default from 127.0.0.1 (streamed, never held in memory twice), so a default multiplied or
divided by 1000 fails here. The time caps are real waits (marked slow).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.wrappers import Response

from conftest import archive_config, copy_project, run_invoke
from feed_archive.ingest import archive
from feed_archive.post import read_header, split_file
from feed_archive.settings import DEFAULTS

MIB = 1 << 20
HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<link>https://defaults.example/</link>"
)
TAIL = b"</channel></rss>"


#: The test server is on loopback: images from it need the opt-in (no cap depends on it).
LOOPBACK = {"FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS": ["127.0.0.0/8", "::1/128"]}


def fetch_once(content: Path, url: str, images: bool = False) -> archive.FeedReport:
    """One fetch of `url` with every cap at its default (images: loopback allowed)."""
    source = {"url": url, "name": "Défauts", "images": images}
    (report,) = archive.run(archive_config(content, source, **(LOOPBACK if images else {})))
    return report


def one_item(n: int = 1, extra: str = "", text: str = "Un texte.") -> bytes:
    """One RSS item."""
    return (
        f"<item><title>Article {n}</title><guid>urn:defaults:{n}</guid>{extra}"
        f"<description><![CDATA[{text}]]></description></item>"
    ).encode()


def padded_feed(size: int) -> Iterator[bytes]:
    """A valid one-item feed of exactly `size` bytes (white space between elements), in chunks."""
    start = HEAD + one_item()
    padding = size - len(start) - len(TAIL)
    yield start
    while padding > 0:
        chunk = min(padding, MIB)
        yield b" " * chunk
        padding -= chunk
    yield TAIL


# --- FEED_ARCHIVE_MAX_BYTES (20 MiB) ------------------------------------------------------------


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_feed_one_byte_over_20_mib_is_refused(
    httpserver: Any, tmp_path: Path, declared: bool
) -> None:
    """20 MiB + 1 byte: refused, with the limit named, whether declared or streamed."""
    assert DEFAULTS["FEED_ARCHIVE_MAX_BYTES"] == 20 * MIB
    size = 20 * MIB + 1
    headers = {"Content-Length": str(size)} if declared else {}

    def answer(_request: Any) -> Response:
        return Response(padded_feed(size), content_type="application/rss+xml", headers=headers)

    httpserver.expect_request("/big.xml").respond_with_handler(answer)
    report = fetch_once(tmp_path, httpserver.url_for("/big.xml"))
    assert report.line() == "Défauts: FAILED: feed larger than the 20 MiB limit"
    assert not list(tmp_path.rglob("*.md"))


def test_a_feed_of_exactly_20_mib_is_archived(httpserver: Any, tmp_path: Path) -> None:
    """20 MiB exactly: accepted and archived."""

    def answer(_request: Any) -> Response:
        return Response(padded_feed(20 * MIB), content_type="application/rss+xml")

    httpserver.expect_request("/full.xml").respond_with_handler(answer)
    report = fetch_once(tmp_path, httpserver.url_for("/full.xml"))
    assert report.line() == "Défauts: 1 new, 0 updated, 0 unchanged (HTTP 200)"


# --- FEED_ARCHIVE_MAX_REDIRECTS (5) ---------------------------------------------------------


@pytest.mark.parametrize(("hops", "ok"), [(5, True), (6, False)])
def test_five_redirects_are_followed_and_a_sixth_is_not(
    httpserver: Any, tmp_path: Path, hops: int, ok: bool
) -> None:
    """A chain of 5 redirects reaches the feed; 6 stop with the limit named."""
    for hop in range(hops):
        httpserver.expect_request(f"/hop{hop}").respond_with_data(
            "", status=302, headers={"Location": httpserver.url_for(f"/hop{hop + 1}")}
        )
    httpserver.expect_request(f"/hop{hops}").respond_with_data(HEAD + one_item() + TAIL)
    report = fetch_once(tmp_path, httpserver.url_for("/hop0"))
    if ok:
        assert report.counts["new"] == 1, report.line()
    else:
        assert report.line() == "Défauts: FAILED: more than 5 redirects"


# --- FEED_ARCHIVE_TIMEOUT (15 s) and FEED_ARCHIVE_TOTAL_TIMEOUT (60 s) --------------------------


class SlowServer:
    """A raw TCP server: sends `prefix`, then one byte of `rest` every `pause` seconds."""

    def __init__(self, prefix: bytes, rest: bytes = b"", pause: float = 1.0) -> None:
        self.prefix, self.rest, self.pause = prefix, rest, pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        """Where to fetch from."""
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed.xml"

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.prefix)
                for byte in self.rest:
                    if self.stop.wait(self.pause):
                        return
                    conn.sendall(bytes([byte]))
                self.stop.wait()
            except OSError:
                return

    def close(self) -> None:
        """Stop serving."""
        self.stop.set()
        self.sock.close()


@pytest.fixture
def slow_server() -> Iterator[Any]:
    """Start SlowServers; all are closed after the test."""
    servers: list[SlowServer] = []

    def start(prefix: bytes, rest: bytes = b"", pause: float = 1.0) -> SlowServer:
        servers.append(SlowServer(prefix, rest, pause))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _timed(content: Path, url: str) -> tuple[archive.FeedReport, float]:
    started = time.monotonic()
    report = fetch_once(content, url)
    return report, time.monotonic() - started


@pytest.mark.slow
def test_a_silent_server_is_left_after_15_seconds(slow_server: Any, tmp_path: Path) -> None:
    """Headers sent, then nothing: the read timeout (15 s) ends the fetch."""
    server = slow_server(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n")
    report, elapsed = _timed(tmp_path, server.url)
    assert report.line() == "Défauts: FAILED: no answer for 15 s (read timeout)"
    assert 14.5 < elapsed < 25, elapsed


@pytest.mark.slow
def test_a_dripping_server_is_left_after_60_seconds(slow_server: Any, tmp_path: Path) -> None:
    """One byte a second never trips the read timeout; the total timeout (60 s) ends it."""
    body = HEAD + one_item() * 10 + TAIL
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
    server = slow_server(head.encode(), body, pause=1.0)
    report, elapsed = _timed(tmp_path, server.url)
    assert report.line() == "Défauts: FAILED: download took longer than 60 s (total timeout)"
    assert 59.5 < elapsed < 75, elapsed


# --- FEED_ARCHIVE_IMAGE_MAX_BYTES (5 MiB), _IMAGES_FEED_MAX_BYTES (50 MiB), _IMAGE_TIMEOUT (10 s)


def jpeg(size: int, seed: int = 0) -> bytes:
    """A file of `size` bytes that starts as a JPEG does."""
    return b"\xff\xd8\xff\xe0" + bytes([seed]) * (size - 4)


def image_feed(base: str, names: list[str]) -> bytes:
    """One item showing the images `names` served under `base`."""
    images = "".join(f'<img src="{base}/img/{name}" alt="{name}">' for name in names)
    return HEAD + one_item(text=f"<p>Images.</p>{images}") + TAIL


def kept_images(content: Path) -> list[str]:
    """The alt texts of the images the post points to locally."""
    (post,) = content.rglob("*.md")
    body = split_file(post.read_text("utf-8"))[1]
    return sorted(part.split("]")[0] for part in body.split("![")[1:] if "{static}" in part)


def test_an_image_over_5_mib_stays_remote_and_one_of_5_mib_is_kept(
    httpserver: Any, tmp_path: Path
) -> None:
    """5 MiB exactly is kept; 5 MiB + 1 byte is not (the post keeps its remote URL)."""
    httpserver.expect_request("/img/at.jpg").respond_with_data(jpeg(5 * MIB, 1))
    httpserver.expect_request("/img/over.jpg").respond_with_data(jpeg(5 * MIB + 1, 2))
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        image_feed(base, ["at.jpg", "over.jpg"])
    )
    report = fetch_once(tmp_path, httpserver.url_for("/feed.xml"), images=True)
    assert report.counts["new"] == 1, report.line()
    assert kept_images(tmp_path) == ["at.jpg"]


def test_a_feed_downloads_at_most_50_mib_of_images_per_fetch(
    httpserver: Any, tmp_path: Path
) -> None:
    """Eleven images of 5 MiB: the first ten (50 MiB) are kept, the eleventh waits."""
    names = [f"{n:02d}.jpg" for n in range(11)]
    for n, name in enumerate(names):
        httpserver.expect_request(f"/img/{name}").respond_with_data(jpeg(5 * MIB, n))
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(image_feed(base, names))
    report = fetch_once(tmp_path, httpserver.url_for("/feed.xml"), images=True)
    assert report.counts["new"] == 1, report.line()
    assert kept_images(tmp_path) == names[:10]


@pytest.mark.slow
def test_an_image_that_does_not_answer_for_10_seconds_stays_remote(
    httpserver: Any, tmp_path: Path
) -> None:
    """An image server silent for 11 s is left at the image timeout (10 s)."""

    def sleepy(_request: Any) -> Response:
        time.sleep(11)
        return Response(jpeg(1000), content_type="image/jpeg")

    httpserver.expect_request("/img/slow.jpg").respond_with_handler(sleepy)
    httpserver.expect_request("/img/fast.jpg").respond_with_data(jpeg(1000, 3))
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        image_feed(base, ["slow.jpg", "fast.jpg"])
    )
    started = time.monotonic()
    report = fetch_once(tmp_path, httpserver.url_for("/feed.xml"), images=True)
    assert 9.5 < time.monotonic() - started < 20
    assert report.counts["new"] == 1, report.line()
    assert kept_images(tmp_path) == ["fast.jpg"]


# --- FEED_ARCHIVE_MAX_TAGS (20), FEED_ARCHIVE_MAX_TEXT_BYTES (512 KiB) -------------------------


def test_an_item_keeps_20_tags(httpserver: Any, tmp_path: Path) -> None:
    """21 categories: the first 20 are kept; 20 stay as they are."""
    categories = "".join(f"<category>c{n}</category>" for n in range(21))
    items = one_item(1, categories) + one_item(2, categories[: categories.index("<category>c20")])
    httpserver.expect_request("/tags.xml").respond_with_data(HEAD + items + TAIL)
    assert fetch_once(tmp_path, httpserver.url_for("/tags.xml")).counts["new"] == 2
    for post in tmp_path.rglob("*.md"):
        tags = read_header(post.read_text("utf-8"))["tags"]
        assert tags == ", ".join(f"c{n}" for n in range(20))


def test_a_text_of_512_kib_is_kept_and_one_byte_more_is_cut(
    httpserver: Any, tmp_path: Path
) -> None:
    """The Markdown text of an item: 512 KiB is whole, 512 KiB + 1 byte is cut and marked."""
    limit = 512 * 1024
    items = one_item(1, text=f"<p>{'a' * limit}</p>") + one_item(
        2, text=f"<p>{'b' * (limit + 1)}</p>"
    )
    httpserver.expect_request("/text.xml").respond_with_data(HEAD + items + TAIL)
    assert fetch_once(tmp_path, httpserver.url_for("/text.xml")).counts["new"] == 2
    posts = {}
    for path in tmp_path.rglob("*.md"):
        header, body = split_file(path.read_text("utf-8"))
        posts[header["guid"]] = (header, body.strip())
    whole, cut = posts["urn:defaults:1"], posts["urn:defaults:2"]
    assert "cut" not in whole[0] and whole[1] == "a" * limit
    assert cut[0]["cut"] == str(limit + 8)  # the feed's HTML: <p>…</p>
    assert cut[1].startswith("b" * 1000) and len(cut[1].encode()) <= limit
    assert len(cut[0]["summary"]) <= DEFAULTS["FEED_ARCHIVE_SUMMARY_LENGTH"] + 1


# --- FEED_ARCHIVE_MAX_NEW_ITEMS (2,000), through `invoke fetch` --------------------------------


@pytest.mark.slow
def test_invoke_fetch_archives_2000_new_items_and_says_how_many_wait(
    httpserver: Any, tmp_path: Path
) -> None:
    """2,001 new items: 2,000 archived, "1 more next run" on the feed's line and the total."""
    items = b"".join(one_item(n) for n in range(2001))
    httpserver.expect_request("/many.xml").respond_with_data(HEAD + items + TAIL)
    project = copy_project(tmp_path / "project")
    url = httpserver.url_for("/many.xml")
    first = run_invoke(project, "fetch", "--url", url, "--name", "Beaucoup")
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.splitlines()[-2:] == [
        "Beaucoup: 2000 new, 0 updated, 0 unchanged, 1 more next run (HTTP 200)",
        "total: 2000 new, 0 updated, 0 unchanged, 0 failed feed(s), 1 more next run",
    ], first.stdout
    second = run_invoke(project, "fetch", "--url", url, "--name", "Beaucoup")
    assert "Beaucoup: 1 new, 0 updated, 2000 unchanged (HTTP 200)" in second.stdout
    assert len(list((project / "content" / "archive").rglob("*.md"))) == 2001
