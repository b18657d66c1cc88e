"""Days: the archive's days, months and years with their items and page URLs; pure."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .listings import MONTH_URL, YEAR_URL

#: Output locations of the pages this index describes (always relative to SITEURL).
DAY_URL = "{0:04d}/{1:02d}/{2:02d}/"
CALENDAR_URL = "archives/"
TAGS_URL = "tags/"
TAGS_BY_COUNT_URL = "tags/count/"
SOURCES_URL = "sources/"
SOURCE_URL = "sources/{slug}/"


@dataclass(eq=False)
class Day:
    """One calendar day with its items, newest first."""

    date: dt.date
    items: list[Any] = field(default_factory=list)
    older: Day | None = None
    newer: Day | None = None

    @property
    def url(self) -> str:
        """URL of the day page."""
        return DAY_URL.format(self.date.year, self.date.month, self.date.day)

    @property
    def month_url(self) -> str:
        """URL of the month page holding this day."""
        return MONTH_URL.format(self.date.year, self.date.month)

    @property
    def year_url(self) -> str:
        """URL of the year page holding this day."""
        return YEAR_URL.format(self.date.year)


@dataclass(eq=False)
class Month:
    """One month: its days with items, and the calendar grid of its weeks."""

    year: int
    month: int
    days: dict[int, Day] = field(default_factory=dict)
    older: Month | None = None
    newer: Month | None = None

    @property
    def url(self) -> str:
        """URL of the month page."""
        return MONTH_URL.format(self.year, self.month)

    @property
    def first(self) -> dt.date:
        """The first day of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def count(self) -> int:
        """Number of items in the month."""
        return sum(len(day.items) for day in self.days.values())

    @property
    def day_list(self) -> list[Day]:
        """The month's days with items, newest first."""
        return [self.days[n] for n in sorted(self.days, reverse=True)]

    def weeks(self, first_weekday: int = 0) -> list[list[tuple[int, Day | None] | None]]:
        """Rows of 7 cells: None outside the month, else (day number, Day or None)."""
        start = self.first
        lead = (start.weekday() - first_weekday) % 7
        length = calendar.monthrange(self.year, self.month)[1]  # December 9999 too
        cells: list[tuple[int, Day | None] | None] = [None] * lead
        cells += [(n, self.days.get(n)) for n in range(1, length + 1)]
        cells += [None] * (-len(cells) % 7)
        return [cells[i : i + 7] for i in range(0, len(cells), 7)]


@dataclass(eq=False)
class Year:
    """One year and its months with items."""

    year: int
    months: dict[int, Month] = field(default_factory=dict)
    older: Year | None = None
    newer: Year | None = None

    @property
    def url(self) -> str:
        """URL of the year page."""
        return YEAR_URL.format(self.year)

    @property
    def count(self) -> int:
        """Number of items in the year."""
        return sum(month.count for month in self.months.values())

    def all_months(self) -> list[tuple[int, Month | None]]:
        """The twelve months, each with its Month when it has items."""
        return [(n, self.months.get(n)) for n in range(1, 13)]
