"""Complete: how many of an XML feed's entries the bytes hold in full (cut downloads).

A download cut short (a dropped connection, a proxy's size limit) still parses: feedparser's
loose parser returns the entry the document ends in, with half its text. A document is whole
when it ends by closing its root element; when it does not, only the entries whose closing tag
(`</item>`, `</entry>`) is there are whole. CDATA sections and comments are skipped, so markup
quoted inside them counts for nothing. Pure: bytes in, counts out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CDATA = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|\Z)", re.S)
_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.S)
_PROLOG = re.compile(rb"<\?.*?(?:\?>|\Z)|<!DOCTYPE(?:[^\[>]|\[.*?(?:\]|\Z))*(?:>|\Z)", re.S | re.I)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.I)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
)
_BOMS += ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


@dataclass(frozen=True)
class Completeness:
    """Whether the document ends by closing its root, and how many entries are closed in it."""

    whole: bool
    closed_entries: int


def _as_ascii_compatible(data: bytes) -> bytes:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace").encode("utf-8")
    if data[:2] in (b"\x00<", b"<\x00"):
        codec = "utf-16-be" if data[:1] == b"\x00" else "utf-16-le"
        return data.decode(codec, errors="replace").encode("utf-8")
    return data


def completeness(data: bytes) -> Completeness:
    """How whole an XML document is; a document with no recognisable root counts as whole."""
    text = _as_ascii_compatible(data)
    text = _COMMENT.sub(b" ", _CDATA.sub(b" ", text))
    body = _PROLOG.sub(b" ", text)
    root = _ROOT.search(body)
    if root is None:
        return Completeness(True, 0)
    name = re.escape(root.group(1))
    # `<feed .../>` is whole; so is a document cut inside its very last tag (`</rss`).
    closing = re.compile(rb"(?:</" + name + rb"\s*>?|<" + name + rb"\b[^<>]*/>)\Z")
    whole = closing.search(body.rstrip(b"\x00 \t\r\n")) is not None
    return Completeness(whole, len(_ENTRY_END.findall(body)))
