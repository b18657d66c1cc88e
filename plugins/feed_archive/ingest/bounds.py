"""Bounds: what one fetch may add (FEED_ARCHIVE_MAX_TAGS, _MAX_TEXT_BYTES, _MAX_NEW_ITEMS).

All are pure: they return what is kept and leave the telling (one warning naming the item)
to the caller. New items beyond their cap wait for the next fetches (the oldest come first).
A text is cut at a paragraph or line boundary where one is near, an open code fence is
closed, and CUT_MARKER ends it, so the page shows that something is missing.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Callable

from ..post import slugify, unique_names
from .entry import Entry

logger = logging.getLogger(__name__)

#: The last paragraph of a cut text (Markdown shows it as is: no link follows the brackets).
CUT_MARKER = "[…]"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _key(name: str) -> str:
    """The key unique_names compares names by (their slug)."""
    return slugify(name) or name.casefold()


def cap_tags(
    feed_tags: tuple[str, ...], fixed_tags: tuple[str, ...], limit: int
) -> tuple[tuple[str, ...], int]:
    """(kept tags, how many there were): fixed (configured, rule) tags always, feed tags first."""
    every = unique_names(feed_tags + fixed_tags)
    if len(every) <= limit:
        return every, len(every)
    fixed = unique_names(fixed_tags)
    taken = {_key(name) for name in fixed}
    own = [name for name in unique_names(feed_tags) if _key(name) not in taken]
    room = max(0, limit - len(fixed))
    return unique_names(tuple(own[:room]) + fixed), len(every)


def _open_fence(markdown: str) -> str:
    """The fence that closes a code block left open at the end of `markdown` ("" if none)."""
    opened = ""
    for line in markdown.split("\n"):
        found = _FENCE.match(line)
        if not found:
            continue
        mark = found.group(1)
        if not opened:
            opened = mark
        elif mark[0] == opened[0] and len(mark) >= len(opened) and not line[found.end() :].strip():
            opened = ""
    return opened[0] * len(opened) if opened else ""


def _head(markdown: str, room: int) -> str:
    """At most `room` bytes of `markdown`, ending at a paragraph, line or word end if near."""
    head = markdown.encode("utf-8")[: max(room, 0)].decode("utf-8", "ignore")
    for boundary in ("\n\n", "\n", " "):
        at = head.rfind(boundary)
        if at >= len(head) // 2:
            return head[:at].rstrip()
    return head.rstrip()


def cut_text(markdown: str, limit: int) -> str:
    """`markdown` when it fits in `limit` bytes, else its start, closed and marked as cut."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    room = limit - len(CUT_MARKER.encode("utf-8")) - 2
    while True:
        head = _head(markdown, room)
        fence = _open_fence(head)
        text = (head + "\n" + fence if fence else head) + "\n\n" + CUT_MARKER
        over = len(text.encode("utf-8")) - limit
        if over <= 0:
            return text.lstrip("\n")
        room -= over


def _age(numbered: tuple[int, Entry]) -> tuple[int, datetime | int]:
    """Oldest first: dated entries by date, then undated ones from the document's end."""
    number, entry = numbered
    when = entry.published or entry.updated
    return (0, when) if when is not None else (1, -number)


def within_new_cap(
    entries: list[Entry], known: Callable[[Entry], bool], limit: int
) -> tuple[list[Entry], int]:
    """(entries to archive now, in document order; how many new ones wait for the next runs).

    Entries already archived (`known`) are always kept; of the new ones, the `limit` oldest.
    """
    new = [(n, e) for n, e in enumerate(entries) if not known(e)]
    if len(new) <= limit:
        return entries, 0
    chosen = {n for n, _ in sorted(new, key=_age)[:limit]}
    waiting = {n for n, _ in new} - chosen
    return [e for n, e in enumerate(entries) if n not in waiting], len(waiting)
