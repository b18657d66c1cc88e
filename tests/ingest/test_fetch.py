"""fetch.py against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

from __future__ import annotations

import gzip
import time
import zlib

import pytest
from werkzeug import Response

from conftest import SAMPLE_1, fetch_into, snapshot
from feed_archive.ingest import fetch
from feed_archive.ingest.fetch import FetchError, FetchResult, Limits
from feed_archive.ingest.netguard import Gate

FEED = SAMPLE_1.read_bytes()
LIMITS = Limits(timeout=2, total_timeout=5, max_bytes=1_000_000, max_redirects=3, user_agent="t/1")


def get(url: str, limits: Limits = LIMITS, **options: str) -> FetchResult:
    """fetch.fetch as a feed's fetch calls it: the URL's own host is trusted (127.0.0.1 here)."""
    return fetch.fetch(url, limits, gate=Gate.for_feed(url), **options)


def test_200_returns_body_validators_and_sends_user_agent(httpserver):
    httpserver.expect_request("/feed", headers={"User-Agent": "t/1"}).respond_with_data(
        FEED,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Fri, 31 Oct 2025 16:08:00 GMT"},
    )
    result = get(httpserver.url_for("/feed"), LIMITS)
    assert result.status == 200
    assert result.content == FEED
    assert result.etag == '"v1"'
    assert result.last_modified == "Fri, 31 Oct 2025 16:08:00 GMT"


def test_conditional_get_gets_304(httpserver):
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": "Fri, 31 Oct 2025"}
    ).respond_with_data("", status=304)
    result = get(httpserver.url_for("/feed"), LIMITS, etag='"v1"', last_modified="Fri, 31 Oct 2025")
    assert result.not_modified
    assert result.content == b""
    assert result.etag == '"v1"'


@pytest.mark.parametrize(("status", "text"), [(404, "HTTP 404 NOT FOUND"), (500, "HTTP 500")])
def test_http_errors_are_one_line(httpserver, status, text):
    httpserver.expect_request("/feed").respond_with_data("nope", status=status)
    with pytest.raises(FetchError) as error:
        get(httpserver.url_for("/feed"), LIMITS)
    assert text in str(error.value).upper()
    assert "\n" not in str(error.value)


def test_redirects_are_followed_up_to_the_limit(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/feed")}
    )
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="text/xml")
    result = get(httpserver.url_for("/old"), LIMITS)
    assert result.content == FEED
    assert result.final_url == httpserver.url_for("/feed")


def test_redirect_loop_stops(httpserver):
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(FetchError, match="more than 3 redirects"):
        get(httpserver.url_for("/loop"), LIMITS)


def test_read_timeout(httpserver):
    def slow(request):
        time.sleep(3)
        return Response(FEED)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    started = time.monotonic()
    with pytest.raises(FetchError, match="timeout"):
        get(httpserver.url_for("/slow"), LIMITS)
    assert time.monotonic() - started < 2.9


def test_oversized_body_is_refused(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 1_000_001)
    with pytest.raises(FetchError, match="larger than"):
        get(httpserver.url_for("/big"), LIMITS)


def test_oversized_streamed_body_without_length_is_refused(httpserver):
    def stream(request):
        return Response((b"y" * 100_000 for _ in range(20)), direct_passthrough=True)

    httpserver.expect_request("/stream").respond_with_handler(stream)
    with pytest.raises(FetchError, match="larger than"):
        get(httpserver.url_for("/stream"), LIMITS)


def test_gzip_and_deflate_encodings(httpserver):
    httpserver.expect_request("/gz").respond_with_data(
        gzip.compress(FEED), headers={"Content-Encoding": "gzip"}
    )
    httpserver.expect_request("/deflate").respond_with_data(
        zlib.compress(FEED), headers={"Content-Encoding": "deflate"}
    )
    assert get(httpserver.url_for("/gz"), LIMITS).content == FEED
    assert get(httpserver.url_for("/deflate"), LIMITS).content == FEED


def test_gzip_bomb_is_stopped_at_the_cap(httpserver):
    bomb = gzip.compress(b"\0" * 50_000_000)
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than"):
        get(httpserver.url_for("/bomb"), LIMITS)


def test_gzip_bytes_without_header_are_decoded(httpserver):
    httpserver.expect_request("/raw").respond_with_data(gzip.compress(FEED))
    assert get(httpserver.url_for("/raw"), LIMITS).content == FEED


def test_wrong_content_type_still_parses(tmp_path, httpserver):
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="text/plain")
    report = fetch_into(tmp_path, httpserver.url_for("/feed"))
    assert report.error is None
    assert report.counts["new"] == 29


def test_html_page_is_not_a_feed(tmp_path, httpserver):
    page = b"<!doctype html><html><head><title>Accueil</title></head><body><p>Hi</p></body></html>"
    httpserver.expect_request("/feed").respond_with_data(page, content_type="text/html")
    report = fetch_into(tmp_path, httpserver.url_for("/feed"))
    assert report.error == "not a feed: server sent text/html"
    assert not list(tmp_path.rglob("*.md"))


def test_connection_refused_is_a_clear_error():
    with pytest.raises(FetchError, match="cannot connect"):
        get("http://127.0.0.1:9/feed", LIMITS)


def test_unknown_host_is_a_clear_error():
    with pytest.raises(FetchError, match="cannot connect"):
        get("http://feed.invalid/rss", LIMITS)


def test_local_file_and_missing_file(tmp_path):
    assert get(str(SAMPLE_1), LIMITS).content == FEED
    assert get(SAMPLE_1.as_uri(), LIMITS).content == FEED
    with pytest.raises(FetchError, match="cannot read"):
        get(str(tmp_path / "absent.xml"), LIMITS)


def test_refetch_sends_validators_and_304_writes_nothing(tmp_path, httpserver):
    headers = {"ETag": '"abc"', "Last-Modified": "Wed, 05 Nov 2025 08:32:00 GMT"}
    httpserver.expect_ordered_request("/feed").respond_with_data(FEED, headers=headers)
    httpserver.expect_ordered_request(
        "/feed", headers={"If-None-Match": '"abc"'}
    ).respond_with_data("", status=304)
    first = fetch_into(tmp_path, httpserver.url_for("/feed"))
    before = snapshot(tmp_path)
    second = fetch_into(tmp_path, httpserver.url_for("/feed"))
    assert first.counts["new"] == 29
    assert second.status == 304
    assert second.line().endswith("not modified (HTTP 304)")
    assert snapshot(tmp_path) == before
    assert len(httpserver.log) == 2


def test_state_file_loss_loses_nothing(tmp_path, httpserver):
    httpserver.expect_request("/feed").respond_with_data(FEED, headers={"ETag": '"abc"'})
    fetch_into(tmp_path, httpserver.url_for("/feed"))
    state = next(tmp_path.rglob(".feed-archive-state.json"))
    state.unlink()
    before = {k: v for k, v in snapshot(tmp_path).items() if k.endswith(".md")}
    report = fetch_into(tmp_path, httpserver.url_for("/feed"))
    counts = report.counts
    assert (counts["new"], counts["updated"], counts["unchanged"]) == (0, 0, 29)
    assert {k: v for k, v in snapshot(tmp_path).items() if k.endswith(".md")} == before
