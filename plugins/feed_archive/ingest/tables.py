"""Tables: every row of a feed's table made as wide as its widest, before Markdown is written.

A GFM table has as many columns as its header row: shorter rows are padded by the Markdown
reader (so the page could be far larger than the Markdown the text cap measures) and cells
beyond the header's count are lost. Here each row gets exactly the table's width in the
Markdown itself, and a spanning cell (colspan) wider than the table's real rows loses its
span: `colspan="1000"` over one-cell rows no longer makes every row 1,000 cells wide.
"""

from __future__ import annotations

import logging

from bs4 import BeautifulSoup, Tag

logger = logging.getLogger(__name__)


def _span(cell: Tag) -> int:
    """The columns a cell covers (markdownify's reading of colspan, at least 1)."""
    value = str(cell.get("colspan") or "")
    return max(1, min(1000, int(value))) if value.isdigit() else 1


def _rows(table: Tag) -> list[tuple[Tag, list[Tag]]]:
    """The rows of `table` itself (not of tables inside it), with their own cells."""
    rows = []
    for row in table.find_all("tr"):
        if isinstance(row, Tag) and row.find_parent("table") is table:
            cells = [c for c in row.find_all(["td", "th"], recursive=False) if isinstance(c, Tag)]
            rows.append((row, cells))
    return rows


def _even(soup: BeautifulSoup, table: Tag) -> None:
    """Make every row of `table` as wide as its widest row of real cells."""
    rows = _rows(table)
    width = max((len(cells) for _, cells in rows), default=0)
    for row, cells in rows:
        if sum(_span(c) for c in cells) > width:
            for cell in cells:
                del cell["colspan"]
        missing = width - sum(_span(c) for c in cells)
        name = "th" if cells and all(c.name == "th" for c in cells) else "td"
        for _ in range(missing):
            row.append(soup.new_tag(name))


def even_tables(soup: BeautifulSoup) -> BeautifulSoup:
    """`soup` with each of its tables evened out (in place); returned for chaining."""
    for table in soup.find_all("table"):
        if isinstance(table, Tag):
            _even(soup, table)
    return soup
