"""Gone: the disappearances sidecar (`.feed-archive-gone.json` in the archive folder); pure.

Both phases use it: the fetch records that an item left its feed early or that its source
page is gone, the build shows the marks. The file keeps every event, oldest first, per post
(the post's path relative to the archive folder, with `/`); an item's current marks are the
signals whose last event marked it. Nothing is ever removed from it: a mark that is cleared
gets a "cleared" event after its "marked" one (README, "Disappearances").
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

logger = logging.getLogger(__name__)

SIDECAR_NAME = ".feed-archive-gone.json"
FORMAT = 1
#: The item left its feed while older items are still listed (a withdrawn article).
LEFT_FEED = "left-feed"
#: The item's source page answers 404 or 410, or redirects to its site's home page.
SOURCE_GONE = "source-gone"
SIGNALS = (LEFT_FEED, SOURCE_GONE)
MARKED, CLEARED = "marked", "cleared"


@dataclass(frozen=True)
class Event:
    """One change of one signal of one item: marked (with what was seen) or cleared."""

    signal: str
    state: str
    seen: str
    status: int | None = None
    location: str = ""

    def as_json(self) -> dict[str, Any]:
        """The event as the sidecar writes it (empty details left out)."""
        data: dict[str, Any] = {"signal": self.signal, "state": self.state, "seen": self.seen}
        if self.status is not None:
            data["status"] = self.status
        if self.location:
            data["location"] = self.location
        return data


def _event(raw: Any) -> Event | None:
    if not isinstance(raw, dict):
        return None
    signal, state, seen = raw.get("signal"), raw.get("state"), raw.get("seen")
    if signal not in SIGNALS or state not in (MARKED, CLEARED) or not isinstance(seen, str):
        return None
    status = raw.get("status")
    location = raw.get("location")
    return Event(
        signal,
        state,
        seen,
        status if isinstance(status, int) and not isinstance(status, bool) else None,
        location if isinstance(location, str) else "",
    )


class SidecarError(Exception):
    """The sidecar exists but cannot be read; the message names the file and the cause."""


class Disappearances:
    """Every recorded event per post; the current marks are derived from them."""

    def __init__(self, items: dict[str, list[Event]] | None = None) -> None:
        self.items: dict[str, list[Event]] = items or {}

    @classmethod
    def load(cls, path: Path) -> Disappearances:
        """The sidecar at `path` (empty when missing); SidecarError when it is unreadable."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise SidecarError(f"cannot read {path}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
            raise SidecarError(f"cannot read {path}: not a disappearances file")
        items: dict[str, list[Event]] = {}
        for rel, raw in data["items"].items():
            events = [e for e in map(_event, raw if isinstance(raw, list) else []) if e]
            if events:
                items[str(rel)] = events
        return cls(items)

    def marks(self, rel: str) -> dict[str, Event]:
        """signal -> the event that marked it, for the post's signals marked now."""
        last: dict[str, Event] = {}
        for event in self.items.get(rel, ()):
            last[event.signal] = event
        return {s: e for s, e in last.items() if e.state == MARKED}

    def marked(self) -> Iterator[tuple[str, dict[str, Event]]]:
        """(post, its current marks) for every post marked now, in path order."""
        for rel in sorted(self.items):
            found = self.marks(rel)
            if found:
                yield rel, found

    def events(self) -> Iterator[tuple[str, Event]]:
        """Every event of every post (path order, then oldest first): for the corrections log."""
        for rel in sorted(self.items):
            for event in self.items[rel]:
                yield rel, event

    def mark(
        self, rel: str, signal: str, seen: str, status: int | None = None, location: str = ""
    ) -> bool:
        """Mark a post (True), with when and what was seen; False when it is marked already."""
        if signal in self.marks(rel):
            return False
        self.items.setdefault(rel, []).append(Event(signal, MARKED, seen, status, location))
        return True

    def clear(self, rel: str, signal: str, seen: str) -> bool:
        """Clear a post's mark (True), keeping its history; False when it was not marked."""
        if signal not in self.marks(rel):
            return False
        self.items[rel].append(Event(signal, CLEARED, seen))
        return True

    def dumps(self) -> str:
        """The sidecar's text: stable order, one event per line, so diffs stay readable."""
        lines = []
        for rel in sorted(self.items):
            events = ",\n".join(
                "      " + json.dumps(e.as_json(), ensure_ascii=False) for e in self.items[rel]
            )
            lines.append(f"    {json.dumps(rel, ensure_ascii=False)}: [\n{events}\n    ]")
        body = ",\n".join(lines)
        items = "{\n" + body + "\n  }" if lines else "{}"
        return f'{{\n  "format": {FORMAT},\n  "items": {items}\n}}\n'
