"""Render memo: a Pelican Writer that skips pages whose inputs did not change; never alters output.

Each page is rendered once with tracing on (trace.py): the names, attributes, items, method
calls and filters it read are kept with a digest of the values they gave. On the next build,
when the file on disk is still the one written then, those steps are replayed on the new
build's values; the same digest (and the same templates, settings and plugin code) means the
same page, so it is not rendered again. Everything else is rendered as Pelican does.

Every file, rendered or not, is written only when its bytes changed (its mtime is kept
otherwise), and files this writer produced in an earlier build but not in this one are removed,
so `output/` ends up byte-for-byte what a clean build makes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import pickle
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from pelican import __version__ as pelican_version
from pelican.contents import Content
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from ..settings import merged
from . import trace as tracing

logger = logging.getLogger(__name__)

MANIFEST_NAME = "feed_archive-render-memo.pickle"
FORMAT = 2
#: Markers of Pelican intra-site links, resolved from the whole site when a feed is written.
_LINK_MARKERS = ("{filename}", "|filename|", "{static}", "|static|", "{attach}", "{index}")
#: Deferred pages per worker process before they are done (each holds a context copy).
BATCH_PER_WORKER = 1500
#: Settings holding whole-site objects, not configuration.
_UNHASHED = frozenset({"PLUGINS", "JINJA_FILTERS", "JINJA_GLOBALS", "JINJA_TESTS"})


def _h(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.digest()


def _stable(value: Any) -> str:
    """A text form of a setting: repr when it is stable, else the names of functions/types."""
    if callable(value):
        name = getattr(value, "__qualname__", type(value).__name__)
        return f"{getattr(value, '__module__', '')}.{name}"
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{k!r}:{_stable(v)}" for k, v in sorted(value.items(), key=repr)) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_stable(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_stable(v) for v in value)) + "}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def _plain(value: Any, depth: int = 0) -> str | None:
    """Text of a plain value (atoms, taxonomy names, lists and dicts of them); None otherwise."""
    if type(value) is str:  # by length and text: no repr of long contents
        return f"s{len(value)}:{value}"
    if isinstance(value, (str, int, float, bool, type(None), dt.date, dt.time)):
        return repr(value)
    if isinstance(value, URLWrapper):
        return f"{type(value).__name__}({value.name!r},{value.slug!r})"
    if depth < 3 and isinstance(value, (list, tuple)):
        inner = [_plain(v, depth + 1) for v in value]
        return None if None in inner else "[" + ",".join(inner) + "]"  # type: ignore[arg-type]
    if depth < 3 and isinstance(value, dict):
        inner = [f"{k!r}:{_plain(v, depth + 1)}" for k, v in value.items()]
        return "{" + ",".join(inner) + "}"
    return None


def build_workers(settings: dict[str, Any]) -> int:
    """Processes for reading and rendering (FEED_ARCHIVE_BUILD_WORKERS, 0 = one per core)."""
    wanted = int(merged(settings)["FEED_ARCHIVE_BUILD_WORKERS"])
    if wanted <= 0:
        wanted = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
        wanted = wanted or os.cpu_count() or 1
    return max(1, wanted)


def settings_digest(settings: dict[str, Any]) -> bytes:
    """Digest of all settings (functions count by name, objects without a stable form by type)."""
    parts = [f"{k}={_stable(settings[k])}".encode() for k in sorted(settings) if k not in _UNHASHED]
    for key in sorted(_UNHASHED & set(settings)):
        parts.append(f"{key}={_stable(settings[key])}".encode())
    return _h(b"settings", *parts)


def code_digest() -> bytes:
    """Digest of this plugin's code, Pelican's and Jinja's versions."""
    folder = Path(__file__).resolve().parent.parent  # the whole plugin, every package
    parts = [pelican_version.encode(), jinja2.__version__.encode()]
    for path in sorted(folder.rglob("*.py")):
        parts.append(str(path.relative_to(folder)).encode() + path.read_bytes())
    return _h(b"code", *parts)


def theme_digest(settings: dict[str, Any]) -> bytes:
    """Digest of the theme's translations (gettext strings change rendered pages too)."""
    folder = Path(settings.get("THEME") or "theme") / "translations"
    parts = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts.append(path.relative_to(folder).as_posix().encode() + path.read_bytes())
    return _h(b"translations", *parts)


class TemplateInfo:
    """A template and all it extends, includes or imports: their sources' digest; memoizable?"""

    def __init__(self, template: jinja2.Template) -> None:
        env = template.environment
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
            try:
                source, _, _ = env.loader.get_source(env, name)
            except jinja2.TemplateNotFound:
                sources.append(name.encode() + b"\0missing")
                continue
            sources.append(name.encode() + b"\0" + source.encode())
            for child in jinja2.meta.find_referenced_templates(env.parse(source)):
                if child is None:
                    self.memoizable = False
                todo.append(child)
        self.digest = _h(b"templates", *sorted(sources))


class RenderMemo:
    """The manifest of written files: stamp, and the trace of the render that made each."""

    def __init__(self, settings: dict[str, Any], output_path: str) -> None:
        self.output_path = os.path.abspath(output_path)
        self.path = Path(settings.get("CACHE_PATH") or "cache") / MANIFEST_NAME
        self.enabled = bool(merged(settings)["FEED_ARCHIVE_RENDER_MEMO"])
        self.global_key = _h(settings_digest(settings), code_digest(), theme_digest(settings))
        #: output-relative path -> (key, size, mtime_ns, steps)
        self.previous: dict[str, tuple[Any, ...]] = {}
        self.current: dict[str, tuple[Any, ...]] = {}
        self.pending: dict[str, tuple[bytes | None, list[Any]]] = {}
        self.templates: dict[tuple[int, str], TemplateInfo] = {}
        self.rendered = self.skipped = self.written = 0
        self.items: dict[int, tuple[Any, bytes]] = {}
        self.jobs: list[tuple[str, _Page]] = []
        #: Output-relative paths written or removed by this build (for incremental indexing).
        self.changed: set[str] = set()
        self.workers = 1
        self.least = int(merged(settings)["FEED_ARCHIVE_PARALLEL_MIN"])
        with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            with open(self.path, "rb") as handle:
                data = pickle.load(handle)
            if data.get("format") == FORMAT:
                self.previous = data["files"]
                if data.get("global") != self.global_key:  # other settings or code: the
                    # files are still known (stale ones get removed), their renders are not
                    self.previous = {
                        rel: (None, *known[1:3], None) for rel, known in self.previous.items()
                    }

    def info(self, template: jinja2.Template) -> TemplateInfo:
        """What is known about a template tree (computed once per build)."""
        key = (id(template.environment), template.name)
        found = self.templates.get(key)
        if found is None:
            found = self.templates[key] = TemplateInfo(template)
        return found

    def page_key(self, info: TemplateInfo, name: str, values: bytes) -> bytes:
        """The key of one page: global inputs, templates, file name, traced values."""
        return _h(self.global_key, info.digest, name.encode(), values)

    def feed_key(self, rel: str, options: tuple[Any, ...], items: list[Any]) -> bytes | None:
        """The key of a feed: its options and the plain data of its items (None: unknown)."""
        parts = [self.global_key, rel.encode(), repr(options).encode()]
        try:
            parts += [self.item_digest(item) for item in items]
        except ValueError:
            return None
        return _h(b"feed", *parts)

    def item_digest(self, item: Any) -> bytes:
        """Digest of what a feed can show of an article: its own plain attributes."""
        found = self.items.get(id(item))
        if found is not None and found[0] is item:
            return found[1]
        text = getattr(item, "_content", "") or ""
        if any(marker in text for marker in _LINK_MARKERS):
            raise ValueError("intra-site links")
        parts = []
        for name, value in sorted(vars(item).items()):
            if name in ("_context", "settings"):
                continue
            if isinstance(value, Content):
                parts.append(name.encode() + self.item_digest(value))
                continue
            plain = _plain(value)
            if plain is not None:
                parts.append(f"{name}={plain}".encode("utf-8", "surrogatepass"))
            elif not isinstance(item, Content):
                raise ValueError(f"feed item attribute {name} is not plain data")
        digest = _h(b"item", type(item).__name__.encode(), *parts)
        self.items[id(item)] = (item, digest)
        return digest

    def relative(self, path: str) -> str:
        """The output-relative form of a path this writer writes."""
        return os.path.relpath(os.path.abspath(path), self.output_path)

    def on_disk(self, rel: str) -> tuple[Any, ...] | None:
        """The previous entry of `rel` if the file is still the one written then."""
        known = self.previous.get(rel)
        if not known:
            return None
        try:
            stat = os.stat(os.path.join(self.output_path, rel))
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns) != known[1:3]:
            return None
        return known

    def record(self, rel: str, key: bytes | None, steps: list[Any]) -> None:
        """Remember the key, steps and on-disk stamp of a file just written (or kept)."""
        try:
            stat = os.stat(os.path.join(self.output_path, rel))
        except OSError:
            return
        self.current[rel] = (key, stat.st_size, stat.st_mtime_ns, steps if key else None)

    def flush(self) -> None:
        """Replay or render the deferred pages (in parallel) and record them."""
        jobs, self.jobs = self.jobs, []
        if len({path for path, _ in jobs}) < len(jobs):  # a page overwritten: the last one wins
            last = {path: index for index, (path, _) in enumerate(jobs)}
            jobs = [job for index, job in enumerate(jobs) if last[job[0]] == index]
        done = run_pages(self, jobs, self.workers, self.least)
        shared = tracing.shared_step
        for rel, key, steps, size, mtime, written, skipped in done:
            if key and not skipped:
                steps = [shared(step) for step in steps]
            self.current[rel] = (key, size, mtime, steps if key else None)
            self.written += written
            if written:
                self.changed.add(rel)
            self.skipped += skipped
            self.rendered += not skipped

    def finish(self) -> None:
        """Do the deferred pages, remove files of earlier builds not made now, save the manifest."""
        self.flush()
        removed = 0
        for rel, known in self.previous.items():
            if rel in self.current:
                continue
            full = os.path.join(self.output_path, rel)
            with contextlib.suppress(OSError):
                stat = os.stat(full)
                if (stat.st_size, stat.st_mtime_ns) == known[1:3]:
                    os.unlink(full)
                    removed += 1
                    self.changed.add(rel)
        data = {"format": FORMAT, "global": self.global_key, "files": self.current}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            with open(tmp, "wb") as handle:
                pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        logger.info(
            "render memo: %s rendered, %s skipped, %s written, %s stale removed",
            self.rendered,
            self.skipped,
            self.written,
            removed,
        )


class _Page(str):
    """What a memo template's render() returns: the page to do later, in a worker."""

    template: jinja2.Template
    localcontext: dict[str, Any]


def _page(template: jinja2.Template, localcontext: dict[str, Any]) -> _Page:
    page = _Page("")
    page.template = template
    page.localcontext = localcontext
    return page


class _MemoTemplate:
    """A template whose render() defers the page to the memo's workers."""

    def __init__(self, template: jinja2.Template, memo: RenderMemo) -> None:
        self._template = template
        self._memo = memo

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)

    def render(self, localcontext: dict[str, Any]) -> str:
        """A deferred page (rendered, or found unchanged, when the build ends)."""
        return _page(self._template, localcontext)


def do_page(memo: RenderMemo, path: str, page: _Page) -> tuple[Any, ...]:
    """Replay or render one page and write it if changed: (rel, key, steps, written, skipped)."""
    template, localcontext = page.template, page.localcontext
    name = str(localcontext.get("output_file"))
    rel = memo.relative(path)
    info = memo.info(template)
    if not (memo.enabled and info.memoizable):
        data = template.render(localcontext).encode("utf-8")
        return rel, None, [], write_if_changed(path, data), False
    tracing.install(template.environment)
    known = memo.on_disk(rel)
    if known and known[0] and known[3] is not None:
        values = tracing.replay(template.environment, localcontext, known[3])
        if values is not None and memo.page_key(info, name, values) == known[0]:
            return rel, known[0], known[3], False, True
    output, trace = tracing.record(template, localcontext)
    key = None if trace.broken else memo.page_key(info, name, trace.key())
    if trace.broken:
        logger.debug("render memo: %s cannot be memoized (%s)", rel, trace.broken)
    return rel, key, trace.steps, write_if_changed(path, output.encode("utf-8")), False


def _do_pages(memo: RenderMemo, jobs: list[tuple[str, _Page]]) -> list[tuple[Any, ...]]:
    tracing.forget()
    results = []
    for path, page in jobs:
        rel, key, steps, written, skipped = do_page(memo, path, page)
        try:
            stat = os.stat(path)
        except OSError:
            continue
        results.append((rel, key, steps, stat.st_size, stat.st_mtime_ns, written, skipped))
    return results


def run_pages(
    memo: RenderMemo, jobs: list[tuple[str, _Page]], workers: int, least: int = 200
) -> list[Any]:
    """Do the deferred pages: in `workers` processes (fork), each with at least `least` pages."""
    least = max(1, least)
    if workers < 2 or len(jobs) < 2 * least or not hasattr(os, "fork"):
        return _do_pages(memo, jobs)
    workers = min(workers, len(jobs) // least)
    children = []
    for number in range(1, workers):
        share = jobs[number::workers]
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do its share, send the results, leave without cleanup
            status = 0
            try:
                os.close(read_end)
                payload = pickle.dumps(("ok", _do_pages(memo, share)), pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # reported by the parent
                payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
                status = 1
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
            os._exit(status)
        os.close(write_end)
        children.append((pid, read_end))
    results = _do_pages(memo, jobs[0::workers])
    problems = []
    for pid, read_end in children:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            kind, value = pickle.loads(data)
        except Exception as exc:  # the child died before sending anything
            kind, value = "error", f"worker {pid} sent nothing ({type(exc).__name__})"
        if kind == "ok":
            results.extend(value)
        else:
            problems.append(value)
    if problems:
        raise RuntimeError("render workers failed: " + "; ".join(problems))
    return results


class _CompareFile:
    """A file opened for writing that touches the disk only if its bytes change."""

    def __init__(self, path: str, encoding: str, memo: RenderMemo | None) -> None:
        self.path = path
        self.encoding = encoding
        self.memo = memo
        self.parts: list[bytes] = []
        self.page: _Page | None = None

    def write(self, text: str | bytes) -> int:
        """Collect text or bytes (or the deferred page to write later)."""
        if isinstance(text, _Page):
            self.page = text
        else:
            self.parts.append(text.encode(self.encoding) if isinstance(text, str) else text)
        return len(text)

    def __enter__(self) -> _CompareFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        if exc[0] is None:
            self.close()

    def close(self) -> None:
        """Queue a deferred page, or write the file if its bytes differ; record it in the memo."""
        if self.page is not None:
            if self.memo is not None:
                self.memo.jobs.append((self.path, self.page))
                if len(self.memo.jobs) >= BATCH_PER_WORKER * self.memo.workers:
                    self.memo.flush()  # bounded memory: pages hold a copy of the context
            return
        data = b"".join(self.parts)
        written = write_if_changed(self.path, data)
        if self.memo is not None:
            self.memo.written += written
            rel = self.memo.relative(self.path)
            if written:
                self.memo.changed.add(rel)
            key, steps = self.memo.pending.pop(rel, (None, []))
            self.memo.record(rel, key, steps)


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
        self.memo.workers = build_workers(settings or {})
        MemoWriter.active = self

    def write_file(
        self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Pelican's write_file, with a template that consults the memo."""
        return super().write_file(
            name, _MemoTemplate(template, self.memo), context, *args, **kwargs
        )

    def write_feed(
        self,
        elements: Any,
        context: dict[str, Any],
        path: str | None = None,
        url: str | None = None,
        feed_type: str = "atom",
        override_output: bool = False,
        feed_title: str | None = None,
    ) -> Any:
        """Pelican's write_feed, skipped when the feed's items and settings did not change."""
        memo = self.memo
        if not path or not memo.enabled:
            return super().write_feed(
                elements, context, path, url, feed_type, override_output, feed_title
            )
        full = sanitised_join(self.output_path, path)
        rel = memo.relative(full)
        limit = self.settings.get("FEED_MAX_ITEMS")
        key = memo.feed_key(rel, (url, feed_type, override_output, feed_title), elements[:limit])
        known = memo.on_disk(rel)
        if key is not None and known and known[0] == key and full not in self._written_files:
            self._written_files.add(full)
            memo.pending[rel] = (key, [])
            memo.record(rel, key, [])
            memo.pending.pop(rel, None)
            memo.skipped += 1
            return None
        memo.pending[rel] = (key, [])
        return super().write_feed(
            elements, context, path, url, feed_type, override_output, feed_title
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
    """Pelican `finalized` hook: finish the pages, clean stale files, save the manifest.

    Sets `pelican.feed_archive_changed`: the output-relative paths this build wrote or removed
    (later `finalized` hooks, such as search indexing, may redo only what they touch).
    """
    writer = MemoWriter.active
    if writer is not None and os.path.abspath(pelican.output_path) == writer.memo.output_path:
        writer.memo.finish()
        pelican.feed_archive_changed = frozenset(writer.memo.changed)
        MemoWriter.active = None
