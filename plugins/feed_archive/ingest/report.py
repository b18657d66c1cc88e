"""Report: what one feed's fetch did, as counts per outcome and one line for people."""

from __future__ import annotations

from dataclasses import dataclass, field

#: What can happen to one entry of a feed (the README explains each word of the fetch line).
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
DUPLICATE, STALE, TEASER = "duplicate", "stale", "teaser"
INCOMPLETE, SKIPPED = "incomplete", "skipped"
OUTCOMES = (NEW, UPDATED, UNCHANGED, DUPLICATE, STALE, TEASER, INCOMPLETE, SKIPPED)
#: Outcomes that mean an entry of the document was not archived: the fetch exits non-zero.
NOT_ARCHIVED = (INCOMPLETE, SKIPPED)
_NAMED = 3


@dataclass
class FeedReport:
    """What one feed's fetch did: counts per outcome, the HTTP status, or the error."""

    name: str
    status: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    error: str | None = None
    warning: str | None = None
    #: (outcome, item title, cause) for each entry that was not archived.
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    #: archived items this document no longer lists while older ones remain (disappear.py)
    withdrawn: int = 0
    #: new entries left for the next fetches (FEED_ARCHIVE_MAX_NEW_ITEMS)
    held: int = 0

    @property
    def failed(self) -> bool:
        """True when the feed could not be archived at all."""
        return self.error is not None

    @property
    def problem(self) -> bool:
        """True when the feed failed or one of its entries could not be archived."""
        return self.failed or any(self.counts[k] for k in NOT_ARCHIVED)

    def miss(self, outcome: str, title: str, cause: str) -> None:
        """Count an entry that was not archived, with what to tell about it."""
        self.counts[outcome] += 1
        self.missed.append((outcome, title, cause))

    def _named(self, outcome: str) -> str:
        missed = [(t, c) for o, t, c in self.missed if o == outcome]
        names = [f'"{title}" ({cause})' if cause else f'"{title}"' for title, cause in missed]
        more = len(names) - _NAMED
        return ", ".join(names[:_NAMED]) + (f" and {more} more" if more > 0 else "")

    def line(self) -> str:
        """One human line: counts and HTTP status (missed entries named), or the error."""
        if self.error:
            return f"{self.name}: FAILED: {self.error}"
        changes = [f"{self.counts[k]} {k}" for k in (UPDATED,) if self.counts[k]]
        if self.status == 304:
            return f"{self.name}: not modified (HTTP 304)" + "".join(f", {c}" for c in changes)
        parts = [f"{self.counts[k]} {k}" for k in (NEW, UPDATED, UNCHANGED)]
        for outcome in (DUPLICATE, STALE, TEASER, INCOMPLETE, SKIPPED):
            if self.counts[outcome]:
                named = self._named(outcome) if outcome in NOT_ARCHIVED else ""
                parts.append(f"{self.counts[outcome]} {outcome}" + (f": {named}" if named else ""))
        if self.withdrawn:
            parts.append(f"{self.withdrawn} withdrawn")
        if self.held:
            parts.append(f"{self.held} more next run")
        where = f" (HTTP {self.status})" if self.status else ""
        return f"{self.name}: " + ", ".join(parts) + where
