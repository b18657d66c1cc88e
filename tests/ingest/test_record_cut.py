"""Only whole items are archived: a document cut short never adds, updates or hides a post."""

from __future__ import annotations

import json
import socket
import threading

from conftest import archive_config, snapshot
from feed_archive.ingest import archive
from feed_archive.post import read_header
from feedmaker import FULL_TEXT, item, rss


def _posts(content):
    return {read_header(p.read_text(encoding="utf-8"))["guid"]: p for p in content.rglob("*.md")}


def _fetch(httpserver, content, data, name="Le Fil"):
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(data, content_type="application/rss+xml")
    config = archive_config(content, {"url": httpserver.url_for("/feed"), "name": name})
    (report,) = archive.run(config)
    return report


def _three_items():
    return rss([item(1), item(2, FULL_TEXT), item(3)])


def test_a_document_cut_inside_an_archived_item_changes_nothing(httpserver, tmp_path):
    whole = _three_items()
    assert _fetch(httpserver, tmp_path, whole).counts["new"] == 3
    before = snapshot(tmp_path / "archive")
    cut_at = whole.index(b"Paragraphe 7") + 40
    report = _fetch(httpserver, tmp_path, whole[:cut_at])
    assert report.counts["updated"] == 0
    assert report.counts["incomplete"] == 1
    assert "1 incomplete" in report.line() and "Article numéro 2" in report.line()
    assert report.problem
    # neither the cut item nor anything else was rewritten, no version was added
    assert snapshot(tmp_path / "archive") == before


def test_a_document_cut_inside_a_new_item_archives_the_whole_ones(httpserver, tmp_path):
    whole = _three_items()
    cut_at = whole.index(b"Paragraphe 12")
    report = _fetch(httpserver, tmp_path, whole[:cut_at])
    assert (report.counts["new"], report.counts["incomplete"]) == (1, 1)
    assert not report.failed
    assert list(_posts(tmp_path)) == ["https://fil.example/?p=1"]
    # the next, whole document brings the rest
    report = _fetch(httpserver, tmp_path, whole)
    assert (report.counts["new"], report.counts["unchanged"]) == (2, 1)
    text = _posts(tmp_path)["https://fil.example/?p=2"].read_text(encoding="utf-8")
    assert "Paragraphe 40" in text


def test_a_document_cut_before_its_first_item_is_a_failed_feed(httpserver, tmp_path):
    whole = _three_items()
    report = _fetch(httpserver, tmp_path, whole[: whole.index(b"<item>") + 20])
    assert report.failed
    assert report.line() == (
        "Le Fil: FAILED: the document ends early, before its first complete item (cut download?)"
    )
    assert not list(tmp_path.rglob("*.md"))


def test_a_lone_unfinished_item_is_not_a_post(httpserver, tmp_path):
    report = _fetch(httpserver, tmp_path, b"<rss><channel><item><title>x</titl")
    assert report.failed and "ends early" in report.error
    assert not list(tmp_path.rglob("*.md"))


def test_a_cut_document_keeps_its_validators_out_of_the_state(httpserver, tmp_path):
    """The next fetch must not get a 304 for a document we only got half of."""
    whole = _three_items()
    httpserver.expect_request("/feed").respond_with_data(
        whole[: whole.index(b"Paragraphe 12")], headers={"ETag": '"cut"'}
    )
    config = archive_config(tmp_path, {"url": httpserver.url_for("/feed"), "name": "Le Fil"})
    archive.run(config)
    path = tmp_path / "archive" / ".feed-archive-state.json"
    state = json.loads(path.read_text("utf-8")) if path.exists() else {}
    assert all(values.get("etag") != '"cut"' for values in state.values())


def test_a_complete_document_with_trailing_garbage_keeps_every_item(httpserver, tmp_path):
    whole = _three_items() + b"<!-- page generated in 0.2 s --><b>Warning</b>: x"
    report = _fetch(httpserver, tmp_path, whole)
    assert (report.counts["new"], report.counts["incomplete"]) == (3, 0)


def test_a_connection_dropped_before_content_length_fails_the_feed(tmp_path):
    """A server announcing more bytes than it sends: the feed fails, nothing is archived."""
    body = _three_items()
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}\r\n\r\n"
        connection.sendall(head.encode() + body[: len(body) // 2])
        connection.close()

    threading.Thread(target=answer, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/feed"
    (report,) = archive.run(archive_config(tmp_path, {"url": url, "name": "Le Fil"}))
    listener.close()
    assert report.failed
    assert not list(tmp_path.rglob("*.md"))
