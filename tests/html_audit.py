"""An HTML parser that lists active content (scripts, handlers, dangerous URLs) found in a page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable

#: Elements that run code, load other documents, style the page or submit data.
ACTIVE_TAGS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "base",
    "portal",
    "foreignobject",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "cite",
    "data",
    "background",
    "srcset",
    "xlink:href",
    "longdesc",
    "lowsrc",
    "dynsrc",
    "ping",
    "manifest",
    "codebase",
    "archive",
}
#: <link> relations that load or run something.
LOADING_RELS = {"stylesheet", "import", "preload", "modulepreload", "prefetch", "prerender"}
#: Script types that browsers never execute (data blocks).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_DIGITS = re.compile(r"\d+")


def _scheme(url: str) -> str:
    """The scheme a browser would see: control characters and spaces removed, lowercased."""
    cleaned = _CONTROL.sub("", url).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned else ""


class Finding(tuple):
    """(kind, detail): one piece of active content, hashable so pages can be compared."""

    __slots__ = ()

    def __new__(cls, kind: str, detail: str) -> Finding:
        return super().__new__(cls, (kind, detail))

    def __str__(self) -> str:
        return f"{self[0]}: {self[1][:160]}"


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []
        self._open: list[tuple[str, dict[str, str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.findings.append(Finding("handler", f"<{tag} {name}={value!r}>"))
            scheme = _scheme(value) if name in URL_ATTRIBUTES or name == "style" else ""
            if name == "srcset":
                schemes = {_scheme(part.strip()) for part in value.split(",")}
            else:
                schemes = {scheme}
            if schemes & {"javascript", "vbscript", "livescript"}:
                self.findings.append(Finding("script-url", f"<{tag} {name}={value!r}>"))
            if "data" in schemes:
                is_image = tag == "img" and name == "src" and _is_image_data(value)
                if not is_image:
                    self.findings.append(Finding("data-url", f"<{tag} {name}={value[:60]!r}>"))
            if name == "style" and re.search(r"expression|url\s*\(|javascript", value, re.I):
                self.findings.append(Finding("style-attr", f"<{tag} style={value!r}>"))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.findings.append(Finding("meta-refresh", values.get("content", "")))
        rel = values.get("rel", "").lower()
        if tag == "link" and rel in LOADING_RELS:
            self.findings.append(Finding("link", f"<link rel={rel!r} href={values.get('href')!r}>"))
        if tag in ACTIVE_TAGS:
            self._open.append((tag, values, []))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ACTIVE_TAGS:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            return
        name, values, parts = self._open.pop()
        text = "".join(parts).strip()
        if name == "script" and values.get("type", "").lower() in DATA_SCRIPT_TYPES:
            try:
                json.loads(text)
            except ValueError:
                self.findings.append(Finding("bad-data-script", text[:200]))
            return
        attrs = " ".join(
            f"{k}={_DIGITS.sub('0', v)!r}" for k, v in sorted(values.items()) if k != "id"
        )
        text = _DIGITS.sub("0", text) if name in ("script", "style") else ""
        self.findings.append(Finding(name, f"<{name} {attrs}> {text}"))

    def close(self) -> None:
        super().close()
        for name, _values, parts in self._open:
            self.findings.append(Finding(name, f"<{name} unclosed> {''.join(parts)[:100]}"))
        self._open = []


def _is_image_data(url: str) -> bool:
    kind = _CONTROL.sub("", url).lower()[5:].split(";", 1)[0].split(",", 1)[0]
    return kind.startswith("image/") and "svg" not in kind


def audit(html: str) -> list[Finding]:
    """All active content in an HTML document or fragment."""
    parser = _Auditor()
    parser.feed(html)
    parser.close()
    return parser.findings


def audit_files(paths: Iterable[Path]) -> dict[Path, list[Finding]]:
    """Findings per HTML file (files without findings are left out)."""
    found: dict[Path, list[Finding]] = {}
    for path in paths:
        findings = audit(path.read_text(encoding="utf-8", errors="replace"))
        if findings:
            found[path] = findings
    return found


def theme_findings(site: Path) -> set[Finding]:
    """What a site built from a benign feed holds: the theme's own scripts, forms and styles."""
    return {item for items in audit_files(site.rglob("*.html")).values() for item in items}


def unexpected(found: dict[Path, list[Finding]], allowed: set[Finding]) -> list[str]:
    """Lines `file: finding` for every finding not in `allowed` (what the theme itself emits)."""
    return [
        f"{path}: {item}" for path, items in found.items() for item in items if item not in allowed
    ]
