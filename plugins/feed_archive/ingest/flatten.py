"""Flatten: sanitized HTML nested deeper than any text needs, unwrapped to a readable depth.

Converting HTML to Markdown walks the tree recursively: ~330 nested inline elements (or ~165
nested lists) exceed Python's recursion limit, and a Markdown list nested a hundred levels deep
is one no reader handles well. Elements beyond `MAX_DEPTH` (lists and quotes beyond
`MAX_BLOCK_DEPTH`) lose their tags; their text stays where it was, separated by a space.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

MAX_DEPTH = 32
MAX_BLOCK_DEPTH = 6
VOID = {"br", "hr", "img", "wbr", "area", "col", "embed", "input", "source", "track"}
BLOCKS = {"ul", "ol", "blockquote", "dl", "table"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")


def too_deep(html: str) -> bool:
    """True when the tags of `html` nest deeper than the limits (a quick, tag-only scan)."""
    depth = blocks = 0
    for closing, name in _TAG.findall(html):
        name = name.lower()
        if name in VOID:
            continue
        step = -1 if closing else 1
        depth += step
        blocks += step if name in BLOCKS else 0
        if depth > MAX_DEPTH or blocks > MAX_BLOCK_DEPTH:
            return True
    return False


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, kept)
        self.depth = self.blocks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = self.get_starttag_text() or f"<{tag}>"
        if tag in VOID:
            self.out.append(text)
            return
        block = tag in BLOCKS
        keep = self.depth < MAX_DEPTH and (not block or self.blocks < MAX_BLOCK_DEPTH)
        self.open.append((tag, keep))
        if keep:
            self.depth += 1
            self.blocks += block
            self.out.append(text)
        else:
            self.out.append(" ")

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            name, kept = self.open.pop()
            if kept:
                self.depth -= 1
                self.blocks -= name in BLOCKS
                self.out.append(f"</{name}>")
            else:
                self.out.append(" ")
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")


def flatten(html: str) -> str:
    """`html` unchanged when shallow enough, else with its deepest tags unwrapped."""
    if not too_deep(html):
        return html
    parser = _Flattener()
    parser.feed(html)
    parser.close()
    return "".join(parser.out) + "".join(f"</{t}>" for t, kept in reversed(parser.open) if kept)
