"""Disappear: the fetch's side of the disappearances sidecar; items that left their feed early.

An item is withdrawn when the feed's last document listed it, this one does not, and an item
older than it (by publication date) is listed by both: it did not merely scroll out of the
feed (then every item still listed is newer). It is marked with this run's date, and cleared
when a document lists it again. The sidecar is read once per run and written once, only when
something changed; an unreadable one is never overwritten (the run records nothing in it).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from ..post.gone import LEFT_FEED, SIDECAR_NAME, Disappearances, SidecarError
from .store import StoreError, write_atomic

logger = logging.getLogger(__name__)


class Sidecar:
    """The sidecar of one archive for one run: load, record, save when changed."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / SIDECAR_NAME
        self.writable = True
        try:
            self.gone = Disappearances.load(self.path)
        except SidecarError as exc:
            logger.error("%s; disappearances are not recorded until it is fixed", exc)
            self.gone, self.writable = Disappearances(), False
        self._saved = self.gone.dumps()

    def save(self) -> None:
        """Write the sidecar atomically when this run changed it (never an unreadable one)."""
        text = self.gone.dumps()
        if not self.writable or text == self._saved:
            return
        try:
            write_atomic(self.path, text)
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        self._saved = text


def _instant(date: str) -> datetime | None:
    """The moment a header date names; one without an offset is read as UTC."""
    try:
        moment = datetime.fromisoformat(date)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def withdrawn(previous: dict[str, str], listed: dict[str, str]) -> list[str]:
    """Posts the previous document listed and this one does not, while older ones remain.

    Both maps go from a post to its publication date; only posts listed by both documents
    count as "still listed" (an old item that comes back to the top of a feed does not make
    the items it pushes out look withdrawn). A missing post counts as withdrawn when two
    still-listed posts are older than it, or one that is also newer than another missing
    post: a single old post kept at the end of a feed (a pinned post) is not enough.
    """
    remaining = [d for d in (_instant(listed[rel]) for rel in listed if rel in previous) if d]
    gone = {rel: _instant(previous[rel]) for rel in previous if rel not in listed}
    dated = [d for d in gone.values() if d is not None]
    if not remaining or not dated:
        return []
    oldest_gone = min(dated)
    found = []
    for rel, when in gone.items():
        older = [d for d in remaining if when is not None and d < when]
        if len(older) >= 2 or any(d > oldest_gone for d in older):
            found.append(rel)
    return sorted(found)


def record_listing(
    gone: Disappearances, previous: dict[str, str], listed: dict[str, str], seen: str
) -> tuple[int, int]:
    """Mark the withdrawn posts and clear those listed again; (marked, cleared) counts."""
    marked = sum(gone.mark(rel, LEFT_FEED, seen) for rel in withdrawn(previous, listed))
    cleared = sum(gone.clear(rel, LEFT_FEED, seen) for rel in sorted(listed))
    if marked or cleared:
        logger.info("left the feed early: %s marked, %s back in the feed", marked, cleared)
    return marked, cleared
