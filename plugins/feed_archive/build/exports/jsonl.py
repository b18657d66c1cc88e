"""JSON Lines: the export as one item a line, gzip, one gzip member per month folder.

A member is the gzip (no name, no time) of the lines of one month folder's items; members are
kept in the cache folder under the digest of what they hold, so a build makes again only the
members of the months that changed and joins them in path order. Gzip readers (`zcat`,
Python's gzip) read the members as one stream; the same archive gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import sqlite3
from pathlib import Path

from . import database

logger = logging.getLogger(__name__)


def _groups(wanted: dict[str, str]) -> dict[str, list[str]]:
    """Item paths by month folder, both sorted."""
    groups: dict[str, list[str]] = {}
    for path in sorted(wanted):
        groups.setdefault(path.rpartition("/")[0], []).append(path)
    return dict(sorted(groups.items()))


def _member(db: sqlite3.Connection, paths: list[str]) -> bytes:
    lines = [
        json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        for item in database.items_with_versions(db, paths)
    ]
    return gzip.compress("".join(lines).encode("utf-8"), compresslevel=9, mtime=0)


def write_jsonl(db: sqlite3.Connection, target: str, wanted: dict[str, str], cache: Path) -> None:
    """Write the export of the items `wanted` (path -> digest) at `target`; members in `cache`."""
    cache.mkdir(parents=True, exist_ok=True)
    used = set()
    with open(target, "wb") as out:
        for paths in _groups(wanted).values():
            summary = "\n".join(f"{p} {wanted[p]}" for p in paths)
            name = hashlib.sha256(f"{database.SCHEMA_VERSION}\n{summary}".encode()).hexdigest()
            member = cache / f"{name}.gz"
            used.add(member.name)
            try:
                data = member.read_bytes()
            except OSError:
                data = _member(db, paths)
                temporary = member.with_suffix(".part")
                temporary.write_bytes(data)
                os.replace(temporary, member)
            out.write(data)
    for stale in cache.iterdir():
        if stale.name not in used:
            stale.unlink(missing_ok=True)
