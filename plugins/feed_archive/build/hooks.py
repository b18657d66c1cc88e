"""Build hooks: what the plugin does while Pelican builds the site (never fetches anything)."""

from __future__ import annotations

import logging
import os
from typing import Any

from ..post import protect_local, restore_local, sanitize
from ..settings import SettingsError, load, merged

logger = logging.getLogger(__name__)


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


def quiet_feed_warnings(pelican: Any) -> None:
    """initialized hook: no empty-alt warning for feed images (one filter per process)."""
    readers_log = logging.getLogger("pelican.readers")
    for old in [f for f in readers_log.filters if isinstance(f, _FeedImageAltFilter)]:
        readers_log.removeFilter(old)
    folder = merged(pelican.settings)["FEED_ARCHIVE_DIR"]
    root = os.path.abspath(os.path.join(pelican.settings.get("PATH") or "content", folder))
    readers_log.addFilter(_FeedImageAltFilter(root + os.sep))


def show_progress(pelican: Any) -> None:
    """initialized hook: the plugin's counts (items read, pages written, search) are shown.

    Pelican logs warnings only by default; the plugin's INFO lines are its progress report,
    so they are let through unless Pelican runs quieter (`-q`) or the logger is configured.
    """
    plugin_log = logging.getLogger("feed_archive")
    if plugin_log.level == logging.NOTSET and logging.getLogger().level <= logging.WARNING:
        plugin_log.setLevel(logging.INFO)


def check_settings(pelican: Any) -> None:
    """Validate FEED_ARCHIVE_* at start-up so a typo is reported before any work."""
    try:
        load(pelican.settings)
    except SettingsError as exc:
        logger.error("feed_archive: %s", exc)


#: (HTML, source) -> the HTML after safe_html, computed ahead by the read workers of this build.
SANITIZED: dict[tuple[str, str | None], str] = {}


def safe_html(html: str, source: str | None) -> str:
    """An archived post's HTML after one more sanitizer pass (local images kept)."""
    return restore_local(sanitize(protect_local(html), source))


def sanitize_archived_content(content: Any) -> None:
    """Sanitize the HTML of archived posts once more after Markdown: defence in depth."""
    metadata = getattr(content, "metadata", {}) or {}
    if "feed" not in metadata or not getattr(content, "_content", None):
        return
    key = (content._content, metadata.get("source") or None)
    found = SANITIZED.pop(key, None)
    content._content = found if found is not None else safe_html(*key)
