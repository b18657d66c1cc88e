"""Body: the readable text of a post's Markdown body, one string per block; pure."""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Mapping

import markdown

from .html import text_of

_BLOCKS = re.compile(
    r"</?(?:p|li|h[1-6]|blockquote|pre|tr|div|ul|ol|dl|dt|dd|figure|figcaption|table|hr|br)\b[^>]*>",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4)
def _converter(key: str) -> markdown.Markdown:
    """One Markdown converter per configuration, reused (creating one costs more than a page)."""
    config = json.loads(key)
    return markdown.Markdown(
        extensions=config.get("extensions", []),
        extension_configs=config.get("extension_configs", {}),
        output_format="html",
    )


def text_blocks(body: str, markdown_config: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """The readable text of a Markdown body, one string per paragraph-like block."""
    key = json.dumps(markdown_config or {}, sort_keys=True, default=str)
    rendered = _converter(key).reset().convert(body)
    blocks = (text_of(part) for part in _BLOCKS.split(rendered))
    return tuple(b for b in blocks if b)
