"""Display: how an archived post's title, text, summary and authors read on the site.

The archive keeps what the feed said; the page shows it once: an update marker ("[MàJ]")
goes from the title when the "updated" badge says it, the boilerplate of a paywalled teaser
("Il reste 72 % de l'article à découvrir…") goes when the subscribers' notice says it, and
an author given as a bare e-mail address is shown by name, or not at all. Pure functions.
"""

from __future__ import annotations

import functools
import html
import re
from typing import Iterable

#: "[MàJ]", "(MAJ)", "[Mise à jour]", "[Update]", "MàJ :" at the start of a title.
UPDATE_MARKER = re.compile(
    r"^\s*(?:[\[(]\s*(?:m[àa]j|mise à jour|mis à jour|updated?)\s*[\])]|m[àa]j\s*:)\s*[:–-]?\s*",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"<(p|li)\b[^>]*>(.*?)</\1>\s*", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_EMAIL = re.compile(r"[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+")
_NAMED_EMAIL = re.compile(r"^\s*(?:(?P<a>[^<(]+?)\s*<[^>]*>|[^\s(]+@\S+\s*\((?P<b>[^)]+)\))\s*$")


def shown_title(title: str, updated: bool) -> str:
    """The title as shown: without a leading update marker when the post shows its update."""
    if not updated:
        return title
    shown = UPDATE_MARKER.sub("", title, count=1)
    return shown or title


@functools.lru_cache(maxsize=8)
def compiled(markers: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The paywall markers (FEED_ARCHIVE_PAYWALL_MARKERS) compiled, case-insensitive."""
    return tuple(re.compile(marker, re.IGNORECASE) for marker in markers)


def without_teaser(html_text: str, markers: Iterable[re.Pattern[str]]) -> str:
    """`html` without its paragraphs (or list items) that hold a paywall marker."""
    patterns = tuple(markers)

    def keep(found: re.Match[str]) -> str:
        text = _plain(found.group(2))
        return "" if any(p.search(text) for p in patterns) else found.group(0)

    return _PARAGRAPH.sub(keep, html_text)


def _plain(fragment: str) -> str:
    """The text of an HTML fragment, entities decoded (typogrify writes ’ as &#8217;)."""
    return html.unescape(_TAGS.sub("", fragment)).replace("\u00a0", " ")


def summary_before_teaser(summary: str, markers: Iterable[re.Pattern[str]]) -> str:
    """A summary (HTML) cut before the first paywall marker it holds, as escaped text."""
    text = _plain(summary)
    cut = min((m.start() for m in (p.search(text) for p in markers) if m), default=None)
    if cut is None:
        return summary
    head = text[:cut].rstrip(" ,;:–-")
    if head and not head.endswith((".", "…", "!", "?")):
        head += "…"
    return html.escape(head, quote=False)


def shown_author(name: str) -> str:
    """An author's name as shown: "Prénom Nom" from "x@y.fr (Prénom Nom)", "" for a bare e-mail."""
    named = _NAMED_EMAIL.match(name)
    if named:
        return (named.group("a") or named.group("b") or "").strip()
    return "" if _EMAIL.search(name) else name
