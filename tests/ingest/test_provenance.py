"""Provenance (issue 16): what a fetch records of each version, and `verify` over the archive."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SAMPLE_1, SAMPLE_2, archive_config, fetch_into
from feed_archive.ingest import archive
from feed_archive.ingest.verify import verify
from feed_archive.post.provenance import SIDECAR, file_digest, normalised, read_sidecar

SECRET = "pr0v-Key-77SECRET"
LEGACY = ROOT / "tests" / "data" / "legacy-archive"


def _samples(content: Path) -> Path:
    """The two sample snapshots fetched into `content`; the archive folder."""
    for sample in (SAMPLE_1, SAMPLE_2):
        assert fetch_into(content, sample).error is None
    return content / "archive"


def _records(root: Path) -> list[Any]:
    return [r for sidecar in sorted(root.rglob(SIDECAR)) for r in read_sidecar(sidecar.parent)]


def test_normalised_text_drops_provenance_lines_and_unifies_line_ends() -> None:
    decomposed = "Title: Cafe\u0301\nFetched: 2026-01-01 10:00:00+01:00\nTags: a, b\n\nTexte\r\n"
    composed = "Title: Café\r\nModified: 2026-02-02 10:00:00+01:00\n\nTexte\n"
    assert normalised(decomposed) == normalised(composed) == "Title: Café\n\nTexte\n".encode()
    assert normalised("Title: A\n\nTexte") != normalised("Title: A\n\nTexté")
    # only the header's lines are left out: the same words in the body count
    assert b"Tags: x" in normalised("Title: A\n\nTags: x\n")


def test_every_written_file_is_recorded_with_its_digest(tmp_path: Path) -> None:
    root = _samples(tmp_path / "content")
    files = [p for p in root.rglob("*") if p.name.endswith((".md", ".md.txt"))]
    assert any(p.name.endswith(".md.txt") for p in files), "the samples update one item"
    records = _records(root)
    for path in files:
        folder = path.parent.parent if path.parent.name.endswith(".versions") else path.parent
        name = path.relative_to(folder).as_posix()
        mine = [r for r in records if r.file == name]
        assert mine, f"{name} has no record"
        assert mine[-1].sha256 == file_digest(path)
    kinds = {r.kind for r in records}
    assert kinds == {"fetch", "kept"}, kinds  # the updated item's first text moved to history


def test_verify_passes_on_a_fresh_archive(tmp_path: Path) -> None:
    root = _samples(tmp_path / "content")
    verdict = verify(root)
    assert verdict.ok and verdict.checked >= 10
    assert not verdict.recorded_later, verdict.recorded_later
    assert len(verdict.root_digest) == 64


@pytest.mark.parametrize("which", ["post", "version"])
def test_verify_names_a_file_edited_by_one_byte(tmp_path: Path, which: str) -> None:
    root = _samples(tmp_path / "content")
    suffix = ".md" if which == "post" else ".md.txt"
    target = next(p for p in sorted(root.rglob(f"*{suffix}")))
    data = bytearray(target.read_bytes())
    at = data.rindex(b"e")  # in the body: one letter changed
    data[at : at + 1] = b"E"
    target.write_bytes(bytes(data))
    verdict = verify(root)
    assert not verdict.ok
    assert [path for path, _, _ in verdict.changed] == [target]
    assert verify(root).changed, "a changed file is never recorded as its new self"


def test_a_line_end_or_tag_rewrite_is_not_a_change(tmp_path: Path) -> None:
    root = _samples(tmp_path / "content")
    post = next(p for p in sorted(root.rglob("*.md")) if "Tags:" in p.read_text("utf-8"))
    text = post.read_text("utf-8").replace("\n", "\r\n")
    text = "\r\n".join(
        "Tags: autre" if line.startswith("Tags:") else line for line in text.split("\r\n")
    )
    post.write_bytes(text.encode())
    assert verify(root).ok


def test_a_deleted_version_is_named(tmp_path: Path) -> None:
    root = _samples(tmp_path / "content")
    version = next(root.rglob("*.md.txt"))
    version.unlink()
    assert verify(root).missing == [version]


def test_an_archive_without_records_is_recorded_later_never_dated(tmp_path: Path) -> None:
    root = tmp_path / "content" / "archive"
    shutil.copytree(LEGACY / "archive", root)
    assert not list(root.rglob(SIDECAR))
    first = verify(root)
    assert first.ok and first.recorded_later and first.checked == len(first.recorded_later)
    records = _records(root)
    assert records and all(r.kind == "later" and r.fetched is None for r in records)
    second = verify(root)
    assert second.ok and not second.recorded_later
    assert second.root_digest == first.root_digest


def test_provenance_from_a_real_server(
    httpserver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Status, validators and time of the fetch; the feed's URL without its key."""
    monkeypatch.setenv("PROOF_FEED_KEY", SECRET)
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>P</title>'
        "<item><title>Un</title><link>https://p.example/1</link><guid>https://p.example/1</guid>"
        "<pubDate>Mon, 30 Nov 2026 10:00:00 +0000</pubDate><description>Texte un</description>"
        "</item></channel></rss>"
    )
    httpserver.expect_request(f"/{SECRET}/feed.xml").respond_with_data(
        feed,
        content_type="application/rss+xml",
        headers={"ETag": f'"v1-{SECRET}"', "Last-Modified": "Mon, 30 Nov 2026 10:05:00 GMT"},
    )
    url = httpserver.url_for("/{secret}/feed.xml")
    content = tmp_path / "content"
    config = archive_config(content, {"url": url, "name": "Privé", "secret_env": "PROOF_FEED_KEY"})
    (report,) = archive.run(config)
    assert report.error is None and report.counts["new"] == 1
    sidecar = next((content / "archive").rglob(SIDECAR))
    assert SECRET not in sidecar.read_text("utf-8")
    (record,) = read_sidecar(sidecar.parent)
    assert record.kind == "fetch" and record.status == 200
    assert record.feed == url  # as configured, "{secret}" in place of the key
    assert record.etag == '"v1-***"'
    assert record.last_modified == "Mon, 30 Nov 2026 10:05:00 GMT"
    post = next((content / "archive").rglob("*.md"))
    assert record.fetched and f"Fetched: {record.fetched}\n" in post.read_text("utf-8")
    assert record.sha256 == file_digest(post)
    assert json.loads(sidecar.read_text("utf-8"))["file"] == post.name


def test_a_broken_record_line_fails_verify_naming_it(tmp_path: Path) -> None:
    """A conflict marker or a hand-broken line is not silently dropped (it could hide an edit)."""
    root = _samples(tmp_path / "content")
    sidecar = next(root.rglob(SIDECAR))
    lines = sidecar.read_text("utf-8").splitlines(keepends=True)
    sidecar.write_text("".join(["<<<<<<< HEAD\n", *lines]), encoding="utf-8")
    verdict = verify(root)
    assert not verdict.ok
    assert verdict.bad_records == [f"{sidecar} line 1"]


def test_an_append_cut_short_is_dropped_not_a_failure(tmp_path: Path) -> None:
    """A fetch killed while appending leaves one unfinished line: never a bad record."""
    root = _samples(tmp_path / "content")
    sidecar = next(s for s in sorted(root.rglob(SIDECAR)) if "versions" not in s.read_text("utf-8"))
    whole = sidecar.read_bytes()  # a folder of new posts: its last line records a new file
    sidecar.write_bytes(whole[: whole.rindex(b"\n", 0, len(whole) - 1) + 1] + whole[-90:-40])
    first = verify(root)
    assert first.ok, (first.bad_records, first.changed, first.missing)
    assert len(first.recorded_later) == 1  # the file the lost line was about
    text = sidecar.read_text("utf-8")
    assert text.endswith("\n") and all(json.loads(line) for line in text.splitlines())
    assert verify(root).ok and not verify(root).recorded_later
