"""Post digests kept from the last build are used only while every file of the post is the same."""

from __future__ import annotations

import json
import os
from pathlib import Path

from feed_archive.build.postfiles import PostFiles


def _archive(tmp_path: Path) -> tuple[Path, Path, Path]:
    root = tmp_path / "archive"
    post = root / "feed" / "2025" / "01" / "a-1.md"
    post.parent.mkdir(parents=True)
    post.write_text("Title: A\n\nun\n", encoding="utf-8")
    (post.parent / "b-2.md").write_text("Title: B\n\ndeux\n", encoding="utf-8")
    return root, post, tmp_path / "cache" / "posts.json"


def _rebuild(root: Path, record: Path, post: Path) -> tuple[PostFiles, bytes]:
    """A build: scan, digest the post, save the record."""
    files = PostFiles(str(root), record)
    found = files.digest(str(post))
    files.save()
    return files, found


def test_a_recorded_digest_is_used_while_the_files_are_unchanged(tmp_path: Path) -> None:
    root, post, record = _archive(tmp_path)
    first, digest = _rebuild(root, record, post)
    assert str(post) in first.changed()
    data = json.loads(record.read_text())
    data["posts"]["feed/2025/01/a-1.md"][1] = "ab" * 16  # what the last build said, not re-read
    record.write_text(json.dumps(data))
    again = PostFiles(str(root), record)
    assert str(post) not in again.changed()
    assert again.digest(str(post)) == bytes.fromhex("ab" * 16) != digest


def test_a_rewritten_post_of_the_same_size_is_read_again(tmp_path: Path) -> None:
    root, post, record = _archive(tmp_path)
    _, digest = _rebuild(root, record, post)
    stat = post.stat()
    replacement = post.with_name("new.tmp")
    replacement.write_text("Title: A\n\ndu\n", encoding="utf-8")  # same size
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even the same mtime
    os.replace(replacement, post)  # how the archive writes: a new file, a new inode
    files = PostFiles(str(root), record)
    assert str(post) in files.changed()
    assert files.digest(str(post)) != digest


def test_a_version_added_beside_an_unchanged_post_changes_its_digest(tmp_path: Path) -> None:
    root, post, record = _archive(tmp_path)
    _, digest = _rebuild(root, record, post)
    versions = post.with_name("a-1.versions")
    versions.mkdir()
    (versions / "001.md.txt").write_text("Title: A\n\navant\n", encoding="utf-8")
    files = PostFiles(str(root), record)
    assert [n for n, _ in files.version_files(str(post))] == [1]
    assert str(post) in files.changed()
    assert files.digest(str(post)) != digest


def test_a_broken_record_is_ignored(tmp_path: Path) -> None:
    root, post, record = _archive(tmp_path)
    _, digest = _rebuild(root, record, post)
    for broken in ("{", '{"format": 1, "posts": {"feed/2025/01/a-1.md": 3}}', "[]", '"x"'):
        record.write_text(broken)
        files = PostFiles(str(root), record)
        assert files.digest(str(post)) == digest
        assert str(post) in files.changed()
