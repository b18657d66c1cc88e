"""Sources: the feeds imported from OPML, kept in FEED_ARCHIVE_SOURCES_FILE (JSON); reads only.

The file is part of the settings: `settings.load` merges its feeds with FEED_ARCHIVE_SOURCES.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

from ..post import collapse


class SourcesFileError(ValueError):
    """The sources file cannot be read; the message names it and says why."""


def url_key(url: str) -> str:
    """A URL's comparison key: scheme and host lowercased, no default port, no trailing slash."""
    url = collapse(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # e.g. "http://[x/feed": compare it as written
        return url
    if not parts.scheme or not parts.netloc:
        return url
    host = (parts.hostname or "").lower()
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def sources_file_path(name: str, content: Path) -> Path:
    """Where the sources file `name` is: a relative name starts beside the `content` folder."""
    path = Path(str(name or ""))
    if path.is_absolute() or not str(path):
        return path
    return Path(content).resolve().parent / path


def load_sources_file(path: Path) -> list[dict[str, Any]]:
    """The sources kept in the sources file ([] when it does not exist)."""
    if not str(path) or not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        cause = collapse(str(exc))[:120]
        raise SourcesFileError(f"{path}: unreadable sources file ({cause})") from exc
    if isinstance(data, dict):
        data = data.get("sources")
    if not isinstance(data, list) or not all(isinstance(s, dict) for s in data):
        raise SourcesFileError(f"{path}: expected a JSON list of sources")
    return data


def merge_sources(configured: Iterable[Any], from_file: Iterable[Mapping[str, Any]]) -> list[Any]:
    """Configured sources, then the file's sources whose URL is not configured already."""
    merged_list = list(configured)
    seen = {
        url_key(str((s.get("url") if isinstance(s, Mapping) else s) or "")) for s in merged_list
    }
    for source in from_file:
        key = url_key(str(source.get("url") or ""))
        if key and key not in seen:
            seen.add(key)
            merged_list.append(dict(source))
    return merged_list
