"""Images: a post's remote image URLs -> local content-addressed copies (opt-in per feed).

Markdown body in, Markdown body out (images pointing at `{static}/<images dir>/ab/<sha256>.<ext>`,
the original URL kept as the image title). Downloads through fetch.py with its limits and a
netguard Gate (no private address unless allowed); only JPEG, PNG, GIF, WebP and AVIF files
(checked by their first bytes) are kept; never deletes. The index, committed with the posts,
holds each URL's local path, or a bare `failed` mark: the reason only goes to the log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..post import is_absolute_http
from . import fetch as fetching
from .netguard import Gate
from .store import read_json_table, write_atomic

logger = logging.getLogger(__name__)

#: The index of downloaded (and failed) image URLs, beside the fetch state in the archive folder.
INDEX_NAME = ".feed-archive-images.json"
#: An index entry for a URL that could not be kept (retried only once its entry is deleted).
FAILED = {"failed": True}
EXTENSIONS = ("jpg", "png", "gif", "webp", "avif")
#: A Markdown image as markdownify writes it: ![alt](url "title").
_MARKDOWN_IMAGE = re.compile(
    r'!\[(?P<alt>(?:\\.|[^\\\]])*)\]\((?P<src>[^\s()]+)(?:\s+"(?P<title>(?:\\.|[^"\\])*)")?\)'
)


def sniff(data: bytes) -> str | None:
    """The file extension for image bytes of an allowed type, from their magic bytes; else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp":
        size = int.from_bytes(data[:4], "big")
        box = data[8 : max(16, min(size, 64))]
        brands = {box[i : i + 4] for i in range(0, len(box), 4)}
        if brands & {b"avif", b"avis"}:
            return "avif"
    return None


def content_dir(config: Any) -> Path:
    """The content folder (PATH): the archive root minus FEED_ARCHIVE_DIR."""
    parts = Path(str(config.raw.get("FEED_ARCHIVE_DIR") or "archive")).parts
    return Path(config.archive_root).parents[len(parts) - 1]


@dataclass
class Localizer:
    """Downloads one feed's images during one fetch run, within the per-feed byte budget."""

    content: Path
    images_dir: str
    index_path: Path
    limits: fetching.Limits
    feed_budget: int
    feed: str = ""
    gate: Gate = field(default_factory=Gate)
    spent: int = 0
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    changed: bool = False
    budget_logged: bool = False

    @classmethod
    def for_source(cls, config: Any, source: Any) -> Localizer:
        """A Localizer with the settings of `config` for the feed `source`."""
        raw = config.raw
        timeout = float(raw.get("FEED_ARCHIVE_IMAGE_TIMEOUT") or 10.0)
        limits = fetching.Limits(
            timeout=timeout,
            total_timeout=timeout * 3,
            max_bytes=int(raw.get("FEED_ARCHIVE_IMAGE_MAX_BYTES") or 5 * 1024 * 1024),
            max_redirects=config.max_redirects,
            user_agent=config.user_agent,
        )
        localizer = cls(
            content=content_dir(config),
            images_dir=str(raw.get("FEED_ARCHIVE_IMAGES_DIR") or "images/archive").strip("/"),
            index_path=Path(config.archive_root) / INDEX_NAME,
            limits=limits,
            feed_budget=int(raw.get("FEED_ARCHIVE_IMAGES_FEED_MAX_BYTES") or 0),
            feed=source.name,
            gate=Gate(allowed=config.allow_private_networks),
        )
        localizer.load()
        return localizer

    def load(self) -> None:
        """Read the URL index (a missing or broken index only means downloading again); an
        entry written by an earlier version (with a failure's reason, a size) is cut down to
        what is kept now, and saved so at the next save."""
        self.index = {}
        for url, entry in read_json_table(self.index_path, "images index").items():
            kept = _entry(entry)
            self.index[url] = kept
            self.changed |= kept != entry

    def save(self) -> None:
        """Write the URL index atomically when it changed."""
        if not self.changed:
            return
        text = json.dumps(self.index, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(self.index_path, text)
        self.changed = False

    def local_path(self, url: str) -> str | None:
        """The archived copy of `url` (relative to content/), downloading it if needed."""
        known = self.index.get(url)
        if known and known.get("path"):
            relative = f"{self.images_dir}/{known['path']}"
            if (self.content / relative).is_file():
                return relative
        elif known and known.get("failed"):
            return None  # failed before, and said so then
        if not is_absolute_http(url):
            return None
        remaining = self.feed_budget - self.spent if self.feed_budget else None
        if remaining is not None and remaining <= 0:
            self._budget_exhausted()
            return None
        limit = (
            self.limits.max_bytes if remaining is None else min(self.limits.max_bytes, remaining)
        )
        limits = dataclasses.replace(self.limits, max_bytes=limit)
        try:
            result = fetching.fetch(url, limits, gate=self.gate)
            data = result.content
            if result.not_modified or not data:
                raise fetching.FetchError("empty answer")
            kind = sniff(data)
            if kind is None:
                declared = (result.content_type or "unknown type").split(";")[0]
                raise fetching.FetchError(f"not a JPEG/PNG/GIF/WebP/AVIF image ({declared})")
        except fetching.FetchError as exc:
            if remaining is not None and limit < self.limits.max_bytes and "larger" in str(exc):
                self._budget_exhausted()
                return None
            reason = str(exc).replace("feed larger", "image larger")
            self.index[url] = dict(FAILED)  # the reason is for the log, not for the site
            self.changed = True
            logger.warning(
                "images: %s: cannot keep %s (%s); the post keeps the remote URL",
                self.feed,
                url,
                reason,
            )
            return None
        digest = hashlib.sha256(data).hexdigest()
        name = f"{digest[:2]}/{digest}.{kind}"
        target = self.content / self.images_dir / name
        if not target.exists():
            write_atomic(target, data)
        self.spent += len(data)
        self.index[url] = {"path": name}
        self.changed = True
        return f"{self.images_dir}/{name}"

    def _budget_exhausted(self) -> None:
        if not self.budget_logged:
            logger.warning(
                "images: %s: per-feed image budget of %s bytes reached; other images stay remote",
                self.feed,
                self.feed_budget,
            )
            self.budget_logged = True

    def localize(self, body: str) -> str:
        """`body` with every archived image pointing at its local copy (original URL as title)."""

        def replace(match: re.Match[str]) -> str:
            url = match.group("src")
            local = self.local_path(url)
            if local is None:
                return match.group(0)
            title = match.group("title")
            kept = f"{title} — {url}" if title else url
            return f'![{match.group("alt")}]({{static}}/{local} "{kept}")'

        return _MARKDOWN_IMAGE.sub(replace, body) if "![" in body else body


def _entry(entry: Any) -> dict[str, Any]:
    """An index entry as this version writes it: the local path, or the failed mark."""
    if isinstance(entry, dict) and isinstance(entry.get("path"), str) and entry["path"]:
        return {"path": entry["path"]}
    return dict(FAILED)


def localize_post(post: Any, localizer: Localizer | None) -> Any:
    """The post with its images archived, when the feed asked for it (else the post as is)."""
    if localizer is None:
        return post
    body = localizer.localize(post.body)
    return post if body == post.body else dataclasses.replace(post, body=body)
