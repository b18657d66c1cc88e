"""Store: the archive on disk; finds posts by identity, writes atomically, never deletes."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Iterator

from filelock import FileLock, Timeout

from .render import key_of, metadata_html, read_header

logger = logging.getLogger(__name__)

LOCK_NAME = ".feed-archive.lock"
VERSIONS_SUFFIX = ".versions"
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
        if not self.root.is_dir():
            return index
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.endswith(VERSIONS_SUFFIX) and not d.startswith(".")]
            for name in files:
                if name.endswith(".md") and not name.startswith("."):
                    key = name[:-3].rsplit("-", 1)[-1]
                    index.setdefault(key, Path(folder) / name)
        return index

    @property
    def index(self) -> dict[str, Path]:
        """Map of file key -> path, built once from file names (no file is read)."""
        if self._index is None:
            self._index = self._scan()
        return self._index

    def __len__(self) -> int:
        return len(self.index)

    def lookup(self, identity: str) -> tuple[str, Path | None, str | None]:
        """The key for `identity`, and the archived file and its text if the item is archived."""
        key = key_of(identity)
        for length in (12, 24):
            key = key_of(identity, length)
            path = self.index.get(key)
            if path is None:
                return key, None, None
            text = self.read(path)
            guid = read_header(text).get("guid", "")
            if guid == _guid_value(identity):
                return key, path, text
            logger.warning("file key collision on %s; using a longer key", path)
        raise StoreError(f"{path}: key collision for identity {identity!r}")

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

    def write(self, path: Path, text: str, previous: str | None = None) -> None:
        """Write a post atomically; when it replaces `previous`, keep that version beside it."""
        try:
            if previous is not None:
                versions = path.with_name(path.stem + VERSIONS_SUFFIX)
                number = len(list(versions.glob("*.md.txt"))) + 1 if versions.is_dir() else 1
                write_atomic(versions / f"{number:03d}.md.txt", previous)
            write_atomic(path, text)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        key = path.stem.rsplit("-", 1)[-1]
        self.index[key] = path

    def versions(self, path: Path) -> list[str]:
        """The texts of the earlier versions kept beside a post, oldest first."""
        folder = path.with_name(path.stem + VERSIONS_SUFFIX)
        if not folder.is_dir():
            return []
        return [self.read(p) for p in sorted(folder.glob("*.md.txt"))]

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


def _guid_value(identity: str) -> str:
    return metadata_html(identity)


def read_json_table(path: Path, what: str) -> dict:
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
    """Conditional-GET validators per feed, in a small JSON file; losing it loses nothing."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.data: dict[str, dict[str, str]] = read_json_table(self.path, "state file")
        self._saved = dict(self.data)

    def get(self, key: str) -> dict[str, str]:
        """The validators remembered for one feed."""
        return dict(self.data.get(key, {}))

    def set(self, key: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a feed's validators (or forget them when the server sent none)."""
        values = {k: v for k, v in (("etag", etag), ("last_modified", last_modified)) if v}
        if values:
            self.data[key] = values
        else:
            self.data.pop(key, None)

    def save(self) -> None:
        """Write the file atomically, only when something changed."""
        if self.data == self._saved:
            return
        text = json.dumps(self.data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            write_atomic(self.path, text)
        except OSError as exc:
            raise StoreError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        self._saved = dict(self.data)
