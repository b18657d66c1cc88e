"""Hooks: search indexing starts as soon as the article pages are written, and ends the build.

Pagefind runs on one core, in a thread of its own (it is a separate process), while Pelican
writes the listing, calendar and statistics pages on the other; `finish` waits for it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Collection

from ...pool import worker_count
from ..state import BuildState
from .index import IndexReport, index_site
from .pagefind import SearchIndexError

logger = logging.getLogger(__name__)


@dataclass
class Indexing:
    """One indexing run in its thread, and how it ended."""

    output: Path
    max_pages: int
    workers: int
    report: IndexReport | None = None
    error: str | None = None
    thread: threading.Thread | None = field(default=None, repr=False)

    def run(self, changed: Collection[str] | None) -> None:
        """Index (in the calling thread); the report or the error is kept."""
        try:
            self.report = index_site(
                self.output, self.max_pages, changed=changed, workers=self.workers
            )
        except (SearchIndexError, OSError) as exc:
            self.error = str(exc)

    def start(self, changed: Collection[str] | None) -> None:
        """Index in a thread of its own."""
        self.thread = threading.Thread(target=self.run, args=(changed,), name="pagefind")
        self.thread.start()


def start(generator: Any, writer: Any = None) -> None:
    """article_writer_finalized hook: index the article pages while the other pages are written."""
    state = BuildState.of(generator.settings)
    if state is None or not state.config.search:
        return
    changed = set(state.output.changed) if state.output is not None else None
    state.search = Indexing(
        Path(generator.output_path),
        state.config.search_max_pages,
        worker_count(state.config.workers),
    )
    state.search.start(changed)


def wait(state: BuildState) -> None:
    """Wait for the indexing started at article_writer_finalized (none: return at once)."""
    job: Indexing | None = state.search
    if job is not None and job.thread is not None:
        job.thread.join()


def finish(state: BuildState, removed: Collection[str]) -> None:
    """Wait for the indexing; index again what pages removed since then change; log one line."""
    job: Indexing | None = state.search
    if job is None:
        return
    if job.thread is not None:
        job.thread.join()
    if job.error is None and removed:
        job.run(set(removed))
    if job.error is not None:
        logger.error("feed_archive: search index not built: %s", job.error)
    elif job.report is not None:
        report = job.report
        logger.info(
            "feed_archive: search index of %s pages in %.1f s (%s of %s indexes rebuilt)",
            report.pages,
            report.seconds,
            len(report.redone),
            len(report.indexes),
        )
    state.search = None
