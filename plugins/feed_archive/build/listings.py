"""Listings: a tag's or a source's items, cut into stable pages and grouped by year and month.

Pure: Pelican articles (with their `.fa` ItemInfo) in, pages and groups out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

MONTH_URL = "{0:04d}/{1:02d}/"
YEAR_URL = "{0:04d}/"


def save_as(url: str) -> str:
    """The file written for a directory-style URL."""
    return url + "index.html" if url.endswith("/") else url


@dataclass(eq=False)
class ListingPage:
    """One page of a tag or source listing; numbered pages never change once full.

    `number` names the file (`page/<number>/`, counted from the oldest, so a full page never
    moves); `shown` is the number readers see, counted from the newest (1 = the main page).
    """

    number: int
    url: str
    items: list[Any]
    older: ListingPage | None = None
    newer: ListingPage | None = None
    shown: int = 1

    @property
    def save_as(self) -> str:
        """The file written for this page."""
        return save_as(self.url)


@dataclass(eq=False)
class Listing:
    """All items of one tag or one source, newest first, with stable pages."""

    kind: str
    name: str
    slug: str
    url: str
    file: str
    feed: str | None = None
    items: list[Any] = field(default_factory=list)
    names: Counter = field(default_factory=Counter)
    pages: list[ListingPage] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of items."""
        return len(self.items)

    def paginate(self, size: int) -> None:
        """Cut the items into pages numbered from the oldest, so an addition changes few pages.

        The main page shows the newest partial chunk and the last full one; numbered pages
        hold full chunks of `size` items, oldest first, and never move once full.
        """
        size = max(1, size)
        oldest_first = self.items[::-1]
        full = len(oldest_first) // size
        base = self.url if self.url.endswith("/") else self.url.rsplit(".", 1)[0] + "/"
        numbered = [
            ListingPage(
                n + 1, f"{base}page/{n + 1}/", oldest_first[n * size : (n + 1) * size][::-1]
            )
            for n in range(full)
        ]
        shown_from = max(0, full - 1) * size
        main = ListingPage(0, self.url, oldest_first[shown_from:][::-1])
        main.older = numbered[full - 2] if full >= 2 else None
        for i, page in enumerate(numbered):
            page.older = numbered[i - 1] if i else None
            page.newer = numbered[i + 1] if i + 1 < full - 1 else main
            page.shown = max(1, full - i)  # the newest full page holds what the main page shows
        self.pages = [main, *numbered]

    @property
    def sequence(self) -> list[ListingPage]:
        """The pages a reader goes through, newest first (main page, then older full pages)."""
        main, *numbered = self.pages
        return [main, *reversed(numbered[:-1])]

    def pager(self, page: ListingPage, around: int = 2) -> list[ListingPage | None]:
        """Pages to link from `page`: the first, the last and `around` on each side; None = gap."""
        pages = self.sequence
        wanted = {1, len(pages), *range(page.shown - around, page.shown + around + 1)}
        links: list[ListingPage | None] = []
        for shown in range(1, len(pages) + 1):
            if shown in wanted:
                links.append(pages[shown - 1])
            elif links and links[-1] is not None:
                links.append(None)
        return links


@dataclass
class Period:
    """Consecutive items of one year (with their months when the year is dense enough)."""

    year: int
    url: str
    items: list[Any]
    months: list[tuple[int, int, str, list[Any]]] = field(default_factory=list)


#: Fewest items per month, on average over the months a year's items span, to head each month.
DENSE_MONTH = 3


def by_year(items: Sequence[Any]) -> list[Period]:
    """Items grouped by local year; months as sub-groups only where they hold several items."""
    periods: list[Period] = []
    for item in items:
        year = item.fa.local.year
        if not periods or periods[-1].year != year:
            periods.append(Period(year, YEAR_URL.format(year), []))
        periods[-1].items.append(item)
    for period in periods:
        months = by_month(period.items)
        if len(period.items) >= DENSE_MONTH * len(months):
            period.months = months
    return periods


def by_month(items: Sequence[Any]) -> list[tuple[int, int, str, list[Any]]]:
    """Consecutive items grouped by local month: (year, month, month page URL, items)."""
    groups: list[tuple[int, int, str, list[Any]]] = []
    for item in items:
        local = item.fa.local
        if not groups or groups[-1][:2] != (local.year, local.month):
            groups.append((local.year, local.month, MONTH_URL.format(local.year, local.month), []))
        groups[-1][3].append(item)
    return groups
