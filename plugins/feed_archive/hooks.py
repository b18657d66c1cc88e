"""Build hooks: what the plugin does while Pelican builds the site (never fetches anything)."""

from __future__ import annotations

import logging
from typing import Any

from . import clean, images
from .settings import SettingsError, load

logger = logging.getLogger(__name__)


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
    return images.restore_local(clean.sanitize(images.protect_local(html), source))


def sanitize_archived_content(content: Any) -> None:
    """Sanitize the HTML of archived posts once more after Markdown: defence in depth."""
    metadata = getattr(content, "metadata", {}) or {}
    if "feed" not in metadata or not getattr(content, "_content", None):
        return
    key = (content._content, metadata.get("source") or None)
    found = SANITIZED.pop(key, None)
    content._content = found if found is not None else safe_html(*key)
