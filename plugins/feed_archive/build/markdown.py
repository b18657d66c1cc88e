"""Markdown: an archived post -> HTML with cmark-gfm, its header split as Python-Markdown does.

Every file under PATH/FEED_ARCHIVE_DIR was written by `post.render`: `Key: value` lines, a
blank line, then Markdown from ingestion's converter. The header is split exactly as
Python-Markdown's meta extension does (same keys, same values); the body is converted by
cmark-gfm (CommonMark + GFM tables, cmark's safe mode: raw HTML and unsafe URLs are dropped).
Pure functions.
"""

from __future__ import annotations

import re

import cmarkgfm
from dateutil import tz
from pelican.utils import SafeDatetime

# Python-Markdown's meta extension (markdown/extensions/meta.py), same expressions.
_META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_META_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN = re.compile(r"^-{3}(\s.*)?")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?")
_BLANK_SPACES = re.compile(r"(?<=\n) +\n")
_TAB_LENGTH = 4

#: The date render.format_date writes: `2025-10-31 16:08:00+01:00`; before the archive wrote
#: dates of Paris mean time in UTC, it wrote their offset with seconds (`+00:09:21`).
_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)(?::(\d\d))?")
_FENCE = re.compile(r"^(`{3,})\s*$")
#: Code in the Markdown (fenced blocks, code spans) and in the HTML (pre, code), and tags.
_MD_CODE = re.compile(r"^(`{3,})[^\n]*\n.*?^\1[ \t]*$|(`+)(?!`).+?(?<!`)\2(?!`)", re.M | re.S)
#: Code (kept as it is) or a link/image with no destination but a title: `![alt]( "title")`.
_EMPTY_DESTINATION = re.compile(_MD_CODE.pattern + r'|(?<!\\)\]\( "', re.M | re.S)
_HTML_CODE = re.compile(r"<(pre|code)\b.*?</\1>|<[^>]*>", re.S)
#: A link or image URL starting with a Pelican placeholder ({static}, |filename|, ...), which
#: cmark percent-encodes and Python-Markdown leaves as it is. Feed URLs never start so (they
#: are made absolute when archived): these are our preserved images (images.py) or hand-made.
_PLACEHOLDER_URL = re.compile(r'(\s(?:href|src)=")(?:%7B(\w+)%7D|%7C(\w+)%7C)')


def our_date(value: str) -> SafeDatetime | None:
    """The date Pelican's get_date (dateutil) gives for a date we wrote, without dateutil.

    dateutil reads a non-zero numeric offset as tzoffset(None, seconds); a zero offset may come
    back as tzutc() or tzlocal() depending on the machine, so it is left to Pelican.
    """
    found = _DATE.fullmatch(value)
    if not found:
        return None
    parts = [int(x) for x in found.group(1, 2, 3, 4, 5, 6, 8, 9)]
    offset = parts[6] * 3600 + parts[7] * 60 + int(found.group(10) or 0)
    offset *= -1 if found.group(7) == "-" else 1
    if not offset:
        return None
    try:
        return SafeDatetime(*parts[:6], tzinfo=tz.tzoffset(None, offset))
    except ValueError:
        return None


def normalize(text: str) -> str:
    """The text as Python-Markdown's NormalizeWhitespace preprocessor hands it on."""
    if "\x02" in text or "\x03" in text:
        text = text.replace("\x02", "").replace("\x03", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text += "\n\n"
    if "\t" in text:
        text = text.expandtabs(_TAB_LENGTH)
    return _BLANK_SPACES.sub("\n", text) if " \n" in text else text


def split_header(text: str) -> tuple[dict[str, list[str]], str]:
    """Header values by lowercased key and the Markdown body, as the meta extension splits them."""
    lines = text.split("\n")
    start = 1 if lines and _BEGIN.match(lines[0]) else 0
    meta: dict[str, list[str]] = {}
    key = None
    index = start
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.strip() == "" or _END.match(line):
            break
        found = _META.match(line)
        if found:
            key = found.group("key").lower().strip()
            meta.setdefault(key, []).append(found.group("value").strip())
            continue
        more = _META_MORE.match(line)
        if more and key:
            meta[key].append(more.group("value").strip())
            continue
        index -= 1
        break
    return meta, "\n".join(lines[index:])


def line_breaks(body: str) -> str:
    """`<br>` ending a line, outside fenced code, as a CommonMark hard break (`\\` + newline).

    clean.py joins the lines of a code block nested in a list or a quote with `<br>` + newline;
    Python-Markdown passes that raw tag on, cmark's safe mode would drop it. In fences it is code.
    """
    if "<br>\n" not in body:
        return body
    lines = body.split("\n")
    fence = ""
    for index, line in enumerate(lines[:-1]):
        match = _FENCE.match(line)
        if fence:
            if match and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
        elif line.endswith("<br>"):
            lines[index] = line[:-4] + "\\"
    return "\n".join(lines)


def empty_destinations(body: str) -> str:
    """`](<> "`  for `]( "`: an image whose src the sanitizer removed, with its title.

    clean.py writes `![alt]( "title")`; Python-Markdown reads an image with an empty src,
    CommonMark needs `<>` for an empty destination followed by a title (else it is text).
    """
    if ']( "' not in body:
        return body
    return _EMPTY_DESTINATION.sub(lambda m: m.group(0) if m.group(0)[0] == "`" else '](<> "', body)


def placeholders(content: str) -> str:
    """`{static}/…` (and Pelican's other placeholders) at the start of a URL, as written."""
    if "%7" not in content:
        return content
    return _PLACEHOLDER_URL.sub(
        lambda m: m.group(1) + (f"{{{m.group(2)}}}" if m.group(2) else f"|{m.group(3)}|"), content
    )


def emphasis_matched(body: str, content: str) -> bool:
    """False when cmark left an emphasis `*` of ours as text (Python-Markdown then reads it).

    clean.py escapes every `*` of the text (`\\*`), so outside code each `*` cmark shows must
    come from one of those escapes. CommonMark's flanking rules are stricter than Python-
    Markdown's: `*« cité ».*Suite` is emphasis for Python-Markdown, two stars for cmark.
    """
    if "*" not in content:
        return True
    shown = _HTML_CODE.sub("", content).count("*")
    return shown == 0 or shown == _MD_CODE.sub("", body).count("\\*")


def cmark_html(text: str) -> str:
    """Markdown -> HTML with cmark-gfm: CommonMark, GFM tables, safe mode (never UNSAFE)."""
    return str(cmarkgfm.markdown_to_html_with_extensions(text, options=0, extensions=["table"]))


def body_html(body: str) -> str | None:
    """The HTML of a post's body, or None when cmark would read its emphasis otherwise."""
    try:
        content = placeholders(cmark_html(empty_destinations(line_breaks(body)))).strip()
    except (UnicodeError, ValueError):
        return None
    return content if emphasis_matched(body, content) else None
