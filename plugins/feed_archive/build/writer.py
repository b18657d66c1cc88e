"""Writer: Pelican's Writer (through get_writer) that skips the pages the plan says are unchanged.

For each page, `write_file` asks the plan for its digest: when the file on disk is still the
one written with that digest (same size and mtime as recorded), nothing is rendered; else
Pelican renders and writes it as usual. A page whose bytes come out unchanged keeps its mtime
(so rsync, git and the search index see no change). Files an earlier build wrote and this one
did not are removed. The record (`feed_archive-output.json` in CACHE_PATH) is plain JSON, read
as data: entries that are not an output-relative path with its digest, size and mtime are
ignored (one warning line), so a record can never make the build remove a file elsewhere.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.utils import sanitised_join
from pelican.writers import Writer

from .outputs import is_relative
from .state import BuildState

logger = logging.getLogger(__name__)

MANIFEST_NAME = "feed_archive-output.json"
FORMAT = 1


class OutputLog:
    """What the last build wrote (from its record) and what this one writes, keeps, removes."""

    def __init__(self, output_path: str, record: Path, check: bool = False) -> None:
        self.output_path = os.path.abspath(output_path)
        self.check = check  # FEED_ARCHIVE_PLAN_CHECK: render skippable pages too, and compare
        self.record = record
        self.previous = self._load()
        self.current: dict[str, list[Any]] = {}
        self.changed: set[str] = set()
        self.kept = self.removed = 0
        self.rendered_pages: set[str] = set()
        #: rendered pages the plan does not know (hand-written pages, drafts): always rendered
        self.unplanned: set[str] = set()
        self.mismatches: list[str] = []

    @property
    def rendered(self) -> int:
        """How many pages this build rendered."""
        return len(self.rendered_pages)

    def _load(self) -> dict[str, list[Any]]:
        try:
            text = self.record.read_text(encoding="utf-8")
        except OSError:
            return {}
        return _entries(text, self.record)

    def relative(self, path: str) -> str:
        """The output-relative form of a path (Pelican hands absolute paths under the output)."""
        prefix = self.output_path + os.sep
        if path.startswith(prefix) and "/../" not in path:
            return path[len(prefix) :]
        return os.path.relpath(os.path.abspath(path), self.output_path)

    def unchanged(self, rel: str, key: bytes) -> bool:
        """True when `rel` on disk is the file written last time with the digest `key`."""
        known = self.previous.get(rel)
        if not known or known[0] != key.hex():
            return False
        try:
            stat = os.stat(os.path.join(self.output_path, rel))
        except OSError:
            return False
        return [stat.st_size, stat.st_mtime_ns] == known[1:]

    def keep(self, rel: str) -> None:
        """`rel` is not rendered this time: the file on disk is right."""
        self.current[rel] = self.previous[rel]
        self.kept += 1

    def wrote(self, rel: str, key: bytes | None, before: Before, skippable: bool) -> None:
        """`rel` was just written: same bytes keep their old mtime; record what is there now.

        `skippable`: the plan would have skipped it (FEED_ARCHIVE_PLAN_CHECK rendered it all
        the same): different bytes then mean the plan misses one of the page's inputs.
        """
        path = os.path.join(self.output_path, rel)
        self.rendered_pages.add(rel)
        if key is None:
            self.unplanned.add(rel)
        try:
            if before is not None and Path(path).read_bytes() == before[0]:
                os.utime(path, ns=(before[1].st_atime_ns, before[1].st_mtime_ns))
            else:
                self.changed.add(rel)
                if skippable:
                    self.mismatches.append(rel)
            stat = os.stat(path)
        except OSError:
            return
        self.current[rel] = [key.hex() if key else None, stat.st_size, stat.st_mtime_ns]

    def finish(self) -> None:
        """Remove the files of the last build that this one did not make; save the record."""
        for rel, known in self.previous.items():
            if rel in self.current:
                continue
            path = os.path.join(self.output_path, rel)
            try:
                stat = os.stat(path)
                if [stat.st_size, stat.st_mtime_ns] == known[1:]:
                    os.unlink(path)
                    self.removed += 1
                    self.changed.add(rel)
            except OSError:
                continue
        data = {"format": FORMAT, "files": dict(sorted(self.current.items()))}
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.record.with_suffix(".tmp")
            temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, self.record)
        except OSError as exc:
            logger.warning("feed_archive: cannot save %s (%s)", self.record, exc)


def _entry(value: Any) -> bool:
    """True for a record entry: [digest hex or None, size, mtime in ns]."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and (value[0] is None or isinstance(value[0], str))
        and all(type(number) is int for number in value[1:])
    )


def _entries(text: str, record: Path) -> dict[str, list[Any]]:
    """The files a record's text lists; what is not a record entry is ignored, in one line."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        logger.warning("feed_archive: %s ignored (%s)", record, exc)
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or type(data.get("format")) is not int:
        logger.warning("feed_archive: %s ignored (not a record of output files)", record)
        return {}
    if data["format"] != FORMAT:
        return {}  # another version's record: every page is rendered again
    found = {rel: value for rel, value in files.items() if is_relative(rel) and _entry(value)}
    if len(found) < len(files):
        logger.warning("feed_archive: %s: %s entries ignored", record, len(files) - len(found))
    return found


#: A file's bytes and stat before it is written again (None: there was none).
Before = tuple[bytes, os.stat_result] | None


def _before(path: str) -> Before:
    try:
        return Path(path).read_bytes(), os.stat(path)
    except OSError:
        return None


class PlanWriter(Writer):
    """Pelican's Writer; pages whose planned digest did not change are not rendered again."""

    def _plan(self, path: str) -> tuple[OutputLog | None, str, bytes | None, bool]:
        """(log, output-relative path, planned digest, whether the file on disk is right)."""
        state = BuildState.of(self.settings)
        if state is None or state.output is None:
            return None, "", None, False
        log = state.output
        rel = log.relative(path)
        key = state.plan.key(rel) if state.plan is not None and state.config.plan else None
        return log, rel, key, key is not None and log.unchanged(rel, key)

    def write_file(
        self,
        name: str,
        template: Any,
        context: dict[str, Any],
        relative_urls: bool = False,
        paginated: Any = None,
        template_name: str | None = None,
        override_output: bool = False,
        url: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Pelican's write_file, unless the plan says the page on disk is already right."""
        path = sanitised_join(self.output_path, name)
        log, rel, key, skippable = self._plan(path)
        if log is not None and skippable and not log.check and not paginated:
            log.keep(rel)
            page = context.copy()
            page.update(kwargs)
            signals.content_written.send(path, context=page)  # the sitemap still lists it
            return None
        before = _before(path) if log is not None and rel in log.previous else None
        result = super().write_file(
            name,
            template,
            context,
            relative_urls,
            paginated,
            template_name,
            override_output,
            url,
            **kwargs,
        )
        if log is not None and not paginated:
            log.wrote(rel, key, before, skippable)
        return result

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
        """Pelican's write_feed, unless the plan says the feed on disk is already right."""
        full = sanitised_join(self.output_path, path) if path else ""
        log, rel, key, skippable = self._plan(full) if path else (None, "", None, False)
        if log is not None and skippable and not log.check:
            log.keep(rel)
            return None
        before = _before(full) if log is not None and rel in log.previous else None
        result = super().write_feed(
            elements, context, path, url, feed_type, override_output, feed_title
        )
        if log is not None:
            log.wrote(rel, key, before, skippable)
        return result


def get_writer(pelican: Any) -> type[Writer]:
    """get_writer hook: the plan's writer."""
    return PlanWriter
