"""Current: which version of an item the archive shows; pure rules over two post texts.

In this order (the README, "Which version is current", says the same):
1. A teaser never replaces a fuller text: a version that is paywalled (and shorter) where the
   current one is not, or a much shorter cut of the current text, is kept in the history only;
   the other way round, a fuller text replaces a teaser at once.
2. When both versions carry the feed's own update date, the later one is current.
3. Otherwise a text never seen before is current at once; a version already kept (the feed
   went back to it) becomes current again only when served in two consecutive fetches.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from ..post import content_key, read_header

CURRENT, TEASER, STALE, PENDING = "current", "teaser", "stale", "pending"
#: A text is "a much shorter cut" of another when it has at most this share of its words...
CUT_SHARE = 0.6
#: ...and its words, but the last, match the start of the other's this closely.
CUT_LIKENESS = 0.9
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_MARKUP = re.compile(r"[\\*_`#>\[\]!|~]+")
_ELLIPSIS = {"…", "...", "[…]", "(…)", "[...]"}


@dataclass(frozen=True)
class Version:
    """What the rules need of one version: its digest, words, paywall flag and feed date."""

    key: str
    words: tuple[str, ...]
    lead: tuple[str, ...]
    paywalled: bool
    updated: datetime | None


def words_of(markdown: str) -> tuple[str, ...]:
    """The words of a Markdown body, case-folded, without syntax or link targets."""
    return tuple(_MARKUP.sub(" ", _LINK_TARGET.sub("] ", markdown)).casefold().split())


def version_of(text: str, markers: Iterable[re.Pattern[str]]) -> Version:
    """A post text as the rules see it; `lead` is its text before the first paywall marker."""
    header, _, body = text.partition("\n\n")
    meta = read_header(header)
    cut = min((m.start() for m in (p.search(body) for p in markers) if m), default=len(body))
    lead = words_of(body[:cut])
    while lead and lead[-1] in _ELLIPSIS:
        lead = lead[:-1]
    try:
        updated = datetime.fromisoformat(meta["updated"]) if meta.get("updated") else None
    except ValueError:
        updated = None
    return Version(
        key=content_key(text),
        words=words_of(body),
        lead=lead,
        paywalled=meta.get("paywalled") == "true",
        updated=updated,
    )


def is_teaser(new: Version, old: Version) -> bool:
    """True when `new` is poorer than `old`: a paywalled or much shorter cut of its text."""
    if not old.words or len(new.words) >= len(old.words):
        return False
    if new.paywalled and not old.paywalled:
        return True
    if len(new.lead) > CUT_SHARE * len(old.words):
        return False
    head = new.lead[:-1]
    if not head:
        return True
    start = old.words[: len(head)]
    return difflib.SequenceMatcher(None, head, start, autojunk=False).ratio() >= CUT_LIKENESS


def choose(served: Version, current: Version, kept: bool, served_before: bool) -> str:
    """What to do with a served version that differs from the current one.

    `kept`: the history already holds it; `served_before`: the last fetch served it too.
    Returns CURRENT (make it current), TEASER or STALE (keep it in the history only), or
    PENDING (a kept version served once: wait for the next fetch).
    """
    if is_teaser(served, current):
        return TEASER
    if is_teaser(current, served):
        return CURRENT
    if served.updated and current.updated and served.updated != current.updated:
        return CURRENT if served.updated > current.updated else STALE
    if not kept or served_before:
        return CURRENT
    return PENDING
