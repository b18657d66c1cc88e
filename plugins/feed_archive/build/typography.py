"""French typography on HTML: ’, …, narrow no-break spaces (before ; : ! ? %, in « », in numbers).

HTML text -> HTML text; only text between tags changes, never tags, attributes, URLs,
code, pre, script or style. Spaces are only replaced, or added inside guillemets and before
a percent sign: "40 000" and "72%" become "40 000" and "72 %" (U+202F, so a line never breaks
there); a bare number ("2025", "4000") is left alone, since it may be a year.
"""

from __future__ import annotations

import re
from typing import Callable

NNBSP = "\u202f"

_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_SKIP = {"code", "pre", "kbd", "samp", "script", "style", "textarea", "tt", "var", "math", "svg"}
_TAG_NAME = re.compile(r"<\s*(/)?\s*([a-zA-Z][a-zA-Z0-9]*)")
# a space (plain, no-break, or entity) before ; : ! ? that follows a word, not a URL scheme
_BEFORE_PUNCT = re.compile(
    r"(?:(?<=[^\s/])|^)(?:[ \u00a0\u202f]|&nbsp;|&#160;|&#xa0;)+(?=[;:!?](?!//))"
)
#: digit groups written with a plain or no-break space: "40 000", "1 200 000" (not "2024 200")
_DIGIT_GROUPS = re.compile(r"(?<![\d.,])\d{1,3}(?:(?:[ \u00a0]|&nbsp;|&#160;)\d{3})+(?![\d])")
_GROUP_SPACE = re.compile(r"[ \u00a0]|&nbsp;|&#160;")
_PERCENT = re.compile(r"(?<=\d)(?:[ \u00a0]|&nbsp;|&#160;)?%")
#: a straight apostrophe between two letters ("l'article") and three dots (not four)
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_DOTS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
#: what makes a text worth the rules at all (a quick check before the substitutions)
_WORTH = re.compile(r"[;:!?«»%']|\.\.\.|\d[ \u00a0&]\d")
_OPEN_QUOTE = re.compile(r"«(?:[ \u00a0\u202f]|&nbsp;|&#160;)*(?=\S)")
_CLOSE_QUOTE = re.compile(r"(?<=\S)(?:[ \u00a0\u202f]|&nbsp;|&#160;)*»")


def _grouped(found: re.Match[str]) -> str:
    return _GROUP_SPACE.sub(NNBSP, found.group(0))


def french_text(text: str) -> str:
    """Apply the rules to plain text (no tags inside)."""
    if not text or not _WORTH.search(text):
        return text
    if "'" in text:
        text = _APOSTROPHE.sub("’", text)
    if "..." in text:
        text = _DOTS.sub("…", text)
    text = _BEFORE_PUNCT.sub(NNBSP, text)
    text = _OPEN_QUOTE.sub("«" + NNBSP, text)
    text = _CLOSE_QUOTE.sub(NNBSP + "»", text)
    if "%" in text:
        text = _PERCENT.sub(NNBSP + "%", text)
    return _DIGIT_GROUPS.sub(_grouped, text)


def french(html: str | None) -> str:
    """Apply the rules to the text nodes of an HTML fragment, skipping code-like elements."""
    if not html:
        return html or ""
    html = str(html)
    if not _WORTH.search(html):
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


def _unchanged(html: str | None) -> str:
    return html or ""


def for_language(lang: str) -> Callable[[str | None], str]:
    """The typography of a language: French rules for French, the text as it is otherwise."""
    return french if (lang or "").lower().startswith("fr") else _unchanged
