"""Resource limits against real local servers: size cap, bombs, entity expansion, drip, loops."""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any, Iterator

import pytest
from werkzeug.wrappers import Response

import corpus_report
from conftest import archive_config

ITEM = (
    "<item><title>Item {n}</title><guid>urn:item:{n}</guid><description>{text}</description></item>"
)


def rss(items: int = 3, text: str = "Texte de l’article") -> bytes:
    """A small valid RSS document."""
    body = "".join(ITEM.format(n=n, text=text) for n in range(items))
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    return f"{head}{body}</channel></rss>".encode()


def fetch(content: Path, url: str, **overrides: Any) -> tuple[Any, float, int]:
    """Fetch `url` into the archive under `content`: (report, seconds, peak traced bytes)."""
    from feed_archive.ingest import archive

    config = archive_config(content, {"url": url, "name": "Hostile"}, **overrides)
    tracemalloc.start()
    started = time.monotonic()
    try:
        (report,) = archive.run(config)
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    corpus_report.count("resource-limit attacks tried")
    return report, elapsed, peak


def posts(content: Path) -> list[Path]:
    """The Markdown files archived under `content`."""
    return sorted(content.rglob("*.md"))


def compressed(total: int, wbits: int) -> bytes:
    """`total` zero bytes compressed (gzip: wbits 31, zlib deflate: 15), built chunk by chunk."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    chunk = b"\0" * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(total // len(chunk))]
    return b"".join(parts) + packer.flush()


MIB = 1 << 20


def test_body_over_the_size_cap_with_content_length(httpserver: Any, tmp_path: Path) -> None:
    """A declared body over FEED_ARCHIVE_MAX_BYTES is refused before it is read."""
    httpserver.expect_request("/big").respond_with_data(rss(3000), content_type="text/xml")
    report, elapsed, _ = fetch(tmp_path, httpserver.url_for("/big"), FEED_ARCHIVE_MAX_BYTES=50_000)
    assert report.error == "feed larger than the 49 KiB limit"
    assert report.line() == "Hostile: FAILED: feed larger than the 49 KiB limit"
    assert elapsed < 5 and posts(tmp_path) == []


def test_streamed_body_over_the_size_cap(httpserver: Any, tmp_path: Path) -> None:
    """A chunked body with no length stops being read at the cap."""
    sent = []

    def endless(_request: Any) -> Response:
        def chunks() -> Iterator[bytes]:
            yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
            for n in range(100_000):
                sent.append(n)
                yield ITEM.format(n=n, text="x" * 200).encode()

        return Response(chunks(), content_type="application/rss+xml")

    httpserver.expect_request("/stream").respond_with_handler(endless)
    report, elapsed, peak = fetch(
        tmp_path, httpserver.url_for("/stream"), FEED_ARCHIVE_MAX_BYTES=MIB
    )
    assert report.error == "feed larger than the 1 MiB limit"
    assert elapsed < 10 and posts(tmp_path) == []
    assert len(sent) < 50_000, "the client kept reading long after the cap"
    assert peak < 30 * MIB


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 31), ("deflate", 15), ("deflate", -15), (None, 31)],
    ids=["gzip", "deflate-zlib", "deflate-raw", "gzip-bytes-without-header"],
)
def test_decompression_bomb(
    httpserver: Any, tmp_path: Path, encoding: str | None, wbits: int
) -> None:
    """256 MiB of zeros in ~250 KiB of compressed bytes stop at the cap, in little memory."""
    bomb = compressed(256 * MIB, wbits)
    assert len(bomb) < MIB
    headers = {"Content-Encoding": encoding} if encoding else {}
    httpserver.expect_request("/bomb").respond_with_data(
        bomb, headers=headers, content_type="application/rss+xml"
    )
    report, elapsed, peak = fetch(tmp_path, httpserver.url_for("/bomb"), FEED_ARCHIVE_MAX_BYTES=MIB)
    assert report.error == "feed larger than the 1 MiB limit"
    assert elapsed < 10 and posts(tmp_path) == []
    assert peak < 40 * MIB, f"{peak / MIB:.0f} MiB held while inflating"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>Laughs &lol9;</title><guid>urn:laughs</guid><description>&lol9;</description></item>
</channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>x</title>
<item><title>Leak &secret;</title><guid>urn:xxe</guid><description>&secret;</description></item>
</channel></rss>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_xml_entity_attacks(httpserver: Any, tmp_path: Path, document: str) -> None:
    """Entity expansion and external entities: quick, small, and never expanded into a post."""
    httpserver.expect_request("/lol").respond_with_data(document, content_type="application/xml")
    report, elapsed, peak = fetch(tmp_path, httpserver.url_for("/lol"))
    assert elapsed < 10
    assert peak < 100 * MIB
    written = "".join(p.read_text(encoding="utf-8") for p in posts(tmp_path))
    assert "lollollol" not in written
    assert "root:" not in written
    assert report.error or len(written) < 5000, report.line()


class DripServer:
    """A raw TCP server that answers every connection one byte per `pause` seconds."""

    def __init__(self, answer: bytes, fast_prefix: int = 0, pause: float = 1.0) -> None:
        self.answer = answer
        self.fast_prefix = fast_prefix
        self.pause = pause
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        self.sent = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        """Where to fetch from."""
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed.xml"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(self.answer[: self.fast_prefix])
                for byte in self.answer[self.fast_prefix :]:
                    if self.stop.wait(self.pause):
                        return
                    conn.sendall(bytes([byte]))
                    self.sent += 1
            except OSError:
                return

    def close(self) -> None:
        """Stop serving."""
        self.stop.set()
        self.sock.close()


@pytest.fixture
def drip() -> Iterator[Any]:
    """Start DripServers; all are closed after the test."""
    servers: list[DripServer] = []

    def start(answer: bytes, fast_prefix: int = 0, pause: float = 1.0) -> DripServer:
        servers.append(DripServer(answer, fast_prefix, pause))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _http_answer(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@pytest.mark.parametrize("where", ["headers", "body"])
def test_one_byte_a_second_stops_at_the_total_timeout(
    drip: Any, tmp_path: Path, where: str
) -> None:
    """A server dripping its headers or its body ends at FEED_ARCHIVE_TOTAL_TIMEOUT."""
    answer = _http_answer(rss(20))
    fast = 0 if where == "headers" else answer.index(b"\r\n\r\n") + 4
    server = drip(answer, fast_prefix=fast, pause=1.0)
    report, elapsed, _ = fetch(
        tmp_path, server.url, FEED_ARCHIVE_TIMEOUT=5, FEED_ARCHIVE_TOTAL_TIMEOUT=2
    )
    assert report.error == "download took longer than 2 s (total timeout)", report.line()
    assert 1.5 < elapsed < 8  # without the bound: 80+ s of dripping
    assert posts(tmp_path) == []


def test_silent_server_stops_at_the_read_timeout(drip: Any, tmp_path: Path) -> None:
    """A server that accepts and never answers ends at FEED_ARCHIVE_TIMEOUT."""
    server = drip(b"HTTP/1.1 200 OK\r\n", pause=30)
    report, elapsed, _ = fetch(
        tmp_path, server.url, FEED_ARCHIVE_TIMEOUT=1, FEED_ARCHIVE_TOTAL_TIMEOUT=20
    )
    assert report.error == "no answer for 1 s (read timeout)", report.line()
    assert elapsed < 6


@pytest.mark.parametrize("loop", ["self", "pair"])
def test_endless_redirect_loop(httpserver: Any, tmp_path: Path, loop: str) -> None:
    """A redirect loop ends after FEED_ARCHIVE_MAX_REDIRECTS with a clear error."""
    target = "/a" if loop == "self" else "/b"
    httpserver.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for(target)}
    )
    httpserver.expect_request("/b").respond_with_data("", status=301, headers={"Location": "/a"})
    report, elapsed, _ = fetch(tmp_path, httpserver.url_for("/a"), FEED_ARCHIVE_MAX_REDIRECTS=4)
    assert report.error == "more than 4 redirects"
    assert elapsed < 5
    assert len(httpserver.log) == 5


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "/etc/passwd", "gopher://x/"]
)
def test_redirect_to_another_scheme_never_reads_local_files(
    httpserver: Any, tmp_path: Path, location: str
) -> None:
    """A server cannot make us read a local file or speak another protocol by redirecting."""
    httpserver.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": location}
    )
    report, _, _ = fetch(tmp_path, httpserver.url_for("/feed"))
    assert report.error, report.line()
    assert report.error in (
        "unsupported URL scheme (only http, https and local files)",
        "HTTP 404 NOT FOUND",
        "HTTP 500 INTERNAL SERVER ERROR",
    )
    assert "root:" not in "".join(p.read_text() for p in posts(tmp_path))


def test_a_valid_feed_within_limits_still_works(httpserver: Any, tmp_path: Path) -> None:
    """The limits do not hurt a normal gzip-encoded feed (control case)."""
    body = rss(5)
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    httpserver.expect_request("/ok").respond_with_data(
        packer.compress(body) + packer.flush(),
        headers={"Content-Encoding": "gzip"},
        content_type="application/rss+xml",
    )
    report, _, _ = fetch(tmp_path, httpserver.url_for("/ok"), FEED_ARCHIVE_MAX_BYTES=len(body))
    assert report.error is None and report.counts["new"] == 5
    assert len(posts(tmp_path)) == 5
