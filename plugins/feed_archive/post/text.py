"""Text: the small string rules both phases share: one-line values, URLs, slugs, folding."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable
from urllib.parse import urlsplit

_SPACES = re.compile(r"\s+")
#: Control characters (not white space) and lone surrogates: none is text, some break writes.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]")


def collapse(text: str | None) -> str:
    """`text` on one line: white space runs (newlines too) become one space; controls go."""
    return _SPACES.sub(" ", _CONTROLS.sub("", text or "")).strip()


def is_absolute_http(url: str | None) -> bool:
    """True for an absolute http(s) URL."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def dedupe(values: Iterable[str]) -> tuple[str, ...]:
    """Values collapsed, without empty ones and case-insensitive repeats, in order."""
    seen: set[str] = set()
    kept: list[str] = []
    for value in values:
        value = collapse(value)
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            kept.append(value)
    return tuple(kept)


def first_absolute(candidates: Iterable[str | None]) -> str | None:
    """The first absolute http(s) URL among the candidates, stripped."""
    for candidate in candidates:
        if is_absolute_http(candidate):
            return candidate.strip()  # type: ignore[union-attr]
    return None


_SLUG_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "-", "'": "-", "ø": "o", "Ø": "O"}
)


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII slug of `text`: lowercase letters, digits and single hyphens only."""
    text = text.translate(_SLUG_LIGATURES)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


_FOLD = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "’": "'", "ß": "ss"})


def fold(text: str) -> str:
    """`text` without accents, case-folded, white space collapsed: what rules match against."""
    text = text.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()
