"""Content: the hooks around the build as a whole (start, plan, end); never fetches anything.

- `begin` (initialized): the build's state, its settings checked (each bad key named), the
  archive's files found, the plugin's progress lines shown, feed images' empty-alt warnings
  left out, a restored cache and output checked against their seal (with
  FEED_ARCHIVE_CACHE_KEY, seal.py) before anything reads them, Pelican's content cache set
  aside when the settings or code it was made with changed, what the output folder holds noted
  (outputs.py).
- `plan_pages` (all_generators_finalized): the page plan, before any page is written.
- `end` (finalized): stale files removed, search finished, every file this build did not make
  removed from the output (outputs.py), the size budget, both folders sealed (with the key),
  state forgotten.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ..settings import SettingsError, load
from . import budget, outputs, seal, search
from .digests import PLUGIN, digest, distributions, files_parts, settings_parts, site_digest
from .pages import feed_items
from .plan import make_plan, plan_changes
from .postfiles import RECORD_NAME as POSTS_RECORD
from .postfiles import PostFiles
from .state import BuildState
from .theme import theme_folder
from .writer import MANIFEST_NAME, OutputLog

logger = logging.getLogger(__name__)

CACHE_KEY_NAME = "feed_archive-cache-key.json"


class _FeedImageAltFilter(logging.Filter):
    """Drops Pelican's "Empty alt attribute" warnings for archived posts (feed content).

    The archive keeps a feed's images as the publisher wrote them; an image without a text
    alternative is the publisher's, and `alt=""` is what HTML asks for then. The warning stays
    for every other file (pages written by hand).
    """

    def __init__(self, archive_root: str) -> None:
        super().__init__()
        self.archive_root = archive_root

    def filter(self, record: logging.LogRecord) -> bool:
        """False for an empty-alt warning about a file inside the archive folder."""
        if not str(record.msg).startswith("Empty alt attribute") or len(record.args or ()) < 2:
            return True
        return not str(record.args[1]).startswith(self.archive_root)  # type: ignore[index]


def quiet_feed_warnings(settings: dict[str, Any], folder: str) -> None:
    """No empty-alt warning for feed images under PATH/`folder` (one filter per process)."""
    readers_log = logging.getLogger("pelican.readers")
    for old in [f for f in readers_log.filters if isinstance(f, _FeedImageAltFilter)]:
        readers_log.removeFilter(old)
    root = os.path.abspath(os.path.join(settings.get("PATH") or "content", folder))
    readers_log.addFilter(_FeedImageAltFilter(root + os.sep))


def show_progress() -> None:
    """The plugin's counts (items read, pages written, search, size) are shown.

    Pelican logs warnings only by default; the plugin's INFO lines are its progress report,
    so they are let through unless Pelican runs quieter (`-q`) or the logger is configured.
    """
    plugin_log = logging.getLogger("feed_archive")
    if plugin_log.level == logging.NOTSET and logging.getLogger().level <= logging.WARNING:
        plugin_log.setLevel(logging.INFO)


def _cache_guard(settings: dict[str, Any]) -> None:
    """Pelican's content cache, made with other settings or code, is not loaded (but rebuilt)."""
    if not settings.get("LOAD_CONTENT_CACHE"):
        return
    folder = Path(settings.get("CACHE_PATH") or "cache")
    key = digest(
        b"cache", *settings_parts(settings), *files_parts(PLUGIN, "*.py"), *distributions()
    )
    stamp = folder / CACHE_KEY_NAME
    try:
        if json.loads(stamp.read_text(encoding="utf-8")).get("key") == key.hex():
            return
    except (OSError, ValueError, AttributeError):
        pass
    settings["LOAD_CONTENT_CACHE"] = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps({"key": key.hex()}), encoding="utf-8")
    except OSError as exc:
        logger.warning("feed_archive: cannot write %s (%s)", stamp, exc)
    logger.debug("feed_archive: content cache set aside (settings or code changed)")


def begin(pelican: Any) -> None:
    """initialized hook: start the build's state and check its settings."""
    settings = pelican.settings
    state = BuildState.begin(settings)
    if state.error is None:  # the feeds' settings too (a typo is said before any work)
        try:
            load(settings)
        except SettingsError as exc:
            logger.error("feed_archive: %s", exc)
    quiet_feed_warnings(settings, state.config.archive_dir)
    show_progress()
    seal.check(settings, state)  # before Pelican opens its pickled cache
    _cache_guard(settings)
    cache = Path(settings.get("CACHE_PATH") or "cache")
    archive = os.path.join(settings.get("PATH") or "content", state.config.archive_dir)
    state.posts = PostFiles(archive, cache / POSTS_RECORD)
    state.output = OutputLog(
        settings["OUTPUT_PATH"], cache / MANIFEST_NAME, check=state.config.plan_check
    )
    outputs.begin(settings, state)


def plan_pages(generators: list[Any]) -> None:
    """all_generators_finalized hook: the plan of every page, before any page is written."""
    articles = next((g for g in generators if hasattr(g, "articles")), None)
    if articles is None:
        return
    state = BuildState.of(articles.settings)
    if state is None or state.timeline is None or not state.config.plan:
        return
    settings = articles.settings
    site = site_digest(settings, theme_folder(settings))
    state.plan = make_plan(
        site, state.timeline, articles.articles, settings, feed_items(settings), state.posts.digest
    )
    if state.changes is not None:
        plan_changes(state.plan, state.changes, feed_items(settings), state.posts.digest)


def end(pelican: Any) -> None:
    """finalized hook: remove stale files, finish the search, say the size; forget the run."""
    state = BuildState.of(pelican.settings)
    if state is None:
        return
    log = state.output
    removed: set[str] = set()
    if log is not None:
        before = set(log.changed)
        log.finish()
        removed = log.changed - before
        for rel in log.mismatches:
            logger.error("feed_archive: plan check: %s changed but its digest did not", rel)
        logger.info(
            "feed_archive: %s pages rendered, %s unchanged, %s removed",
            log.rendered,
            log.kept,
            log.removed,
        )
    search.wait(state)  # Pagefind reads the output: nothing is removed while it runs
    removed |= outputs.sweep(pelican.settings, state)
    search.finish(state, removed)  # a removed page in a month folder: its month indexed again
    outputs.record_bundle(pelican.settings, state)
    if state.posts is not None and state.plan is not None:
        state.posts.save()
    if state.timeline is not None:
        logger.info("%s", budget.summary(pelican.settings["OUTPUT_PATH"], state.timeline.items()))
    seal.sign(pelican.settings, state)  # last: it vouches for every file written before it
    pelican.feed_archive_build = state  # what the build did, for whoever ran it (tests, bench)
    state.end(pelican.settings)
