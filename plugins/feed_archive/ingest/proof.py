"""Proof: the provenance lines a fetch writes beside the files it writes (post/provenance.py).

A Journal makes one record per file written (a new post, a new current text, a kept version)
and appends it to its month folder's sidecar right after the file is written (one write: a
killed fetch can at most leave the file it just wrote without its record, which `verify`
then names); the fetch's details are the document's just downloaded, the feed's secret hidden.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable

from ..post.provenance import FETCH, Record, append_records, text_digest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fetch:
    """What one fetch of a feed was: when, from where, and what the server answered."""

    fetched: str
    feed: str
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None

    @classmethod
    def of(
        cls,
        fetched: str,
        feed: str,
        status: int | None,
        validators: tuple[str | None, str | None],
        hide: Callable[[str], str],
    ) -> Fetch:
        """The fetch with every text passed through `hide` (the feed's secret redacted)."""
        etag, modified = validators
        return cls(
            fetched=fetched,
            feed=hide(feed),
            status=status,
            etag=hide(etag) if etag else None,
            last_modified=hide(modified) if modified else None,
        )


@dataclass
class Journal:
    """The records of one feed's fetch, appended to their month folder's sidecar as they come."""

    fetch: Fetch
    pending: dict[Path, list[Record]] = field(default_factory=lambda: defaultdict(list))

    def note(self, path: Path, text: str, kind: str = FETCH) -> None:
        """`path` (a post or kept version) was just written with `text`."""
        path = Path(path)
        is_version = path.parent.name.endswith(".versions")
        folder = path.parent.parent if is_version else path.parent
        name = f"{path.parent.name}/{path.name}" if is_version else path.name
        details = self.fetch if kind == FETCH else None
        self.pending[folder].append(
            Record(
                file=name,
                sha256=text_digest(text),
                kind=kind,
                recorded=datetime.now(UTC).isoformat(timespec="seconds"),
                fetched=details.fetched if details else None,
                feed=details.feed if details else None,
                status=details.status if details else None,
                etag=details.etag if details else None,
                last_modified=details.last_modified if details else None,
            )
        )
        self.flush()  # at once: a killed fetch leaves no written file without its record

    def flush(self) -> None:
        """Append every pending record to its folder's sidecar (an error is logged, not raised)."""
        for folder, records in sorted(self.pending.items()):
            try:
                append_records(folder, records)
            except OSError as exc:
                logger.error("provenance: cannot write %s (%s)", folder, exc.strerror or exc)
        self.pending.clear()
