"""Months: the article pages of a built site by month, what Pagefind reads of them, groups."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection

from ..tree import walk

#: Article pages live under <yyyy>/<mm>/<dd>/<slug>/ (ARTICLE_URL): only they are indexed.
YEAR_FOLDER = re.compile(r"^\d{4}$")
MONTH_FOLDER = re.compile(r"^\d{2}$")


_BODY = re.compile(rb"<([a-zA-Z][\w-]*)[^>]*?\sdata-pagefind-body[\s>=/]")
_MARKED = re.compile(rb"<[^>]*\sdata-pagefind-[^>]*>[^<]*")
_EXTRAS = (
    re.compile(rb"<html[\s>][^>]*"),
    re.compile(rb"<title[\s>].*?</title>", re.S),
    re.compile(rb"<h1[\s>].*?</h1>", re.S),
    re.compile(rb"<img\s[^>]*>"),
)


def _indexed(html: bytes) -> bytes | None:
    """What Pagefind reads of a page with data-pagefind-body (the body element, the tags with
    data-pagefind-* attributes, the language, first title, h1 and image), or None without it.

    Two pages with the same result index the same: links around the body (previous/next,
    related items) can change without re-indexing.
    """
    found = _BODY.search(html)
    if found is None:
        return None
    tag = re.escape(found.group(1))
    depth, end = 0, None
    for mark in re.finditer(rb"<(/?)" + tag + rb"[\s>/]", html[found.start() :]):
        depth += -1 if mark.group(1) else 1
        if depth == 0:
            end = found.start() + mark.end()
            break
    if end is None:
        return html
    parts = [html[found.start() : end], *_MARKED.findall(html)]
    for pattern in _EXTRAS:
        extra = pattern.search(html)
        parts.append(extra.group(0) if extra else b"")
    return b"\0".join(parts)


def _html_files(folder: Path) -> list[tuple[str, os.stat_result]]:
    """(path relative to `folder`, stat) of every HTML file below it, sorted by path."""
    found = walk(str(folder))
    return sorted(
        (name, info)
        for name, info in found.items()
        if name.endswith(".html") and stat.S_ISREG(info.st_mode)
    )


def _read(folder: Path) -> tuple[int, str]:
    """Pages of `folder` Pagefind will index, and a digest of what it reads of them."""
    marked: list[tuple[str, bytes]] = []
    every: list[tuple[str, bytes]] = []
    for name, _ in _html_files(folder):
        html = (folder / name).read_bytes()
        every.append((name, html))
        part = _indexed(html)
        if part is not None:
            marked.append((name, part))
    pages = marked or every
    digest = hashlib.blake2b(digest_size=16)
    for name, part in sorted(pages):
        digest.update(hashlib.blake2b(name.encode() + b"\0" + part, digest_size=16).digest())
    return len(pages), digest.hexdigest()


def _stamp(folder: Path) -> str:
    """Digest of the names, sizes and mtimes of the HTML files under `folder`.

    The build writes a file only when its bytes change (memo.write_if_changed), so an equal
    stamp means the month's pages were not touched since they were last read.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name, info in _html_files(folder):
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Month:
    """One month folder of the built site (`name` "yyyy-mm", folder yyyy/mm/): its indexed
    pages, a digest of what Pagefind reads of them (`content`) and one of its HTML files'
    names, sizes and mtimes (`stamp`)."""

    name: str
    pages: int
    content: str = ""
    stamp: str = ""

    @property
    def folder(self) -> str:
        """The month's folder relative to the site."""
        return self.name.replace("-", "/")


def _month_folders(site: Path) -> list[tuple[str, Path]]:
    """("yyyy-mm", folder) of every yyyy/mm/ folder of the site."""
    found = []
    for year in site.iterdir():
        if not (year.is_dir() and YEAR_FOLDER.match(year.name)):
            continue
        for month in year.iterdir():
            if month.is_dir() and MONTH_FOLDER.match(month.name):
                found.append((f"{year.name}-{month.name}", month))
    return found


def scan(
    site: Path, known: dict[str, Any] | None = None, dirty: Collection[str] = ()
) -> list[Month]:
    """Month folders with article pages, newest first.

    With `known` (month -> {"pages", "content", "stamp"}, from the last manifest), a month not
    in `dirty` whose stamp did not change is not read again.
    """
    found = []
    for name, folder in _month_folders(site):
        if known is None:
            month = Month(name, *_read(folder))
        else:
            stamp = _stamp(folder)
            before = known.get(name)
            if (
                name not in dirty
                and isinstance(before, dict)
                and before.get("stamp") == stamp
                and isinstance(before.get("pages"), int)
                and isinstance(before.get("content"), str)
            ):
                month = Month(name, before["pages"], before["content"], stamp)
            else:
                month = Month(name, *_read(folder), stamp)
        if month.pages:
            found.append(month)
    return sorted(found, key=lambda month: month.name, reverse=True)


def group_months(months: list[tuple[str, int]], max_pages: int) -> list[list[str]]:
    """The indexes' months, newest first: the newest month alone (new items only re-index
    it), the others consecutive from the oldest up, at most `max_pages` pages a group."""
    if max_pages <= 0 or len(months) < 2:
        return [[name for name, _ in months]] if months else []
    groups: list[list[str]] = []
    size = 0
    for month, pages in reversed(months[1:]):
        if not groups or size + pages > max_pages:
            groups.append([])
            size = 0
        groups[-1].insert(0, month)
        size += pages
    return [[months[0][0]], *groups[::-1]]


def plan(site: Path, max_pages: int) -> list[list[str]]:
    """The months ("yyyy-mm") of each index, newest index first.

    With `max_pages` > 0 the newest month gets an index of its own, so a build that adds items
    re-indexes only that month (at a new month, the month before joins the older indexes
    once); older months share indexes of at most `max_pages` pages, filled from the oldest
    up so the older indexes stay as they are. A month larger than `max_pages` gets an index of
    its own; `max_pages` <= 0 means one index.
    """
    return group_months([(month.name, month.pages) for month in scan(site)], max_pages)


#: Pagefind's own UIs, unused by our search page (theme/static/search/): not published.


def changed_months(changed: Collection[str]) -> set[str]:
    """Months ("yyyy-mm") holding an HTML file of `changed` (output paths written or removed)."""
    months = set()
    for name in changed:
        parts = str(name).replace(os.sep, "/").split("/", 2)
        if (
            len(parts) == 3
            and YEAR_FOLDER.match(parts[0])
            and MONTH_FOLDER.match(parts[1])
            and parts[2].endswith(".html")
        ):
            months.add(f"{parts[0]}-{parts[1]}")
    return months
