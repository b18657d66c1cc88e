"""A small link checker: crawl a served site from a start URL and report internal URLs that fail.

Internal means same scheme, host and port as the start URL (whatever the path: a link that
escapes a sub-path is checked, and fails when the server has nothing there). It follows links
in HTML (href, src, srcset, poster, form action, Open Graph URLs), CSS (url(), @import), XML
(sitemap <loc>, feed links), robots.txt (Sitemap:) and the Pagefind search index (entry JSON,
metadata, wasm, index chunks, fragments and filters). External URLs are never requested.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

_URL_ATTRS = {"href", "src", "poster", "action", "data-src", "cite"}
_SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "about:", "blob:")
_META_URLS = {"og:url", "og:image", "twitter:image", "og:audio", "og:video"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
_XML_URL = re.compile(
    r"<loc>\s*([^<\s]+)\s*</loc>|<link>\s*([^<\s]+)\s*</link>|\bhref=\"([^\"]+)\"|"
    r"<xhtml:link[^>]*href=\"([^\"]+)\""
)
_PAGEFIND_SCRIPTS = re.compile(r"/pagefind/pagefind(?:-[a-z-]+)?\.js$")
# Inline scripts often load Pagefind with a dynamic import("…/pagefind/pagefind.js").
_SCRIPT_URL = re.compile(r"""["'`]([^"'`\s]*pagefind[^"'`\s]*\.(?:js|css))["'`]""")


class _Links(HTMLParser):
    """Collect every URL an HTML page refers to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.base: str | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self._in_script = tag == "script"
        if tag == "base" and values.get("href"):
            self.base = values["href"]
        for name, value in values.items():
            if name in _URL_ATTRS and value:
                self.urls.append(value)
            elif name.startswith("data-") and value.rstrip("/").rsplit("/", 1)[-1] == "pagefind":
                # a search page that loads Pagefind from a folder named in a data attribute
                self.urls.append(value.rstrip("/") + "/pagefind.js")
            elif name in ("srcset", "imagesrcset") and value:
                self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
        if tag == "meta" and values.get("property", values.get("name")) in _META_URLS:
            if values.get("content"):
                self.urls.append(values["content"])
        style = values.get("style")
        if style:
            self.urls.extend(a or b for a, b in _CSS_URL.findall(style))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.urls.extend(_SCRIPT_URL.findall(data))


def _cbor(data: bytes, pos: int = 0) -> tuple[Any, int]:
    """Decode one CBOR item (enough of RFC 8949 for Pagefind's metadata)."""
    head = data[pos]
    major, info = head >> 5, head & 31
    pos += 1
    if info < 24:
        number = info
    elif info <= 27:
        size = 1 << (info - 24)
        number = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise ValueError(f"unsupported CBOR item at byte {pos - 1}")
    if major == 0:
        return number, pos
    if major == 1:
        return -1 - number, pos
    if major in (2, 3):
        chunk = data[pos : pos + number]
        return (chunk.decode() if major == 3 else chunk), pos + number
    if major == 4:
        items = []
        for _ in range(number):
            item, pos = _cbor(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(number):
            key, pos = _cbor(data, pos)
            mapping[key], pos = _cbor(data, pos)
        return mapping, pos
    if major == 6:
        return _cbor(data, pos)
    return {20: False, 21: True, 22: None}.get(number), pos


def pagefind_files(entry: dict[str, Any], read: Any, wasm: bool = True) -> list[str]:
    """Paths (relative to the index folder) that a Pagefind index needs, from its entry JSON.

    `read(path)` returns the bytes of a file of the index (used for the metadata files).
    `wasm=False` for an index merged into another one, which loads no wasm of its own.
    """
    paths: list[str] = []
    for language in entry.get("languages", {}).values():
        meta_path = f"pagefind.{language['hash']}.pf_meta"
        paths += [meta_path] + ([f"wasm.{language['wasm']}.pagefind"] if wasm else [])
        raw = gzip.decompress(read(meta_path))
        if raw.startswith(b"pagefind_dcd"):
            raw = raw[len(b"pagefind_dcd") :]
        meta, _ = _cbor(raw)
        pages, chunks, filters = meta[1], meta[2], meta[3]
        paths += [f"fragment/{page[0]}.pf_fragment" for page in pages]
        paths += [f"index/{chunk[-1]}.pf_index" for chunk in chunks]
        paths += [f"filter/{item[1]}.pf_filter" for item in filters if len(item) > 1]
    return paths


@dataclass
class LinkReport:
    """What a crawl found: every internal URL checked, its status, and who referred to it."""

    status: dict[str, int] = field(default_factory=dict)
    referrers: dict[str, set[str]] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)

    @property
    def broken(self) -> dict[str, int]:
        """Internal URLs that did not answer 200."""
        return {url: code for url, code in self.status.items() if code != 200}

    def describe(self) -> str:
        """One line per broken URL with up to three pages that link to it."""
        lines = []
        for url, code in sorted(self.broken.items()):
            where = ", ".join(sorted(self.referrers.get(url, ()))[:3]) or "(start)"
            lines.append(f"{code} {url}  <- {where}")
        return "\n".join(lines)


def _fetch(url: str, timeout: float) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""
    except OSError:
        return 0, "", b""


def _refs(url: str, kind: str, body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    if kind == "text/html":
        parser = _Links()
        parser.feed(text)
        base = urljoin(url, parser.base) if parser.base else url
        return [urljoin(base, link.strip()) for link in parser.urls]
    if kind == "text/css":
        return [urljoin(url, a or b) for a, b in _CSS_URL.findall(text)]
    if kind.endswith("xml"):
        return [urljoin(url, html.unescape(next(filter(None, m)))) for m in _XML_URL.findall(text)]
    if urlsplit(url).path.endswith("/robots.txt"):
        return re.findall(r"(?im)^\s*sitemap:\s*(\S+)", text)
    return []


def check_site(start: str, extra: Iterable[str] = (), timeout: float = 10.0) -> LinkReport:
    """Crawl from `start` (and `extra` URLs) over every internal link; return the report."""
    origin = urlsplit(start)[:2]
    report = LinkReport()
    queue: deque[tuple[str, str | None]] = deque((url, None) for url in (start, *extra))
    while queue:
        url, referrer = queue.popleft()
        if url.startswith(_SKIP_SCHEMES):
            continue
        url = urldefrag(url)[0]
        if urlsplit(url)[:2] != origin:
            continue
        if referrer:
            report.referrers.setdefault(url, set()).add(referrer)
        if url in report.status:
            continue
        code, kind, body = _fetch(url, timeout)
        report.status[url] = code
        if code != 200:
            continue
        if kind == "text/html":
            report.pages.append(url)
        found = _refs(url, kind, body)
        if _PAGEFIND_SCRIPTS.search(urlsplit(url).path):
            found += _pagefind_refs(url, timeout)
        queue.extend((link, url) for link in found)
    return report


def _pagefind_refs(script_url: str, timeout: float) -> list[str]:
    """The Pagefind index files next to a Pagefind script: one index (pagefind-entry.json), or
    several listed in indexes.json ({"indexes": [{"path": "year/2024/"}, ...]}, merged in the
    browser into the one at path "")."""
    folder = urljoin(script_url, "./")
    refs = [folder + "pagefind.js"]
    code, _, body = _fetch(folder + "indexes.json", timeout)
    if code == 200:
        refs.append(folder + "indexes.json")
        paths = [item.get("path", "") for item in json.loads(body)["indexes"]]
    else:
        paths = [""]
    for path in paths:
        refs += _index_refs(urljoin(folder, path), timeout, wasm=path == "")
    return refs


def _index_refs(folder: str, timeout: float, wasm: bool) -> list[str]:
    """The files of one Pagefind index folder (its entry JSON first)."""
    refs = [folder + "pagefind-entry.json"]
    code, _, body = _fetch(refs[0], timeout)
    if code != 200:
        return refs

    def read(path: str) -> bytes:
        status, _, data = _fetch(folder + path, timeout)
        if status != 200:
            raise FileNotFoundError(folder + path)
        return data

    try:
        return refs + [folder + path for path in pagefind_files(json.loads(body), read, wasm)]
    except FileNotFoundError as exc:
        return refs + [str(exc)]
