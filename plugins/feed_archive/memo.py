"""Render memo: a Pelican Writer that skips pages whose inputs did not change; never alters output.

A page is re-rendered unless the digest of everything its template can read is the one recorded
when the file was last written and the file on disk is still that file. The digest covers: the
template and every template it extends, includes or imports (their sources); the values of every
context variable those templates name (content objects by all their attributes, neighbours they
point to by their own attributes); all settings; the plugin's code; Pelican's and Jinja's
versions. A template whose includes are dynamic, or a value that cannot be digested (an object
without a stable form, a text with `{filename}`-style links), is always rendered. Filters and
globals must be pure functions of their arguments and the settings.

Every file, rendered or not, is written only when its bytes changed (its mtime is kept
otherwise), and files this writer produced in an earlier build but not in this one are removed,
so `output/` ends up byte-for-byte what a clean build makes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from pelican import __version__ as pelican_version
from pelican.contents import Content
from pelican.paginator import Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

logger = logging.getLogger(__name__)

MANIFEST_NAME = "feed_archive-render-memo.json"
FORMAT = 1
MEMOIZE = False
#: Attributes never digested: they hold the whole site (covered by the settings digest).
_SKIPPED = frozenset({"settings", "_context", "context"})
#: Markers of Pelican intra-site links, resolved at render time from the global context.
_LINK_MARKERS = ("{filename}", "|filename|", "{static}", "|static|", "{attach}", "{index}")
_ATOMS = (str, int, float, bool, type(None), bytes, dt.date, dt.time, dt.timedelta)


class Unstable(Exception):
    """A value has no stable digest: the page that reads it must be rendered."""


def _h(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


def _name_of(value: Any) -> str:
    module = getattr(value, "__module__", None) or ""
    return f"{module}.{getattr(value, '__qualname__', type(value).__qualname__)}"


class Digester:
    """Digests of context values, memoized per object for one build."""

    def __init__(self, deep_paginators: bool = False) -> None:
        self._memo: dict[tuple[int, int], tuple[Any, bytes]] = {}
        self.deep_paginators = deep_paginators

    def of(self, value: Any, hops: int = 0) -> bytes:
        """The digest of `value`; content met inside content is followed `hops` deep."""
        if isinstance(value, _ATOMS):
            return _h(type(value).__name__.encode(), repr(value).encode("utf-8", "surrogatepass"))
        key = (id(value), hops)
        found = self._memo.get(key)
        if found is not None and found[0] is value:
            return found[1]
        self._memo[key] = (value, b"\0cycle")
        try:
            digest = self._compute(value, hops)
        except Unstable:
            del self._memo[key]
            raise
        self._memo[key] = (value, digest)
        return digest

    def _compute(self, value: Any, hops: int) -> bytes:
        if isinstance(value, (list, tuple)):
            return _h(b"L", *(self.of(v, hops) for v in value))
        if isinstance(value, dict):
            items = sorted((self.of(k, hops), self.of(v, hops)) for k, v in value.items())
            return _h(b"D", *(a + b for a, b in items))
        if isinstance(value, (set, frozenset)):
            return _h(b"S", *sorted(self.of(v, hops) for v in value))
        if isinstance(value, Content):
            return self._content(value, hops)
        if isinstance(value, URLWrapper):
            return _h(_name_of(type(value)).encode(), value.name.encode(), value.slug.encode())
        if isinstance(value, Paginator):
            parts = [value.name, value.url, value.per_page, value.orphans, value.count]
            head = _h(b"P", repr(parts).encode(), repr(value.num_pages).encode())
            if self.deep_paginators:
                return _h(head, self.of(value.object_list, hops))
            return head
        if callable(value) and hasattr(value, "__qualname__"):
            return _h(b"F", _name_of(value).encode())
        if isinstance(value, dt.tzinfo):
            return _h(b"Z", repr(value).encode())
        state = getattr(value, "__dict__", None)
        if state is not None and not isinstance(value, type):
            items = sorted((k, v) for k, v in state.items() if k not in _SKIPPED)
            return _h(
                _name_of(type(value)).encode(), *(k.encode() + self.of(v, hops) for k, v in items)
            )
        text = repr(value)
        if " at 0x" in text or " object at " in text:
            raise Unstable(type(value).__qualname__)
        return _h(b"R", _name_of(type(value)).encode(), text.encode())

    def _content(self, value: Content, hops: int) -> bytes:
        if hops > 1:
            return _h(
                b"c",
                str(getattr(value, "source_path", "")).encode(),
                repr(getattr(value, "save_as", "")).encode(),
            )
        text = getattr(value, "_content", "") or ""
        if any(marker in text for marker in _LINK_MARKERS):
            raise Unstable(f"intra-site links in {value.source_path}")
        items = sorted((k, v) for k, v in value.__dict__.items() if k not in _SKIPPED)
        return _h(
            b"C",
            _name_of(type(value)).encode(),
            *(k.encode() + self.of(v, hops + 1) for k, v in items),
        )


def settings_digest(settings: dict[str, Any]) -> bytes:
    """Digest of all settings (objects without a stable form count by their type only)."""
    digester = Digester()
    parts = []
    for key in sorted(settings):
        try:
            parts.append(key.encode() + digester.of(settings[key]))
        except Unstable:
            parts.append(key.encode() + _name_of(type(settings[key])).encode())
    return _h(b"settings", *parts)


def code_digest() -> bytes:
    """Digest of this plugin's code, Pelican's and Jinja's versions."""
    folder = Path(__file__).resolve().parent
    parts = [pelican_version.encode(), jinja2.__version__.encode()]
    for path in sorted(folder.glob("*.py")):
        parts.append(path.name.encode() + path.read_bytes())
    return _h(b"code", *parts)


class TemplateInfo:
    """What a template tree reads: context names, sources digest, whether it can be memoized."""

    def __init__(self, template: jinja2.Template) -> None:
        env = template.environment
        self.names: set[str] = set()
        self.memoizable = True
        sources: list[bytes] = []
        todo, seen = [template.name], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name is None or env.loader is None:
                self.memoizable = False
                break
            source, _, _ = env.loader.get_source(env, name)
            sources.append(name.encode() + b"\0" + source.encode())
            tree = env.parse(source)
            self.names |= jinja2.meta.find_undeclared_variables(tree)
            for child in jinja2.meta.find_referenced_templates(tree):
                if child is None:
                    self.memoizable = False
                todo.append(child)
        text = b"".join(sources)
        self.deep_paginators = b"paginator.object_list" in text or b"paginator.page(" in text
        self.digest = _h(b"templates", *sorted(sources))


class RenderMemo:
    """The manifest of rendered files and the keys of the inputs that produced them."""

    def __init__(self, settings: dict[str, Any], output_path: str) -> None:
        self.output_path = os.path.abspath(output_path)
        self.path = Path(settings.get("CACHE_PATH") or "cache") / MANIFEST_NAME
        self.global_key = _h(settings_digest(settings), code_digest())
        self.previous: dict[str, list[Any]] = {}
        self.current: dict[str, list[Any]] = {}
        self.pending: dict[str, bytes | None] = {}
        self.templates: dict[str, TemplateInfo] = {}
        self.digesters = {False: Digester(False), True: Digester(True)}
        self.rendered = self.skipped = self.written = 0
        with contextlib.suppress(OSError, ValueError):
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == FORMAT and data.get("global") == self.global_key.hex():
                self.previous = data["files"]

    def _info(self, template: jinja2.Template) -> TemplateInfo:
        key = f"{id(template.environment)}:{template.name}"
        info = self.templates.get(key)
        if info is None:
            info = self.templates[key] = TemplateInfo(template)
        return info

    def key(self, template: jinja2.Template, localcontext: dict[str, Any]) -> bytes | None:
        """The digest of a page's inputs, or None when it cannot be known."""
        if not MEMOIZE:
            return None
        info = self._info(template)
        if not info.memoizable:
            return None
        digester = self.digesters[info.deep_paginators]
        parts = [self.global_key, info.digest, repr(localcontext.get("localsiteurl")).encode()]
        parts.append(str(localcontext.get("output_file")).encode())
        try:
            for name in sorted(info.names):
                if name in localcontext:
                    parts.append(name.encode() + digester.of(localcontext[name]))
                else:
                    parts.append(name.encode() + b"\0missing")
        except Unstable as exc:
            logger.debug("render memo: %s is always rendered (%s)", template.name, exc)
            return None
        return _h(b"page", *parts)

    def relative(self, path: str) -> str:
        """The output-relative form of a path this writer writes."""
        return os.path.relpath(os.path.abspath(path), self.output_path)

    def unchanged(self, rel: str, key: bytes | None) -> bool:
        """True when `rel` was last written from `key` and is still on disk untouched."""
        if key is None:
            return False
        known = self.previous.get(rel)
        if not known or known[0] != key.hex():
            return False
        try:
            stat = os.stat(os.path.join(self.output_path, rel))
        except OSError:
            return False
        return [stat.st_size, stat.st_mtime_ns] == known[1:]

    def record(self, rel: str, key: bytes | None) -> None:
        """Remember the key and the on-disk stamp of a file just written (or kept)."""
        try:
            stat = os.stat(os.path.join(self.output_path, rel))
        except OSError:
            return
        self.current[rel] = [key.hex() if key else "", stat.st_size, stat.st_mtime_ns]

    def finish(self) -> None:
        """Remove files an earlier build wrote and this one did not, then save the manifest."""
        removed = 0
        for rel, known in self.previous.items():
            if rel in self.current:
                continue
            full = os.path.join(self.output_path, rel)
            with contextlib.suppress(OSError):
                stat = os.stat(full)
                if [stat.st_size, stat.st_mtime_ns] == known[1:]:
                    os.unlink(full)
                    removed += 1
        data = {"format": FORMAT, "global": self.global_key.hex(), "files": self.current}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        logger.info(
            "render memo: %s rendered, %s skipped, %s written, %s stale removed",
            self.rendered,
            self.skipped,
            self.written,
            removed,
        )


class _Kept(str):
    """Returned by a memoized render: the file on disk is already right."""


KEPT = _Kept("")


class _MemoTemplate:
    """A template whose render() consults the memo first."""

    def __init__(self, template: jinja2.Template, memo: RenderMemo) -> None:
        self._template = template
        self._memo = memo

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)

    def render(self, localcontext: dict[str, Any]) -> str:
        """The page's HTML, or KEPT when the file on disk came from the same inputs."""
        memo = self._memo
        name = str(localcontext.get("output_file"))
        rel = memo.relative(sanitised_join(memo.output_path, name))
        key = memo.key(self._template, localcontext)
        memo.pending[rel] = key
        if memo.unchanged(rel, key):
            memo.skipped += 1
            return KEPT
        memo.rendered += 1
        return self._template.render(localcontext)


class _CompareFile:
    """A text file opened for writing that touches the disk only if its bytes change."""

    def __init__(self, path: str, encoding: str, memo: RenderMemo | None) -> None:
        self.path = path
        self.encoding = encoding
        self.memo = memo
        self.parts: list[bytes] = []
        self.kept = False

    def write(self, text: str | bytes) -> int:
        """Collect text or bytes (or note that the file is kept as it is)."""
        if text is KEPT:
            self.kept = True
        else:
            self.parts.append(text.encode(self.encoding) if isinstance(text, str) else text)
        return len(text)

    def __enter__(self) -> _CompareFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.close()

    def close(self) -> None:
        """Write the file if its bytes differ from what is on disk; record it in the memo."""
        rel = self.memo.relative(self.path) if self.memo else None
        if not self.kept:
            data = b"".join(self.parts)
            if write_if_changed(self.path, data) and self.memo:
                self.memo.written += 1
        if self.memo and rel is not None:
            self.memo.record(rel, self.memo.pending.pop(rel, None))


def write_if_changed(path: str, data: bytes) -> bool:
    """Write `data` to `path` unless the file already holds it; True if written."""
    if path == os.devnull:
        return False
    with contextlib.suppress(OSError):
        if os.path.getsize(path) == len(data):
            with open(path, "rb") as handle:
                if handle.read() == data:
                    return False
    with open(path, "wb") as handle:
        handle.write(data)
    return True


class MemoWriter(Writer):
    """Pelican's Writer with the render memo and write-only-if-changed files."""

    active: MemoWriter | None = None

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.memo = RenderMemo(settings or {}, output_path)
        MemoWriter.active = self

    def write_file(
        self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Pelican's write_file, with a template that consults the memo."""
        return super().write_file(
            name, _MemoTemplate(template, self.memo), context, *args, **kwargs
        )

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        """Like Pelican's: refuse double writes, honour overrides; but compare before writing."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time')
            logger.info('Skipping "%s", not overwriting', filename)
            filename = os.devnull
        elif filename in self._written_files:
            if not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it'
                )
            logger.info('Overwriting "%s"', filename)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _CompareFile(filename, encoding, None if filename == os.devnull else self.memo)


def get_writer(pelican: Any) -> type[Writer]:
    """Pelican `get_writer` hook: our writer."""
    return MemoWriter


def finish(pelican: Any) -> None:
    """Pelican `finalized` hook: clean stale files and save the manifest of this build."""
    writer = MemoWriter.active
    if writer is not None and os.path.abspath(pelican.output_path) == writer.memo.output_path:
        writer.memo.finish()
        MemoWriter.active = None
