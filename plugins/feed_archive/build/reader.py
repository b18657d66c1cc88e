"""Fast reading of archived posts: our own header parser and cmark-gfm instead of Python-Markdown.

Every file under PATH/FEED_ARCHIVE_DIR was written by render.py: `Key: value` lines, a blank
line, then Markdown from clean.to_markdown. For those files `ArchiveMarkdownReader` reads the
header exactly as Python-Markdown's meta extension does (same keys, same values, same
`process_metadata`) and converts the body with cmark-gfm (CommonMark + GFM tables, cmark's safe
mode: raw HTML and unsafe URLs are dropped). Any other Markdown file goes to Pelican's reader.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
from typing import Any

from dateutil import tz
from pelican import readers as pelican_readers
from pelican.utils import SafeDatetime, pelican_open

from ..settings import merged

logger = logging.getLogger(__name__)

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


class _Cmark:
    """cmark-gfm with the table extension; frees what it allocates (cmarkgfm's helpers leak)."""

    def __init__(self) -> None:
        import cmarkgfm
        from cmarkgfm import _cmark

        self._fallback = cmarkgfm.markdown_to_html_with_extensions
        self.lib: Any = None
        try:
            lib = ctypes.CDLL(_cmark.__file__)
            libc = ctypes.CDLL(None)
            p = ctypes.c_void_p
            for name, restype, argtypes in (
                ("cmark_gfm_core_extensions_ensure_registered", None, []),
                ("cmark_find_syntax_extension", p, [ctypes.c_char_p]),
                ("cmark_parser_new", p, [ctypes.c_int]),
                ("cmark_parser_attach_syntax_extension", ctypes.c_int, [p, p]),
                ("cmark_parser_feed", None, [p, ctypes.c_char_p, ctypes.c_size_t]),
                ("cmark_parser_finish", p, [p]),
                ("cmark_parser_get_syntax_extensions", p, [p]),
                ("cmark_render_html", p, [p, ctypes.c_int, p]),
                ("cmark_node_free", None, [p]),
                ("cmark_parser_free", None, [p]),
            ):
                function = getattr(lib, name)
                function.restype, function.argtypes = restype, argtypes
            libc.free.restype, libc.free.argtypes = None, [p]
            lib.cmark_gfm_core_extensions_ensure_registered()
            self.table = lib.cmark_find_syntax_extension(b"table")
            if not self.table:
                raise OSError("no table extension")
            self.lib, self.free = lib, libc.free
        except (OSError, AttributeError) as exc:  # another build of cmarkgfm: its own API
            logger.debug("feed_archive: cmark through cmarkgfm's API (%s)", exc)

    def html(self, text: str) -> str:
        """HTML for CommonMark + GFM tables, safe mode (CMARK_OPT_DEFAULT, never UNSAFE)."""
        if self.lib is None:
            return self._fallback(text, options=0, extensions=["table"])
        lib = self.lib
        data = text.encode("utf-8")
        parser = lib.cmark_parser_new(0)
        root = result = None
        try:
            lib.cmark_parser_attach_syntax_extension(parser, self.table)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            if not root:
                raise ValueError("cmark could not parse the document")
            result = lib.cmark_render_html(root, 0, lib.cmark_parser_get_syntax_extensions(parser))
            return ctypes.string_at(result).decode("utf-8")
        finally:
            if result:
                self.free(result)
            if root:
                lib.cmark_node_free(root)
            lib.cmark_parser_free(parser)


_ENGINE: list[_Cmark] = []


def cmark_html(text: str) -> str:
    """Markdown -> HTML with cmark-gfm (tables, safe mode); one engine per process."""
    if not _ENGINE:
        _ENGINE.append(_Cmark())
    return _ENGINE[0].html(text)


class ArchiveMarkdownReader(pelican_readers.MarkdownReader):
    """Pelican's Markdown reader, but archived posts are read with cmark-gfm."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        folder = merged(self.settings)["FEED_ARCHIVE_DIR"]
        root = os.path.abspath(os.path.join(self.settings.get("PATH") or "content", folder))
        self._archive_root = root.rstrip(os.sep) + os.sep

    def is_archived(self, source_path: str) -> bool:
        """True for a file inside PATH/FEED_ARCHIVE_DIR."""
        return os.path.abspath(source_path).startswith(self._archive_root)

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Content and metadata, equal to what Pelican's MarkdownReader gives for the file."""
        if not self.is_archived(source_path):
            return super().read(source_path)
        self._source_path = source_path
        with pelican_open(source_path) as text:
            source = text
        if not source.strip():
            return "", {}
        meta, body = split_header(normalize(source))
        if set(meta) & set(self.settings["FORMATTED_FIELDS"]):
            return super().read(source_path)  # Markdown in metadata: Python-Markdown's job
        try:
            content = placeholders(cmark_html(empty_destinations(line_breaks(body)))).strip()
        except (UnicodeError, ValueError):
            return super().read(source_path)
        if not emphasis_matched(body, content):
            logger.debug("feed_archive: %s read by Python-Markdown (emphasis)", source_path)
            return super().read(source_path)
        return content, self._metadata(meta)

    def process_metadata(self, name: str, value: Any) -> Any:
        """Pelican's processing; our own dates are read without dateutil (same value)."""
        if name in ("date", "modified") and isinstance(value, str):
            fast = our_date(value)
            if fast is not None:
                return fast
        return super().process_metadata(name, value)

    def _metadata(self, meta: dict[str, list[str]]) -> dict[str, Any]:
        """The values processed like MarkdownReader._parse_metadata (no formatted field here)."""
        output: dict[str, Any] = {}
        for name, values in meta.items():
            if not pelican_readers.DUPLICATES_DEFINITIONS_ALLOWED.get(name, True):
                if len(values) > 1:
                    logger.warning(
                        "Duplicate definition of `%s` for %s. Using first one.",
                        name,
                        self._source_path,
                    )
                output[name] = self.process_metadata(name, values[0])
            elif len(values) > 1:
                output[name] = self.process_metadata(name, values)
            else:
                output[name] = self.process_metadata(name, values[0])
        return output


# Pelican names the `reader` metadata after the class: keep "markdown", as for its own reader.
ArchiveMarkdownReader.__name__ = "MarkdownReader"


def install(readers: Any) -> None:
    """readers_init: read Markdown with ArchiveMarkdownReader where Pelican's reader would."""
    for ext, cls in list(readers.reader_classes.items()):
        if cls is pelican_readers.MarkdownReader:
            readers.reader_classes[ext] = ArchiveMarkdownReader
