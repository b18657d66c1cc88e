"""Proof: each post's files with their digests and provenance records, for pages and exports.

Once per build (article_generator_finalized) every post and kept version of the archive is
digested (post/provenance.py), a file whose size, mtime and inode did not change since the
last build keeping the digest recorded then (`feed_archive-proof.json` in CACHE_PATH, data
only), and matched with its month folder's provenance records. Each archived article gets
`fa_proof` (its files, oldest kept version first, the shown text last) for its page, and
`fa_proof_key` for the page plan. Never writes the archive.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from ..post.provenance import Ledger, Record, item_files, root_digest, text_digest
from .state import BuildState

logger = logging.getLogger(__name__)

CACHE_NAME = "feed_archive-proof.json"
FORMAT = 1
SHORT = 12


def _moment(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class FileProof:
    """One file of a post: its archive-relative path, digest, and what the records say of it."""

    path: str
    sha256: str
    number: int | None  # None: the post's own file (the text shown)
    recorded: str | None  # the digest the records give this file (None: never recorded)
    origin: Record | None  # how this version was first recorded

    @property
    def short(self) -> str:
        """The first characters of the digest, as shown on the page."""
        return self.sha256[:SHORT]

    @property
    def changed(self) -> bool:
        """True when the file no longer has the digest recorded for it."""
        return self.recorded is not None and self.recorded != self.sha256

    @property
    def fetched(self) -> datetime | None:
        """When the fetch that first served this version ran (None: not recorded)."""
        origin = self.origin
        return _moment(origin.fetched) if origin and origin.kind == "fetch" else None

    @property
    def recorded_on(self) -> datetime | None:
        """When the digest was first recorded (None: never)."""
        return _moment(self.origin.recorded) if self.origin else None

    def entry(self) -> dict[str, Any]:
        """The file as published in /provenance.json."""
        origin = self.origin
        values: dict[str, Any] = {"file": self.path, "sha256": self.sha256}
        values["record"] = origin.kind if origin else None
        if origin is not None:
            for key in ("fetched", "feed", "status", "etag", "last_modified", "recorded"):
                if getattr(origin, key) is not None:
                    values[key] = getattr(origin, key)
        if self.changed:
            values["recorded_sha256"] = self.recorded
        return values


@dataclass
class ArchiveProof:
    """Every post's files with their proofs, by post path, and the archive's root digest."""

    items: dict[str, tuple[FileProof, ...]] = field(default_factory=dict)
    root: str = ""

    def changed(self) -> list[FileProof]:
        """Files whose digest is not the recorded one."""
        return [f for files in self.items.values() for f in files if f.changed]


class _Digests:
    """File digests kept between builds, keyed by the file's stats."""

    def __init__(self, record: Path) -> None:
        self.record = record
        self.known: dict[str, list[str]] = {}
        self.now: dict[str, list[str]] = {}
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("format") == FORMAT:
                files = data.get("files") or {}
                self.known = {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 2}
        except (OSError, ValueError):
            pass

    def of(self, path: str) -> str:
        """The digest of a file, read and computed only when its stats changed."""
        stat = os.stat(path)
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"
        key = path
        known = self.known.get(key)
        if known and known[0] == stamp:
            sha = known[1]
        else:
            sha = text_digest(Path(path).read_bytes().decode("utf-8", "surrogateescape"))
        self.now[key] = [stamp, sha]
        return sha

    def save(self) -> None:
        """Write the digests of this build when they differ from the last one's."""
        if self.now == self.known:
            return
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.record.with_name(self.record.name + ".part")
            temporary.write_text(json.dumps({"format": FORMAT, "files": self.now}), "utf-8")
            os.replace(temporary, self.record)
        except OSError as exc:
            logger.warning("feed_archive: cannot write %s (%s)", self.record, exc)


def _files(post: str, versions: Callable[[str], list[tuple[int, Path]]] | None) -> list[Any]:
    """(name in the month folder, path, kept number or None) of a post's files, post first."""
    if versions is None:
        found = [(n, str(p), None) for n, p in item_files(Path(post))]
        return [
            (n, p, None if i == 0 else int(n.rsplit("/", 1)[1].split(".")[0]))
            for i, (n, p, _) in enumerate(found)
        ]
    head = os.path.basename(post)
    files: list[Any] = [(head, post, None)]
    for number, path in versions(post):
        files.append((f"{head[:-3]}.versions/{path.name}", str(path), number))
    return files


def scan(
    root: Path,
    posts: Iterable[str],
    cache: Path,
    versions: Callable[[str], list[tuple[int, Path]]] | None = None,
) -> ArchiveProof:
    """The proofs of the given posts under the archive `root` (digests cached in `cache`).

    `versions`: a post's kept version files (postfiles.PostFiles.version_files), else listed.
    """
    prefix = os.path.abspath(root) + os.sep
    digests = _Digests(cache)
    ledgers: dict[str, Ledger] = {}
    proof = ArchiveProof()
    lines = []
    for post in sorted(p if os.path.isabs(p) else os.path.abspath(p) for p in posts):
        folder = os.path.dirname(post)
        ledger = ledgers.get(folder)
        if ledger is None:
            ledger = ledgers[folder] = Ledger.of(Path(folder))
        files = []
        for name, path, number in _files(post, versions):
            try:
                sha = digests.of(path)
            except OSError as exc:
                logger.warning("feed_archive: cannot read %s (%s)", path, exc)
                continue
            rel = path.removeprefix(prefix).replace(os.sep, "/")
            files.append(
                FileProof(rel, sha, number, ledger.recorded(name), ledger.origin(name, sha))
            )
            lines.append((rel, sha))
        # kept versions by number (as listed), then the post itself
        proof.items[post] = (
            *(f for f in files if f.number is not None),
            *(f for f in files if f.number is None),
        )
    proof.root = root_digest(lines)
    digests.save()
    return proof


def attach_proof(generator: Any) -> None:
    """article_generator_finalized hook: the archive's proofs; each post gets `fa_proof`."""
    settings = generator.settings
    state = BuildState.of(settings)
    if state is None or not state.config.provenance or state.posts is None:
        return
    cache = Path(settings.get("CACHE_PATH") or "cache") / CACHE_NAME
    paths = [p for p in state.posts.stamps if p.endswith(".md")]
    state.proof = scan(Path(state.posts.root), paths, cache, state.posts.version_files)
    for file in state.proof.changed():
        logger.error(
            "feed_archive: %s no longer has its recorded digest (run invoke verify)", file.path
        )
    for content in getattr(generator, "articles", None) or ():
        files = state.proof.items.get(os.path.abspath(str(content.source_path)))
        if files is None:
            continue
        content.fa_proof = files
        content.fa_proof_key = "|".join(
            f"{f.number}:{f.sha256}:{f.changed}:{f.fetched}:{f.recorded_on}" for f in files
        )
