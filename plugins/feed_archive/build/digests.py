"""Digests: what a page depends on beyond the posts it shows, as bytes.

The site digest covers everything that can change any page: the settings (but those that
change no output: paths, caches, workers), the theme's templates and translations, the
plugin's code, the name and version of every installed distribution (a new Babel, Jinja or
typogrify changes pages too) and Python's version. Posts have their own (postfiles.py).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping

#: Settings that change no byte of the output (where things are, how fast they are made).
NEUTRAL = frozenset(
    {
        "PATH",
        "OUTPUT_PATH",
        "CACHE_PATH",
        "THEME",
        "PLUGIN_PATHS",
        "CACHE_CONTENT",
        "LOAD_CONTENT_CACHE",
        "CONTENT_CACHING_LAYER",
        "CHECK_MODIFIED_METHOD",
        "GZIP_CACHE",
        "DELETE_OUTPUT_DIRECTORY",
        "DEBUG",
        "FEED_ARCHIVE_WORKERS",
        "FEED_ARCHIVE_PARALLEL_MIN",
        "FEED_ARCHIVE_PLAN",
        "FEED_ARCHIVE_PLAN_CHECK",
        "FEED_ARCHIVE__BUILD",
    }
)
PLUGIN = Path(__file__).resolve().parent.parent


def digest(*parts: bytes) -> bytes:
    """A 16-byte digest of the parts (each length-prefixed, so no two lists collide)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.digest()


def stable(value: Any) -> str:
    """A setting as text: its repr when stable, the qualified name of functions and types."""
    if callable(value):
        name = getattr(value, "__qualname__", type(value).__name__)
        return f"{getattr(value, '__module__', '')}.{name}"
    if isinstance(value, Mapping):
        pairs = sorted(value.items(), key=lambda pair: repr(pair[0]))
        return "{" + ",".join(f"{k!r}:{stable(v)}" for k, v in pairs) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(stable(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(stable(v) for v in value)) + "}"
    text = repr(value)
    return type(value).__qualname__ if " at 0x" in text else text


def settings_parts(settings: Mapping[str, Any]) -> list[bytes]:
    """The settings that can change the output, as bytes."""
    return [f"{k}={stable(settings[k])}".encode() for k in sorted(settings) if k not in NEUTRAL]


def files_parts(folder: Path, pattern: str = "*") -> list[bytes]:
    """Every file under `folder` matching `pattern`: its relative name and bytes."""
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return [str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() for p in files]


def distributions() -> list[bytes]:
    """The name and version of every installed distribution, and Python's version."""
    found = {
        f"{dist.metadata['Name'] or ''}=={dist.version}"
        for dist in importlib.metadata.distributions()
    }
    return [sys.version.encode(), *(name.encode() for name in sorted(found))]


def site_digest(settings: Mapping[str, Any], theme: Path) -> bytes:
    """The digest of everything but the posts that a page of this site can depend on."""
    return digest(
        b"site",
        *settings_parts(settings),
        *files_parts(theme / "templates"),
        *files_parts(theme / "translations"),
        *files_parts(PLUGIN, "*.py"),
        *distributions(),
    )


def of_keys(label: str, keys: Iterable[bytes | str]) -> bytes:
    """A digest of a label and a sequence of keys or texts (a page's inputs)."""
    return digest(label.encode(), *(k if isinstance(k, bytes) else k.encode() for k in keys))
