"""Post files: one scan of the archive per build, and post digests kept from the last build.

The plan needs the digest of every post (its file and its kept versions), the revisions need
each post's version files, and the read-ahead needs the posts that are new or changed. One
walk of the archive folder gives the size, mtime and inode of every post and version file; a
post whose files all have the stats recorded by the last build has the digest recorded then
(`feed_archive-posts.json` in CACHE_PATH, data only), any other is read and digested. Every
write of the archive replaces a file (a new inode), so a changed post never keeps its stats.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..post import VERSION_EXTENSION, VERSIONS_SUFFIX
from .digests import digest

logger = logging.getLogger(__name__)

RECORD_NAME = "feed_archive-posts.json"
FORMAT = 1


def _stamp(entry: os.DirEntry[str]) -> str:
    stat = entry.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"


class PostFiles:
    """The archive's posts and version files as found at the start of one build."""

    def __init__(self, root: str, record: Path) -> None:
        self.root = os.path.abspath(root)
        self.record = record
        self.stamps: dict[str, str] = {}
        self.versions: dict[str, list[tuple[int, Path]]] = {}
        self.known: dict[str, tuple[str, str]] = {}
        self.digests: dict[str, tuple[str, str]] = {}
        self._scan(self.root)
        self._load()

    def _scan(self, folder: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name.endswith(VERSIONS_SUFFIX):
                    self._versions(entry)
                else:
                    self._scan(entry.path)
            elif entry.name.endswith(".md") and entry.is_file():
                self.stamps[entry.path] = _stamp(entry)

    def _versions(self, folder: os.DirEntry[str]) -> None:
        post = folder.path[: -len(VERSIONS_SUFFIX)] + ".md"
        numbered = []
        for entry in os.scandir(folder.path):
            number = entry.name.removesuffix(VERSION_EXTENSION)
            if entry.name.endswith(VERSION_EXTENSION) and number.isdigit() and entry.is_file():
                numbered.append((int(number), Path(entry.path), _stamp(entry)))
        numbered.sort()
        self.versions[post] = [(n, path) for n, path, _ in numbered]
        self.stamps[folder.path] = "|".join(f"{n}={stamp}" for n, _, stamp in numbered)

    def _load(self) -> None:
        try:
            data = json.loads(self.record.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return
            for rel, (signature, hexdigest) in data["posts"].items():
                self.known[os.path.join(self.root, rel)] = (str(signature), str(hexdigest))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return  # no record, or not ours: every post is digested again

    def signature(self, path: str) -> str:
        """The stats of a post's file and of its version files, as one string."""
        folder = path[:-3] + VERSIONS_SUFFIX
        return f"{self.stamps.get(path, '?')}/{self.stamps.get(folder, '')}"

    def version_files(self, path: str) -> list[tuple[int, Path]]:
        """The kept versions of the post at `path`, by number (as post.version_files)."""
        return self.versions.get(os.path.abspath(path), [])

    def changed(self) -> set[str]:
        """Posts whose files are new or changed since the last build recorded them."""
        return {p for p in self.stamps if p.endswith(".md") and self._recorded(p) is None}

    def _recorded(self, path: str) -> str | None:
        found = self.known.get(path)
        return found[1] if found and found[0] == self.signature(path) else None

    def digest(self, source_path: str) -> bytes:
        """The digest of a post: its file and its versions (read only when they changed)."""
        path = os.path.abspath(source_path)
        signature = self.signature(path)
        hexdigest = self._recorded(path)
        if hexdigest is None:
            parts = [Path(path).read_bytes()]
            parts += [version.read_bytes() for _, version in self.version_files(path)]
            hexdigest = digest(b"post", *parts).hex()
        self.digests[path] = (signature, hexdigest)
        return bytes.fromhex(hexdigest)

    def save(self) -> None:
        """Record the digests computed by this build (the posts it no longer has are dropped)."""
        posts: dict[str, Any] = {
            os.path.relpath(path, self.root): list(pair) for path, pair in self.digests.items()
        }
        if {os.path.join(self.root, rel): tuple(pair) for rel, pair in posts.items()} == self.known:
            return
        temporary = self.record.with_name(self.record.name + ".part")
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps({"format": FORMAT, "posts": posts}), encoding="utf-8")
            os.replace(temporary, self.record)
        except OSError as exc:
            logger.warning("feed_archive: cannot write %s (%s)", self.record, exc)
