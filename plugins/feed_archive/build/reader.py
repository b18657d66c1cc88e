"""Reader: archived posts read fast and finished once, ahead of Pelican, on every core.

`ArchiveMarkdownReader` (registered through `readers_init`) reads an archived post's header as
Python-Markdown's meta extension does and its body with cmark-gfm (markdown.py); the HTML gets
the site language's typography and one more sanitizer pass (defence in depth), and the title
and summary their typography, so the work is done once and kept in Pelican's content cache.
`preread` (article_generator_init) does the same for every post Pelican is about to read, in
the worker pool; `read` then only processes the metadata. Posts whose emphasis CommonMark would
read otherwise, and every other Markdown file, go to Pelican's MarkdownReader.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any, Callable

from pelican import readers as pelican_readers
from pelican.utils import pelican_open

from ..pool import parallel_map
from ..post import protect_local, restore_local, sanitize
from .locations import Locations
from .markdown import body_html, normalize, our_date, split_header
from .state import BuildState
from .typography import for_language

logger = logging.getLogger(__name__)

#: What a post prepared ahead of Pelican is: its HTML and its header values (None: not ours).
Prepared = tuple[str, dict[str, list[str]]] | None
Typography = Callable[[str | None], str]


def finish(html: str, source: str | None, typography: Typography) -> str:
    """An archived post's HTML as the site shows it: typography, then the sanitizer once more."""
    return restore_local(sanitize(protect_local(typography(html)), source))


def prepare(path: str, typography: Typography, formatted: frozenset[str]) -> Prepared:
    """Read and convert one archived post (pure but for reading it); None when Pelican must."""
    try:
        with pelican_open(path) as text:
            source = text
    except OSError:
        return None  # Pelican reads it itself and reports the error
    meta, body = split_header(normalize(source))
    if not source.strip() or set(meta) & formatted:
        return None  # Markdown in metadata: Python-Markdown's job
    html = body_html(body)
    if html is None:
        return None
    for key in ("title", "summary"):
        if key in meta:
            meta[key] = [typography(value) for value in meta[key]]
    sources = meta.get("source") or []
    return finish(html, sources[0] if sources else None, typography), meta


class ArchiveMarkdownReader(pelican_readers.MarkdownReader):
    """Pelican's Markdown reader, but archived posts are read with cmark-gfm and finished."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = BuildState.of(self.settings)
        folder = state.config.archive_dir if state else "archive"
        root = os.path.abspath(os.path.join(self.settings.get("PATH") or "content", folder))
        self._archive_root = root.rstrip(os.sep) + os.sep
        self.typography = for_language(str(self.settings.get("DEFAULT_LANG") or "en"))
        self.formatted = frozenset(self.settings.get("FORMATTED_FIELDS") or ())
        self.locations = Locations(self.settings)

    def is_archived(self, source_path: str) -> bool:
        """True for a file inside PATH/FEED_ARCHIVE_DIR."""
        return os.path.abspath(source_path).startswith(self._archive_root)

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Content and metadata: for archived posts, finished as `prepare` says."""
        if not self.is_archived(source_path):
            return super().read(source_path)
        self._source_path = source_path
        state = BuildState.of(self.settings)
        ready = state.prepared.pop(source_path, None) if state else None
        if ready is None:
            ready = prepare(source_path, self.typography, self.formatted)
        if ready is not None:
            metadata = self._capped(self._metadata(ready[1]))
            self.locations.add(metadata, source_path)
            return ready[0], metadata
        logger.debug("feed_archive: %s read by Python-Markdown", source_path)
        content, metadata = super().read(source_path)
        metadata = self._capped(metadata)
        for key in ("title", "summary"):
            if isinstance(metadata.get(key), str):
                metadata[key] = self.typography(metadata[key])
        self.locations.add(metadata, source_path)
        source = metadata.get("source")
        return finish(content, source if isinstance(source, str) else None, self.typography), (
            metadata
        )

    def process_metadata(self, name: str, value: Any) -> Any:
        """Pelican's processing; our own dates are read without dateutil (same value)."""
        if name in ("date", "modified") and isinstance(value, str):
            fast = our_date(value)
            if fast is not None:
                return fast
        return super().process_metadata(name, value)

    def _capped(self, metadata: dict[str, Any]) -> dict[str, Any]:
        """The metadata with at most FEED_ARCHIVE_MAX_TAGS tags (posts archived before the cap)."""
        state = BuildState.of(self.settings)
        limit = state.config.max_tags if state else 20
        tags = metadata.get("tags")
        if isinstance(tags, list) and len(tags) > limit:
            logger.warning(
                "%s: %s tags, the first %s used (FEED_ARCHIVE_MAX_TAGS)",
                self._source_path,
                len(tags),
                limit,
            )
            metadata["tags"] = tags[:limit]
        return metadata

    def _metadata(self, meta: dict[str, list[str]]) -> dict[str, Any]:
        """The values processed as Pelican's MarkdownReader does (no formatted field here)."""
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


def install(readers: Any) -> None:
    """readers_init hook: read Markdown with ArchiveMarkdownReader where Pelican's reader would."""
    for ext, cls in list(readers.reader_classes.items()):
        if cls is pelican_readers.MarkdownReader:
            readers.reader_classes[ext] = ArchiveMarkdownReader


def preread(generator: Any) -> None:
    """article_generator_init hook: prepare, in the worker pool, the posts Pelican will read."""
    state = BuildState.of(generator.settings)
    reader = generator.readers.readers.get("md")
    if state is None or not isinstance(reader, ArchiveMarkdownReader):
        return
    settings = generator.settings
    names = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    paths = {os.path.abspath(os.path.join(generator.path, name)): name for name in names}
    todo = [path for path in paths if path.endswith(".md") and reader.is_archived(path)]
    if state.posts is not None and settings.get("LOAD_CONTENT_CACHE"):
        changed = state.posts.changed()  # posts the last build did not see as they are now
        todo = [path for path in todo if path in changed]
    if len(todo) < state.config.parallel_min:
        return  # `read` prepares them one by one
    if settings.get("LOAD_CONTENT_CACHE"):
        todo = [path for path in todo if generator.get_cached_data(paths[path], None) is None]
    work = functools.partial(prepare, typography=reader.typography, formatted=reader.formatted)
    for path, ready in zip(todo, parallel_map(work, todo, state.config.workers, 1), strict=True):
        if ready is not None:
            state.prepared[path] = ready
    logger.debug("feed_archive: %s posts prepared ahead", len(state.prepared))
