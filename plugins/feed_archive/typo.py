"""French typography on HTML: narrow no-break spaces before ; : ! ? and inside « ».

HTML text -> HTML text; only text between tags changes, never tags, attributes, URLs,
code, pre, script or style. Spaces are only replaced, or added inside guillemets.
"""

from __future__ import annotations

import re

NNBSP = "\u202f"

_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_SKIP = {"code", "pre", "kbd", "samp", "script", "style", "textarea", "tt", "var", "math", "svg"}
_TAG_NAME = re.compile(r"<\s*(/)?\s*([a-zA-Z][a-zA-Z0-9]*)")
# a space (plain, no-break, or entity) before ; : ! ? that follows a word, not a URL scheme
_BEFORE_PUNCT = re.compile(
    r"(?:(?<=[^\s/])|^)(?:[ \u00a0\u202f]|&nbsp;|&#160;|&#xa0;)+(?=[;:!?](?!//))"
)
_OPEN_QUOTE = re.compile(r"«(?:[ \u00a0\u202f]|&nbsp;|&#160;)*(?=\S)")
_CLOSE_QUOTE = re.compile(r"(?<=\S)(?:[ \u00a0\u202f]|&nbsp;|&#160;)*»")


def french_text(text: str) -> str:
    """Apply the rules to plain text (no tags inside)."""
    if not text or not any(c in text for c in ";:!?«»"):
        return text
    text = _BEFORE_PUNCT.sub(NNBSP, text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    return _CLOSE_QUOTE.sub(NNBSP + "»", text)


def french(html: str | None) -> str:
    """Apply the rules to the text nodes of an HTML fragment, skipping code-like elements."""
    if not html:
        return html or ""
    html = str(html)
    if not any(c in html for c in ";:!?«»"):
        return html
    parts = _TAG.split(html)
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:
            match = _TAG_NAME.match(part)
            if match and match.group(2).lower() in _SKIP and not part.endswith("/>"):
                depth = max(0, depth + (-1 if match.group(1) else 1))
        elif depth == 0 and part:
            parts[i] = french_text(part)
    return "".join(parts)
