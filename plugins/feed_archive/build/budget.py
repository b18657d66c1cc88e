"""Budget: the site's size, per item, and when it will pass GitHub Pages' 1 GB at its pace.

GitHub Pages publishes sites up to 1 GB. The build's last line says how big the output is,
how many bytes each item costs, and, at the archive's rate of items per day (over the last
365 days), in how long the site will reach that limit. The exports (`exports/`) are part of
the site and said apart; a file over GitHub's 100 MB limit for one file is named.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

LIMIT = 1_000_000_000
#: GitHub refuses a push holding a file larger than this.
FILE_LIMIT = 100_000_000
EXPORTS = "exports"
#: Days over which the archive's pace is measured (the newest item ends the window).
WINDOW = 365


@dataclass(frozen=True)
class Budget:
    """The size of a built site and what it says about the next years."""

    total: int
    files: int
    items: int
    per_day: float
    exports: int = 0
    largest: tuple[int, str] = (0, "")

    @property
    def per_item(self) -> float:
        """Bytes of output per item."""
        return self.total / self.items if self.items else 0.0

    def days_left(self) -> float | None:
        """Days until the limit at this pace (None: no growth, or no item)."""
        growth = self.per_item * self.per_day
        return (LIMIT - self.total) / growth if growth > 0 and self.total < LIMIT else None

    def line(self, today: dt.date) -> str:
        """The build's last line about its size."""
        size = f"{self.total / 1e6:,.1f} MB in {self.files:,} files"
        head = f"feed_archive: site {size}, {self.per_item / 1e3:,.1f} KB per item"
        if self.exports:
            head += f" (of which exports {self.exports / 1e6:,.1f} MB)"
        if self.largest[0] > FILE_LIMIT:
            head += f"; {self.largest[1]} is over GitHub's 100 MB file limit"
        if self.total >= LIMIT:
            return f"{head}: over GitHub Pages' 1 GB limit"
        left = self.days_left()
        if left is None:
            return f"{head}; no item in the last {WINDOW} days: 1 GB is not in sight"
        when = today + dt.timedelta(days=min(left, 365 * 1000))
        years = left / 365.25
        return (
            f"{head}; at {self.per_day:,.1f} items a day it reaches GitHub Pages' 1 GB in "
            f"{years:,.1f} years ({when:%Y-%m})"
        )


def measure(output: Path, dates: Sequence[dt.datetime]) -> Budget:
    """The size of `output` (every file) and the pace of the items dated `dates`."""
    total = files = exports = 0
    largest = (0, "")
    for folder, _, names in os.walk(output):
        rel = os.path.relpath(folder, output)
        for name in names:
            try:
                size = os.stat(os.path.join(folder, name)).st_size
            except OSError:
                continue
            total += size
            files += 1
            if rel.split(os.sep)[0] == EXPORTS:
                exports += size
            if size > largest[0]:
                largest = (size, os.path.join(rel, name).replace(os.sep, "/").removeprefix("./"))
    per_day = 0.0
    if dates:
        newest = max(dates)
        start = newest - dt.timedelta(days=WINDOW)
        span = min(WINDOW, max(1, (newest - min(dates)).days + 1))
        per_day = sum(1 for d in dates if d > start) / span
    return Budget(total, files, len(dates), per_day, exports, largest)


def summary(output: Any, articles: Sequence[Any]) -> str:
    """The budget line of a build that wrote `output` from `articles`."""
    budget = measure(Path(output), [a.date for a in articles])
    return budget.line(dt.date.today())
