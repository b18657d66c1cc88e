"""Clean: untrusted feed HTML -> safe HTML, Markdown, plain text; no disk, no network."""

from __future__ import annotations

import re
from typing import Any, Iterable

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from ..post import collapse
from .flatten import flatten
from .tables import even_tables

#: Characters that Python-Markdown (with "extra") or Pelican's placeholders give a meaning to.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]|])")
#: Line starts that would become headings, lists or rules, and their escaped form.
_LINE_START_PATTERNS = (
    re.compile(r"^(\s*)([#+-])", re.MULTILINE),
    re.compile(r"^(\s*\d+)([.)])", re.MULTILINE),
)


class _Converter(MarkdownConverter):
    """markdownify whose text escaping leaves nothing Markdown or Pelican could read as syntax."""

    def escape(self, text: str, parent_tags: Iterable[str]) -> str:
        if not text:
            return ""
        text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for pattern in _LINE_START_PATTERNS:
            text = pattern.sub(r"\1\\\2", text)
        return text

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A link whose URL cannot break out of the Markdown link syntax."""
        if el.get("href"):
            el["href"] = markdown_url(el["href"])
        return str(_inherited(self, "convert_a")(el, text, parent_tags))

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """An image whose alt text and URL cannot break out of the Markdown image syntax."""
        if el.get("src"):
            el["src"] = markdown_url(el["src"])
        if el.get("alt"):
            el["alt"] = _ALT_SPECIALS.sub(r"\\\1", collapse(el["alt"])).replace("<", "&lt;")
        return str(_inherited(self, "convert_img")(el, text, parent_tags))

    def convert_pre(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A code block Markdown cannot misread as raw HTML (it reads fences at the top only)."""
        if not text.strip("\n"):
            return ""
        if parent_tags - {"_inline", "_noformat", "[document]"}:
            lines = (self.escape(line, parent_tags) for line in text.strip("\n").split("\n"))
            return "\n\n" + "<br>\n".join(lines) + "\n\n"
        longest = max((len(run) for run in re.findall("`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}\n{text.strip(chr(10))}\n{fence}\n\n"

    def convert_code(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """Inline code on one line: a code span over several lines lets Markdown read raw HTML."""
        if "_noformat" not in parent_tags:
            text = " ".join(text.split("\n"))
        return str(_inherited(self, "convert_code")(el, text, parent_tags))


def _inherited(converter: MarkdownConverter, name: str) -> Any:
    """markdownify's own `convert_<tag>` method (its type stubs do not declare them)."""
    return getattr(super(_Converter, converter), name)


def markdown_url(url: str) -> str:
    """A URL that cannot break out of Markdown's link or image syntax."""
    return url.translate(_URL_ESCAPES)


_URL_ESCAPES = str.maketrans({c: f"%{ord(c):02X}" for c in ' ()<>"\\[]`{}|'})
_ALT_SPECIALS = re.compile(r"([\\\[\]`*_{}|])")

_CONVERTER = _Converter(
    heading_style="ATX",
    bullets="-",
    escape_misc=True,
    escape_asterisks=True,
    escape_underscores=True,
    strip_document="strip",
    newline_style="BACKSLASH",
    keep_inline_images_in=["a", "li", "td", "th", "figcaption", "strong", "em", "span", "p"],
)
_BLANK_RUNS = re.compile(r"\n{3,}")
#: Characters XML 1.0 forbids: one of them in a body made Pelican's Atom feeds fail the build.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def to_markdown(safe_html: str) -> str:
    """Markdown for already-sanitized HTML: paragraphs, links, images, lists, quotes, headings."""
    soup = BeautifulSoup(flatten(safe_html), "html.parser")
    if soup.find("table") is not None:
        even_tables(soup)
    markdown = _XML_INVALID.sub("", _CONVERTER.convert_soup(soup))
    lines = [line.rstrip() for line in markdown.replace("\r", "").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def excerpt(text: str, length: int) -> str:
    """The first `length` characters of `text`, cut at a word boundary, with an ellipsis."""
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


def paywalled(text: str, markers: Iterable[re.Pattern[str]]) -> bool:
    """True when one of the paywall markers matches the item's text."""
    return any(marker.search(text) for marker in markers)
