"""Changes: what kind of change leads from one version of a post to the next; pure.

Both phases and the exports use it: the build's history and corrections log, the archive's
provenance. The text is compared as words of its readable blocks (body.text_blocks), the
title as plain text, the paywall from the `Paywalled` header, the link from `Source`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .body import text_blocks
from .html import plain_title

TITLE = "title"
ADDED = "added"
REMOVED = "removed"
EDITED = "edited"
PAYWALL_LIFTED = "paywall-lifted"
PAYWALL_ADDED = "paywall-added"
LINK = "link"
#: Every kind, in the order a change lists them.
KINDS = (TITLE, ADDED, REMOVED, EDITED, PAYWALL_LIFTED, PAYWALL_ADDED, LINK)

#: A paragraph break inside a token list (never a word: words have no white space).
PARAGRAPH = "\n"


def tokens(blocks: Sequence[str]) -> list[str]:
    """Words of the blocks, with PARAGRAPH between two blocks."""
    out: list[str] = []
    for index, block in enumerate(blocks):
        if index:
            out.append(PARAGRAPH)
        out.extend(block.split())
    return out


def diff_tokens(old: list[str], new: list[str]) -> tuple[list[tuple[str, str]], int, int]:
    """Word diff: (kind, token) pairs in reading order, and the counts of added/removed words.

    A pair's kind is "" (in both), "del" (only in `old`) or "ins" (only in `new`).
    """
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts: list[tuple[str, str]] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.extend(("", t) for t in old[i1:i2])
            continue
        if op in ("delete", "replace"):
            parts.extend(("del", t) for t in old[i1:i2])
            removed += sum(t != PARAGRAPH for t in old[i1:i2])
        if op in ("insert", "replace"):
            parts.extend(("ins", t) for t in new[j1:j2])
            added += sum(t != PARAGRAPH for t in new[j1:j2])
    return parts, added, removed


def text_kinds(parts: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """ADDED, REMOVED and/or EDITED from a word diff (diff_tokens' pairs).

    Each run of changed words is one change: only new words, text added; only old ones,
    text removed; both, text edited. A moved paragraph break alone changes no word.
    """
    found: set[str] = set()
    inserted = deleted = False
    for kind, token in [*parts, ("", "")]:
        if kind and token != PARAGRAPH:
            inserted = inserted or kind == "ins"
            deleted = deleted or kind == "del"
        elif not kind:
            if inserted or deleted:
                found.add(EDITED if inserted and deleted else ADDED if inserted else REMOVED)
            inserted = deleted = False
    return tuple(k for k in (ADDED, REMOVED, EDITED) if k in found)


@dataclass(frozen=True)
class Facts:
    """What the kinds compare of one version: plain title, words, paywall flag and link."""

    title: str
    words: tuple[str, ...]
    paywalled: bool
    link: str


def facts_of(
    header: Mapping[str, str], body: str, markdown_config: Mapping[str, Any] | None = None
) -> Facts:
    """The facts of one version from its header (lowercased keys) and Markdown body."""
    return Facts(
        title=plain_title(header.get("title", ""), True),
        words=tuple(tokens(text_blocks(body, markdown_config))),
        paywalled=str(header.get("paywalled", "")).strip().lower() == "true",
        link=str(header.get("source", "")).strip(),
    )


def kinds_between(
    older: Facts, newer: Facts, parts: Sequence[tuple[str, str]] | None = None
) -> tuple[str, ...]:
    """The kinds of change from `older` to `newer`, in KINDS order (`parts`: their word diff)."""
    if parts is None:
        parts = diff_tokens(list(older.words), list(newer.words))[0]
    found = set(text_kinds(parts))
    if older.title != newer.title:
        found.add(TITLE)
    if older.paywalled != newer.paywalled:
        found.add(PAYWALL_ADDED if newer.paywalled else PAYWALL_LIFTED)
    if older.link != newer.link:
        found.add(LINK)
    return tuple(k for k in KINDS if k in found)


def change_kinds(
    older: tuple[dict[str, str], str], newer: tuple[dict[str, str], str]
) -> tuple[str, ...]:
    """The kinds of change between two versions given as (header, body), in KINDS order."""
    return kinds_between(facts_of(*older), facts_of(*newer))
