"""No request into private space unless asked: images, redirects, DNS answers that change.

Real servers on 127.0.0.1 and 127.0.0.2 (pytest-httpserver); name resolution goes through the
fetch's Gate, whose `resolve` callable the DNS tests replace (its public parameter).
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from test_images import PNG

from conftest import SAMPLE_1, archive_config, fetch_into
from feed_archive.ingest import archive, fetch, images
from feed_archive.ingest.fetch import FetchError, Limits
from feed_archive.settings import SettingsError

FEED = SAMPLE_1.read_bytes()
LIMITS = Limits(timeout=1, total_timeout=3, max_bytes=1_000_000, max_redirects=3, user_agent="t/1")
LOOPBACK_ONLY = ["127.0.0.0/8", "::1/128"]


def _requests(server: HTTPServer, prefix: str) -> int:
    return sum(1 for request, _ in server.log if request.path.startswith(prefix))


def _image_feed(base: str, images_html: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Caméras</title><link>{base}/</link>
<item><title>Un article</title><link>{base}/post/1</link><guid>{base}/?p=1</guid>
<pubDate>Mon, 03 Nov 2025 09:00:00 +0100</pubDate>
<content:encoded><![CDATA[<p>Texte.</p>{images_html}]]></content:encoded></item>
</channel></rss>""".encode()


def _run_images(content: Path, url: str, **overrides: Any) -> Any:
    source = {"url": url, "name": "Caméras", "images": True}
    config = archive_config(content, source, FEED_ARCHIVE_IMAGE_TIMEOUT=0.5, **overrides)
    (report,) = archive.run(config)
    assert not report.failed, report.error
    return report


# --- which addresses are private ----------------------------------------------------------

BLOCKED = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.0.1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "240.0.0.1",
    "255.255.255.255",
    "100.64.0.1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1 (the prefix itself counts as global)
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
]
PUBLIC = [
    "93.184.215.14",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "::ffff:1.1.1.1",
    "2a00:1450::1",
    "64:ff9b::101:101",  # NAT64 around 1.1.1.1
]


@pytest.mark.parametrize("address", BLOCKED)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    from feed_archive.ingest.netguard import Gate

    assert not Gate().permits(address)
    listed = Gate(allowed=(ipaddress.ip_network(address),))
    assert listed.permits(address)  # the allow-list is the one way in


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    from feed_archive.ingest.netguard import Gate

    assert Gate().permits(address)


@pytest.mark.parametrize(
    "value",
    ["127.0.0.0/8", ["10.0.0.0/33"], ["not a network"], [8], ["::1/129"], None],
)
def test_allow_list_setting_is_checked_at_start(tmp_path: Path, value: Any) -> None:
    with pytest.raises(SettingsError, match="FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS"):
        archive_config(tmp_path, FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=value)


def test_allow_list_setting_defaults_to_nothing(tmp_path: Path) -> None:
    config = archive_config(tmp_path)
    assert config.allow_private_networks == ()
    listed = archive_config(tmp_path, FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=["10.0.0.1/8", "::1"])
    assert [str(n) for n in listed.allow_private_networks] == ["10.0.0.0/8", "::1/128"]


# --- images ---------------------------------------------------------------------------------


def test_loopback_and_metadata_images_are_never_fetched(
    tmp_path: Path, httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The issue's attack: a feed's images pointing into the fetching machine's own network."""
    port = httpserver.port
    httpserver.expect_request("/admin/camera.png").respond_with_data(PNG, content_type="image/png")
    httpserver.expect_request("/admin/action").respond_with_data(PNG, content_type="image/png")
    tags = (
        f'<img src="http://127.0.0.1:{port}/admin/camera.png" alt="cam">'
        f'<img src="http://localhost:{port}/admin/action?x.png" alt="act">'
        '<img src="http://169.254.169.254/latest/meta-data/iam.png" alt="meta">'
        f'<img src="http://127.1:{port}/admin/camera.png" alt="short">'  # resolves to 127.0.0.1
        f'<img src="http://0.0.0.0:{port}/admin/camera.png" alt="any">'  # Linux: this machine
    )
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed.xml").respond_with_data(
        _image_feed(base, tags), content_type="application/rss+xml"
    )
    content = tmp_path / "content"
    with caplog.at_level(logging.WARNING, logger="feed_archive.ingest.images"):
        report = _run_images(content, f"{base}/feed.xml")
    assert report.counts["new"] == 1  # the feed itself, on 127.0.0.1, is trusted
    assert _requests(httpserver, "/admin") == 0
    assert not (content / "images").exists()
    (post,) = (content / "archive").rglob("*.md")
    assert f"](http://127.0.0.1:{port}/admin/camera.png)" in post.read_text("utf-8")
    # The reasons go to the log only...
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 5, messages
    assert all("FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS" in m for m in messages), messages
    # ...and the committed index holds a bare marker for each failure: no reason, no port.
    index = json.loads((content / "archive" / images.INDEX_NAME).read_text("utf-8"))
    assert len(index) == 5
    assert all(value == {"failed": True} for value in index.values()), index


def test_allow_list_opts_in_to_private_images(tmp_path: Path, httpserver: HTTPServer) -> None:
    port = httpserver.port
    httpserver.expect_request("/admin/camera.png").respond_with_data(PNG, content_type="image/png")
    base = httpserver.url_for("").rstrip("/")
    tags = f'<img src="http://localhost:{port}/admin/camera.png" alt="cam">'
    httpserver.expect_request("/feed.xml").respond_with_data(
        _image_feed(base, tags), content_type="application/rss+xml"
    )
    content = tmp_path / "content"
    _run_images(content, f"{base}/feed.xml", FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=LOOPBACK_ONLY)
    assert _requests(httpserver, "/admin/camera.png") == 1
    assert len(list((content / "images").rglob("*.png"))) == 1
    index = json.loads((content / "archive" / images.INDEX_NAME).read_text("utf-8"))
    (value,) = index.values()
    assert set(value) == {"path"}


def test_failure_reasons_are_not_published(tmp_path: Path, httpserver: HTTPServer) -> None:
    """HTTP errors, wrong types, refused ports: the index says "failed", the log says why."""
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/img/missing.png").respond_with_data("no", status=404)
    httpserver.expect_request("/img/page.png").respond_with_data("<html>", content_type="text/html")
    with contextlib.closing(__import__("socket").socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    tags = (
        f'<img src="{base}/img/missing.png"><img src="{base}/img/page.png">'
        f'<img src="http://127.0.0.1:{closed}/x.png">'
    )
    httpserver.expect_request("/feed.xml").respond_with_data(
        _image_feed(base, tags), content_type="application/rss+xml"
    )
    content = tmp_path / "content"
    index_path = content / "archive" / images.INDEX_NAME
    # An index written by an earlier version, with reasons in it, is cleaned on the next save.
    index_path.parent.mkdir(parents=True)
    old = {"https://old.example/a.png": {"error": "cannot connect (Connection refused)", "at": "x"}}
    index_path.write_text(json.dumps(old), encoding="utf-8")
    _run_images(content, f"{base}/feed.xml", FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=LOOPBACK_ONLY)
    text = index_path.read_text("utf-8")
    index = json.loads(text)
    assert len(index) == 4
    assert all(value == {"failed": True} for value in index.values()), index
    values = json.dumps(list(index.values())).lower()  # the URLs (and their ports) are keys
    for word in ("404", "not found", "refused", "html", "connect", "error"):
        assert word not in values, word


# --- redirects ------------------------------------------------------------------------------


def test_feed_redirect_to_another_private_host_is_refused(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """302 Location: http://localhost:PORT/intranet/news.xml from a feed on 127.0.0.1."""
    port = httpserver.port
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{port}/intranet/news.xml"}
    )
    httpserver.expect_request("/intranet/news.xml").respond_with_data(FEED, content_type="text/xml")
    report = fetch_into(tmp_path, f"http://127.0.0.1:{port}/feed.xml")
    assert report.failed
    assert "localhost" in report.error and "FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS" in report.error
    assert _requests(httpserver, "/intranet") == 0
    assert not list(tmp_path.rglob("*.md"))


def test_allow_list_opts_in_to_a_feed_redirect_into_private_space(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    port = httpserver.port
    httpserver.expect_request("/feed.xml").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{port}/intranet/news.xml"}
    )
    httpserver.expect_request("/intranet/news.xml").respond_with_data(FEED, content_type="text/xml")
    url = f"http://127.0.0.1:{port}/feed.xml"
    report = fetch_into(tmp_path, url, FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS=LOOPBACK_ONLY)
    assert report.error is None and report.counts["new"] == 29, report.line()
    assert _requests(httpserver, "/intranet") == 1


def test_feed_redirect_within_its_own_host_is_followed(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/old.xml").respond_with_data(
        "", status=301, headers={"Location": "/new.xml"}
    )
    httpserver.expect_request("/new.xml").respond_with_data(FEED, content_type="text/xml")
    report = fetch_into(tmp_path, httpserver.url_for("/old.xml"))
    assert report.error is None and report.counts["new"] == 29


def test_image_redirect_into_private_space_is_refused(httpserver: HTTPServer) -> None:
    """An allowed image host (127.0.0.2) cannot send the fetch on to one that is not."""
    from feed_archive.ingest.netguard import Gate

    other = HTTPServer(host="127.0.0.2", port=0)
    other.start()
    try:
        secret = httpserver.url_for("/secret.png")
        httpserver.expect_request("/secret.png").respond_with_data(PNG)
        other.expect_request("/a.png").respond_with_data(
            "", status=302, headers={"Location": secret}
        )
        gate = Gate(allowed=(ipaddress.ip_network("127.0.0.2/32"),))
        with pytest.raises(FetchError, match="localhost has no public address"):
            fetch.fetch(other.url_for("/a.png"), LIMITS, gate=gate)
        assert _requests(other, "/a.png") == 1
        assert _requests(httpserver, "/secret.png") == 0
    finally:
        other.clear()
        other.stop()


# --- DNS answers that change between the check and the connection ---------------------------


class Rebinding:
    """A resolver whose answer changes after the first question (a DNS rebinding attack)."""

    def __init__(self, first: str, then: str) -> None:
        self.answers = [first, then]
        self.questions: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.questions.append((host, port))
        return [self.answers[min(len(self.questions), len(self.answers)) - 1]]


def test_dns_rebinding_connects_to_the_checked_address(httpserver: HTTPServer) -> None:
    """One resolution: the connection goes to the address that was checked (127.0.0.2, allowed),
    never to the later answer (127.0.0.1, not allowed) on the same port."""
    from feed_archive.ingest.netguard import Gate

    checked = HTTPServer(host="127.0.0.2", port=httpserver.port)
    checked.start()
    try:
        checked.expect_request("/img.png").respond_with_data(PNG, content_type="image/png")
        httpserver.expect_request("/img.png").respond_with_data(b"loopback-only")
        resolver = Rebinding("127.0.0.2", "127.0.0.1")
        gate = Gate(allowed=(ipaddress.ip_network("127.0.0.2/32"),), resolve=resolver)
        result = fetch.fetch(
            f"http://images.rebind.test:{httpserver.port}/img.png", LIMITS, gate=gate
        )
        assert result.content == PNG
        assert resolver.questions == [("images.rebind.test", httpserver.port)]
        assert _requests(httpserver, "/img.png") == 0
        (request, _), *_ = checked.log
        assert request.headers["Host"] == f"images.rebind.test:{httpserver.port}"
    finally:
        checked.clear()
        checked.stop()


def test_dns_rebinding_from_a_public_answer_to_loopback_is_refused(
    httpserver: HTTPServer,
) -> None:
    """A name that answers a public address when checked and 127.0.0.1 afterwards (here
    "localhost", which the system resolver answers with loopback, so a fetch that resolved the
    name again when connecting would reach the server): the fetch asks once, and never reaches
    127.0.0.1, whether the public address answers or not."""
    from feed_archive.ingest.netguard import Gate

    httpserver.expect_request("/img.png").respond_with_data(b"loopback-only")
    resolver = Rebinding("93.184.215.14", "127.0.0.1")
    quick = Limits(timeout=0.3, total_timeout=1, max_bytes=1000, max_redirects=0, user_agent="t")
    with contextlib.suppress(FetchError):
        fetch.fetch(
            f"http://localhost:{httpserver.port}/img.png", quick, gate=Gate(resolve=resolver)
        )
    assert resolver.questions == [("localhost", httpserver.port)]
    assert _requests(httpserver, "/img.png") == 0


def test_a_name_with_any_private_answer_uses_only_its_public_ones(httpserver: HTTPServer) -> None:
    from feed_archive.ingest.netguard import Gate

    httpserver.expect_request("/img.png").respond_with_data(PNG)
    gate = Gate(resolve=lambda host, port: ["127.0.0.1", "10.0.0.1", "::1"])
    with pytest.raises(FetchError, match="no public address"):
        fetch.fetch(f"http://mixed.test:{httpserver.port}/img.png", LIMITS, gate=gate)
    assert _requests(httpserver, "/img.png") == 0


# --- the pinned connection keeps the name for TLS -------------------------------------------


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}",
            "-addext", f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_pinned_tls_connection_sends_and_verifies_the_host_name(tmp_path: Path) -> None:
    """Connected to the checked IP, TLS still names (SNI) and verifies the URL's host."""
    from feed_archive.ingest.netguard import Gate

    cert, key = _certificate(tmp_path, "feed.test")
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        port = server.port
        server.expect_request("/feed", headers={"Host": f"feed.test:{port}"}).respond_with_data(
            FEED
        )
        trusted = ssl.create_default_context(cafile=str(cert))
        pinned = Gate(trusted_host="feed.test", resolve=lambda host, port: ["127.0.0.1"])
        result = fetch.fetch(f"https://feed.test:{port}/feed", LIMITS, gate=pinned, tls=trusted)
        assert result.content == FEED
        assert names == ["feed.test"]
        other = Gate(trusted_host="other.test", resolve=lambda host, port: ["127.0.0.1"])
        with pytest.raises(FetchError, match="(?i)certificate"):
            fetch.fetch(f"https://other.test:{port}/feed", LIMITS, gate=other, tls=trusted)
        assert names[-1] == "other.test"
    finally:
        server.clear()
        server.stop()
