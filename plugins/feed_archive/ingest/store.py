"""Store: the archive on disk; finds posts by identity, writes atomically, never deletes."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

from filelock import FileLock, Timeout

from ..post import next_version_path, posts, version_files

logger = logging.getLogger(__name__)

LOCK_NAME = ".feed-archive.lock"
#: File names Windows refuses (whatever the extension): a clone of the archive must work there.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10))}
WINDOWS_RESERVED |= {f"lpt{n}" for n in range(10)}


class StoreError(Exception):
    """The archive cannot be read or written; the message names the file and the cause."""


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to `path` through a temporary file, fsync, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=path.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class Store:
    """The archive folder: `<root>/<feed>/<yyyy>/<mm>/<slug>-<key>.md`, one file per identity."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._index: dict[str, Path] | None = None

    def _scan(self) -> dict[str, Path]:
        index: dict[str, Path] = {}
        if self.root.is_dir():
            for path in posts(self.root):
                index.setdefault(path.stem.rsplit("-", 1)[-1], path)
        return index

    @property
    def index(self) -> dict[str, Path]:
        """Map of file key (the hex digest ending the name) -> path, from names alone."""
        if self._index is None:
            self._index = self._scan()
        return self._index

    def __len__(self) -> int:
        return len(self.index)

    def has(self, key: str) -> bool:
        """True when a file named by `key` is archived (nothing is read)."""
        return key in self.index

    def find(self, key: str) -> tuple[Path, str] | None:
        """The archived file named by `key` and its text, or None."""
        path = self.index.get(key)
        return None if path is None else (path, self.read(path))

    def read(self, path: Path) -> str:
        """The text of an archived file."""
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

    def path_for(self, feed_slug: str, date: str, slug: str) -> Path:
        """Where a new post goes: `<root>/<feed>/<yyyy>/<mm>/<slug>.md`, always inside the root."""
        year, month = date[:4], date[5:7]
        if not (year.isdigit() and month.isdigit()):
            year, month = "0000", "00"
        if feed_slug.split(".")[0].lower() in WINDOWS_RESERVED:
            feed_slug += "-feed"  # a folder named CON or NUL cannot be checked out on Windows
        path = self.root / feed_slug / year / month / f"{slug}.md"
        root = self.root.resolve()
        if root not in path.resolve().parents:
            raise StoreError(f"refusing to write outside the archive: {path}")
        return path

    def create(self, path: Path, text: str) -> None:
        """Write a new post; an existing file there is never overwritten (StoreError)."""
        if path.exists():
            raise StoreError(f"refusing to overwrite {path} with another item")
        self._write(path, text)
        self.index[path.stem.rsplit("-", 1)[-1]] = path

    def replace(self, path: Path, text: str) -> None:
        """Rewrite a post's current version (keep the old one with add_version first)."""
        self._write(path, text)

    def versions(self, path: Path) -> list[tuple[int, str]]:
        """The kept versions of a post with their texts, by number."""
        return [(number, self.read(version)) for number, version in version_files(path)]

    def add_version(self, path: Path, text: str) -> Path:
        """Keep `text` as the post's next version, numbered one past the highest kept."""
        target = next_version_path(path)
        if target.exists():
            raise StoreError(f"refusing to overwrite the kept version {target}")
        self._write(target, text)
        return target

    def _write(self, path: Path, text: str) -> None:
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc

    @contextlib.contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold the archive's lock; StoreError if another fetch keeps it longer than `timeout`."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {self.root}: {exc.strerror or exc}") from exc
        lock = FileLock(str(self.root / LOCK_NAME))
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise StoreError(
                f"another fetch is running on {self.root} (lock {LOCK_NAME}); try again later"
            ) from None
        except OSError as exc:
            raise StoreError(f"cannot lock {self.root}: {exc.strerror or exc}") from exc
        try:
            yield
        finally:
            lock.release()


def read_json_table(path: Path, what: str) -> dict[str, dict[str, Any]]:
    """A JSON object of objects from `path`; missing or unreadable gives {} (with a warning)."""
    try:
        loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable %s %s (%s)", what, path, exc)
        return {}
    if not isinstance(loaded, dict):
        logger.warning("ignoring %s %s: not a JSON object", what, path)
        return {}
    return {k: v for k, v in loaded.items() if isinstance(v, dict)}


class State:
    """Per feed: conditional-GET validators, and the kept versions its last fetch served once.

    A small JSON file; losing it loses nothing (one more full download, one more fetch before a
    version the feed went back to is current again).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.data: dict[str, dict[str, Any]] = read_json_table(self.path, "state file")
        self._saved = json.dumps(self.data, sort_keys=True)

    def get(self, key: str) -> dict[str, str]:
        """The validators remembered for one feed."""
        values = self.data.get(key, {})
        return {k: v for k, v in values.items() if k in _VALIDATORS and isinstance(v, str)}

    def _update(self, key: str, **values: Any) -> None:
        entry = {**self.data.get(key, {}), **values}
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            self.data[key] = entry
        else:
            self.data.pop(key, None)

    def set(self, key: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a feed's validators (or forget them when the server sent none)."""
        self._update(key, etag=etag, last_modified=last_modified)

    def pending(self, key: str) -> dict[str, str]:
        """item key -> version key: kept versions the feed's last fetch served once."""
        found = self.data.get(key, {}).get("pending")
        if not isinstance(found, dict):
            return {}
        return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}

    def set_pending(self, key: str, pending: dict[str, str]) -> None:
        """Remember what the feed's fetch served once, for its next fetch."""
        self._update(key, pending=dict(sorted(pending.items())))

    def listed(self, key: str) -> dict[str, str]:
        """post (relative path) -> publication date: what the feed's last document listed."""
        found = self.data.get(key, {}).get("listed")
        if not isinstance(found, dict):
            return {}
        return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, str)}

    def set_listed(self, key: str, listed: dict[str, str]) -> None:
        """Remember what the feed's document listed, for its next fetch."""
        self._update(key, listed=dict(sorted(listed.items())))

    def link_cursor(self) -> str:
        """The post the next link checks start from (relative path; "" for the first)."""
        found = self.data.get(LINK_CHECKS, {}).get("next")
        return found if isinstance(found, str) else ""

    def set_link_cursor(self, rel: str) -> None:
        """Remember where the next link checks start."""
        self._update(LINK_CHECKS, next=rel)

    def save(self) -> None:
        """Write the file atomically, only when something changed."""
        text = json.dumps(self.data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        if json.dumps(self.data, sort_keys=True) == self._saved:
            return
        try:
            write_atomic(self.path, text)
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        self._saved = json.dumps(self.data, sort_keys=True)


_VALIDATORS = ("etag", "last_modified")
#: The state file's entry for the link checks' rotation (feeds' entries are `slug@digest`).
LINK_CHECKS = "link-checks"
