"""Record: one built post into the archive, as a new post, the current version, or a kept one.

The store is searched by the item's key within its feed (render.item_key); an archive written
before identities were scoped is found by its old key, and only if the old file belongs to the
same feed. Which version becomes current is decided by current.choose; nothing is deleted and
no kept version is ever rewritten.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..post import (
    Post,
    collapse,
    comparable_identity,
    content_key,
    item_key,
    key_of,
    metadata_name,
    read_header,
    render,
    with_history,
)
from ..settings import Source
from . import current
from .proof import Journal
from .report import NEW, STALE, TEASER, UNCHANGED, UPDATED
from .store import Store, StoreError

logger = logging.getLogger(__name__)


def _later(first: str, second: str) -> str:
    """The later of two dates written by render.format_date (compared as instants)."""
    try:
        return max(first, second, key=datetime.fromisoformat)
    except ValueError:
        return first


@dataclass
class Recorder:
    """Records the posts of one feed's fetch; remembers which kept versions it served once."""

    store: Store
    source: Source
    markers: tuple[re.Pattern[str], ...]
    fetched: str
    #: item key -> version key served once by the previous fetch (from the state file).
    pending: dict[str, str] = field(default_factory=dict)
    #: item key -> version key this fetch served once (for the next fetch).
    served: dict[str, str] = field(default_factory=dict)
    #: every post this fetch's document lists, with its publication date (disappear.py)
    listed: dict[Path, str] = field(default_factory=dict)
    #: the provenance of what this fetch writes (proof.py), when it is recorded
    journal: Journal | None = None

    def _note(self, path: Path, text: str, kind: str = "fetch") -> None:
        if self.journal is not None:
            self.journal.note(path, text, kind)

    def _owns(self, header: dict[str, str]) -> bool:
        if header.get("feed-id"):
            return html.unescape(header["feed-id"]) == collapse(self.source.feed_id)
        return header.get("feed") == metadata_name(self.source.name)

    def known(self, identity: str, legacy: str = "") -> bool:
        """True when the item may be archived already (a look-up by key: nothing is read)."""
        identity = collapse(identity)
        if self.store.has(item_key(self.source.feed_id, identity)):
            return True
        return self.store.has(key_of(legacy or identity))

    def locate(self, post: Post, legacy: str) -> tuple[str, tuple[Path, str] | None]:
        """The key naming the item's file, and the file with its text when it is archived."""
        for length in (12, 24):
            key = item_key(self.source.feed_id, post.identity, length)
            found = self.store.find(key)
            if found is None:
                return key, self._legacy(post, legacy)
            header = read_header(found[1])
            stored = comparable_identity(html.unescape(header.get("guid", "")))
            if stored == comparable_identity(post.identity) and self._owns(header):
                return key, found
            logger.warning("file key collision on %s; using a longer key", found[0])
        raise StoreError(f"{key}: key collision for identity {post.identity!r}")

    def _legacy(self, post: Post, legacy: str) -> tuple[Path, str] | None:
        """The file the archive's version 0.1 wrote for this item (keyed by identity alone)."""
        old_identity = legacy or post.identity
        for length in (12, 24):
            found = self.store.find(key_of(old_identity, length))
            if found is None:
                return None
            header = read_header(found[1])
            if html.unescape(header.get("guid", "")) == old_identity and self._owns(header):
                break
        else:
            return None
        if not legacy:
            return found
        # The identity rules changed for this entry: only the same link, or the same text.
        if post.source:
            return found if header.get("source") == post.source else None
        same = content_key(render(with_history(post, header))) == content_key(found[1])
        return found if same else None

    def record(self, post: Post, legacy: str = "") -> str:
        """Archive one post; the outcome says what was done (report.py's words)."""
        key, found = self.locate(post, legacy)
        if found is None:
            slug = post.slug.rsplit("-", 1)[0] + "-" + key
            path = self.store.path_for(self.source.slug, post.date, slug)
            text = render(replace(post, slug=slug))
            self.store.create(path, text)
            self._note(path, text)
            self.listed[path] = post.date
            return NEW
        path, existing = found
        header = read_header(existing)
        self.listed[path] = header.get("date", post.date)
        served = with_history(post, header)
        history_text = render(served)
        now = current.version_of(existing, self.markers)
        new = current.version_of(history_text, self.markers)
        if new.key == now.key:
            return UNCHANGED
        kept = {content_key(text): text for _, text in self.store.versions(path)}
        item = path.stem.rsplit("-", 1)[-1]
        decision = current.choose(new, now, new.key in kept, self.pending.get(item) == new.key)
        if decision == current.PENDING:
            self.served[item] = new.key
            return STALE
        if decision in (current.TEASER, current.STALE):
            if new.key in kept:
                return UNCHANGED if decision == current.TEASER else STALE
            self._note(self.store.add_version(path, history_text), history_text)
            return TEASER if decision == current.TEASER else STALE
        if now.key not in kept:
            self._note(self.store.add_version(path, existing), existing, "kept")
        if new.key in kept:
            text = kept[new.key]  # back to a kept version, as it was
        else:
            modified = _later(served.updated or self.fetched, served.date)
            text = render(replace(served, modified=modified))
        self.store.replace(path, text)
        self._note(path, text)
        return UPDATED

    def promote(self) -> int:
        """After a 304 (the last document served again): make its pending versions current."""
        promoted = 0
        for item, version in self.pending.items():
            found = self.store.find(item)
            if found is None or content_key(found[1]) == version:
                continue
            path, existing = found
            kept = {content_key(text): text for _, text in self.store.versions(path)}
            if version not in kept:
                continue
            if content_key(existing) not in kept:
                self._note(self.store.add_version(path, existing), existing, "kept")
            self.store.replace(path, kept[version])
            self._note(path, kept[version])
            promoted += 1
        return promoted
