"""Rows: one archived item as the exports hold it (its versions, tags and changes); reads only.

An item is read from its files (the post and its kept versions, with the proofs of
build/proof.py); its versions are ordered as the archive saw them (the fetch that first served
each, else the file's own Fetched, Modified or Date, then the file order), and each pair of
consecutive versions gets the kinds of change of post/changes.py.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Sequence

from ...post import plain_title, split_file
from ...post.changes import change_kinds
from ..proof import FileProof


@dataclass(frozen=True)
class ItemRows:
    """An item, its versions (oldest first) and its changes, as plain values."""

    item: dict[str, Any]
    versions: tuple[dict[str, Any], ...]
    tags: tuple[str, ...]
    changes: tuple[dict[str, Any], ...]


def item_digest(files: Sequence[FileProof], url: str) -> str:
    """What an item's rows depend on: its files' digests and records, and its URL."""
    parts = [url]
    for f in files:
        origin = f.origin
        told = (
            (origin.kind, origin.fetched, origin.feed, origin.status, origin.etag)
            + (origin.last_modified, origin.recorded)
            if origin
            else ()
        )
        parts.append(f"{f.path} {f.sha256} {told}")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _seen(header: dict[str, str], proof: FileProof) -> str:
    """When the archive saw a version, as a UTC ISO instant for sorting ('' when unknown)."""
    candidates = [proof.origin.fetched if proof.origin else None]
    candidates += [header.get(k) for k in ("fetched", "modified", "date")]
    for value in candidates:
        if not value:
            continue  # not recorded: the next candidate says
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()  # one offset: text order is time order
    return ""


def _version(proof: FileProof, header: dict[str, str], body: str) -> dict[str, Any]:
    origin = proof.origin
    return {
        "file": proof.path,
        "kept_number": proof.number,
        "shown": int(proof.number is None),
        "title": plain_title(header.get("title", ""), True),
        "date": header.get("date") or None,
        "updated": header.get("updated") or None,
        "link": header.get("source") or None,
        "paywalled": int(header.get("paywalled") == "true"),
        "fetched": proof.fetched.isoformat(sep=" ") if proof.fetched else None,
        "feed_url": origin.feed if origin else None,
        "status": origin.status if origin else None,
        "etag": origin.etag if origin else None,
        "last_modified": origin.last_modified if origin else None,
        "record": origin.kind if origin else None,
        "recorded": origin.recorded if origin else None,
        "sha256": proof.sha256,
        "body": body,
    }


def read_item(files: Sequence[FileProof], root: Path, url: str) -> ItemRows:
    """The rows of the item whose files (post last) are `files`, under the archive `root`."""
    read = []
    for order, proof in enumerate(files):
        try:
            text = (root / proof.path).read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"{proof.path} is not UTF-8 (byte {exc.start})") from None
        header, body = split_file(text)
        read.append((_seen(header, proof), order, proof, header, body))
    shown = read[-1]
    read.sort(key=lambda entry: (entry[0], entry[1]))
    versions = []
    for number, (_, _, proof, header, body) in enumerate(read, 1):
        versions.append({"number": number, **_version(proof, header, body)})
    changes = []
    for older, newer in zip(read, read[1:], strict=False):
        kinds = change_kinds((older[3], older[4]), (newer[3], newer[4]))
        old_number, new_number = read.index(older) + 1, read.index(newer) + 1
        for kind in kinds:
            changes.append(
                {"older": old_number, "newer": new_number, "kind": kind, "seen": newer[0] or None}
            )
    header = shown[3]
    tags = tuple(t.strip() for t in (header.get("tags") or "").split(",") if t.strip())
    item = {
        "path": shown[2].path,
        "url": url,
        "guid": html.unescape(header.get("guid", "")),
        "title": plain_title(header.get("title", ""), True),
        "date": header.get("date") or None,
        "modified": header.get("modified") or None,
        "link": header.get("source") or None,
        "feed": header.get("feed") or None,
        "feed_id": html.unescape(header.get("feed-id", "")) or None,
        "category": header.get("category") or None,
        "authors": header.get("authors") or None,
        "summary": html.unescape(header.get("summary", "")) or None,
        "paywalled": int(header.get("paywalled") == "true"),
        "versions": len(versions),
        "sha256": shown[2].sha256,
        "digest": item_digest(files, url),
    }
    return ItemRows(item, tuple(versions), tags, tuple(changes))
