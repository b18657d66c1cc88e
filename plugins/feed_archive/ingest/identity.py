"""Identity: which item of a feed an entry is; pure rules over one document's entries.

An item's identity is its guid (Atom id, JSON Feed id), else its link, else a digest of its
title and date, else of its title and text. Entries of one document that share a guid but
differ in link (or, without links, in title and text) are distinct items, so the guid gets the
link (or a digest) appended. Identities are scoped to their feed when stored (render.item_key).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from ..post import collapse
from .entry import Entry

HASH_PREFIX = "urn:feed-archive:"


@dataclass(frozen=True)
class Marks:
    """What an entry's identity is computed from (collapsed strings; empty when absent)."""

    guid: str
    link: str
    title: str
    date: str
    text: str


def digest(*parts: str) -> str:
    """A `urn:feed-archive:` identity from the parts (stable across runs and machines)."""
    joined = "\x1f".join(parts).encode("utf-8")
    return HASH_PREFIX + hashlib.sha256(joined).hexdigest()[:32]


def own_identity(marks: Marks) -> str:
    """The identity of one entry on its own: guid, link, title + date, title + text."""
    if marks.guid:
        return marks.guid
    if marks.link:
        return marks.link
    if marks.date:
        return digest(marks.title, marks.date, "" if marks.title else marks.text[:500])
    return digest(marks.title, "", marks.text)


def legacy_identity(marks: Marks) -> str:
    """The identity the archive gave this entry before identities were scoped (version 0.1)."""
    if marks.guid:
        return marks.guid
    if marks.link:
        return marks.link
    return digest(marks.title, marks.date, "" if marks.title else marks.text[:500])


def _distinguisher(marks: Marks) -> str:
    return marks.link or digest(marks.title, marks.text)[len(HASH_PREFIX) :][:16]


def document_identities(all_marks: Sequence[Marks]) -> list[str]:
    """Identities for a document's entries, in order: a guid shared by different items is split."""
    variants: dict[str, set[str]] = {}
    for marks in all_marks:
        if marks.guid:
            variants.setdefault(marks.guid, set()).add(_distinguisher(marks))
    identities = []
    for marks in all_marks:
        if marks.guid and len(variants[marks.guid]) > 1:
            identities.append(f"{marks.guid} <{_distinguisher(marks)}>")
        else:
            identities.append(own_identity(marks))
    return identities


def assign(entries: Iterable[Entry], all_marks: Sequence[Marks]) -> tuple[Entry, ...]:
    """The entries with their document identities and, where it differs, their legacy one."""
    identities = document_identities(all_marks)
    assigned = []
    for entry, marks, identity in zip(entries, all_marks, identities, strict=True):
        legacy = legacy_identity(marks)
        assigned.append(
            replace(entry, identity=identity, legacy_identity=legacy if legacy != identity else "")
        )
    return tuple(assigned)


def assign_pairs(pairs: Sequence[tuple[Entry, Marks]]) -> tuple[Entry, ...]:
    """`assign` for (entry, marks) pairs."""
    return assign((entry for entry, _ in pairs), [marks for _, marks in pairs])


def marks_of(guid: str | None, link: str | None, title: str, date: str, text: str) -> Marks:
    """Marks from raw values (white space collapsed, controls dropped)."""
    return Marks(collapse(guid), collapse(link), title, date, text)
