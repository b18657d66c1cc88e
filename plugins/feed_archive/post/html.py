"""HTML: what a post's HTML may hold (the sanitizer policy) and its text; pure.

Both phases use it: ingestion sanitizes feed HTML before converting it to Markdown, the build
sanitizes the HTML it makes from an archived post once more (defence in depth).
"""

from __future__ import annotations

import html
import re
from typing import Literal

import nh3

from .text import collapse, is_absolute_http

#: Tags kept from feed content; everything else is unwrapped (text kept) or dropped with content.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
#: Elements dropped together with everything inside them.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "applet",
    "form",
    "noscript",
    "template",
    "svg",
    "math",
    "frame",
    "frameset",
    "select",
    "textarea",
    "button",
    "title",
    "head",
}
_BLOCK_START = re.compile(
    r"<(?=/?(?:p|div|li|h[1-6]|br|tr|td|th|blockquote|figure|figcaption|pre|ul|ol|dd|dt)\b)",
    re.IGNORECASE,
)
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(fragment: str, base_url: str | None = None) -> str:
    """Safe HTML: allow-listed tags and attributes, absolute http(s)/mailto URLs only."""
    relative: tuple[Literal["rewrite_with_base"], str] | Literal["deny"] = "deny"
    if base_url and is_absolute_http(base_url):
        relative = ("rewrite_with_base", base_url)
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags=DROPPED_WITH_CONTENT,
        url_schemes=URL_SCHEMES,
        url_relative=relative,
        link_rel=None,
        strip_comments=True,
    )


def text_of(fragment: str) -> str:
    """The readable text of an HTML fragment, on one line."""
    spaced = _BLOCK_START.sub(r" \g<0>", fragment)
    stripped = nh3.clean(spaced, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT)
    return collapse(html.unescape(stripped))


def plain_title(title: str, is_html: bool) -> str:
    """A title as one line of plain text."""
    return text_of(title) if is_html or "<" in title else collapse(html.unescape(title))
