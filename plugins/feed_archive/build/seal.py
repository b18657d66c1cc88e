"""Seal: a build trusts a restored cache and output only with the key that sealed them.

The GitHub workflow restores `cache/` (Pelican's content cache is pickled: loading it runs
code) and `output/` from actions/cache, which other workflows of the repository can write.
With the key in the environment (`FEED_ARCHIVE_CACHE_KEY`, a repository secret), `sign` ends
each build by writing `SEAL` in CACHE_PATH: the SHA-256 of every file of both folders,
authenticated with HMAC-SHA256 under the key. `check` runs when the next build starts, before
Pelican opens its cache: a seal that does not verify, or one file added, changed or missing,
and both folders are emptied, so the build starts clean and nothing restored is read (a folder
that is itself a symbolic link is never trusted, and removed as a link, never followed).
Without the key (a local build) nothing is checked or written: a machine trusts its own cache.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .outputs import foreign, is_relative
from .state import BuildState
from .tree import walk

logger = logging.getLogger(__name__)

#: The environment variable that holds the key (the workflow sets it from a secret).
KEY_ENV = "FEED_ARCHIVE_CACHE_KEY"
SEAL = "feed_archive-seal.json"
FORMAT = 1
#: Domain separation: the MAC of this format's file list, never of anything else.
_CONTEXT = b"feed_archive seal 1\0"


@dataclass
class Sealed:
    """The key of this build and the digests `check` computed (reused by `sign`)."""

    key: bytes
    #: "cache/<path>" or "output/<path>" -> ((inode, size, mtime, ctime), sha256 hex)
    digests: dict[str, tuple[tuple[int, int, int, int], str]]


def _folders(settings: Mapping[str, Any]) -> dict[str, str]:
    return {
        "cache": os.path.abspath(settings.get("CACHE_PATH") or "cache"),
        "output": os.path.abspath(settings["OUTPUT_PATH"]),
    }


def _stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _digest(path: str) -> str:
    """SHA-256 of a file's bytes, or of a symbolic link's target (never followed); "" if gone."""
    try:
        if os.path.islink(path):
            return hashlib.sha256(b"symlink\0" + os.fsencode(os.readlink(path))).hexdigest()
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return ""


def _present(settings: Mapping[str, Any]) -> dict[str, tuple[str, os.stat_result]]:
    """Every file of both folders but the seal: "cache/<path>" -> (full path, stat)."""
    found = {}
    for label, folder in _folders(settings).items():
        for rel, info in walk(folder).items():
            if label == "cache" and rel in (SEAL, SEAL + ".tmp"):
                continue
            found[f"{label}/{rel}"] = (os.path.join(folder, rel), info)
    return found


def _mac(key: bytes, files: Mapping[str, str]) -> str:
    text = json.dumps(files, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, _CONTEXT + text, hashlib.sha256).hexdigest()


def _sealed_files(path: Path, key: bytes) -> tuple[dict[str, str] | None, str]:
    """The file digests of a seal that verifies under `key`, else None and why not."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "no seal"
    except (OSError, ValueError) as exc:
        return None, f"unreadable seal ({exc})"
    if not isinstance(data, dict):
        return None, "not a seal"
    files, mac = data.get("files"), data.get("mac")
    if (
        data.get("format") != FORMAT
        or not isinstance(files, dict)
        or not isinstance(mac, str)
        or not all(is_relative(name) and isinstance(d, str) for name, d in files.items())
    ):
        return None, "not a seal"
    if not hmac.compare_digest(mac, _mac(key, files)):
        return None, "the seal does not verify under this key"
    return files, ""


def _empty(settings: Mapping[str, Any]) -> None:
    """Empty the cache and output folders (never one that holds anything else); a folder that
    is a symbolic link is removed as a link: what it points at is never touched."""
    for name, folder in (("CACHE_PATH", "cache"), ("OUTPUT_PATH", "output")):
        folder = _folders(settings)[folder]
        if os.path.islink(folder):
            os.unlink(folder)
            continue
        other = foreign(settings, name)
        if other is not None:
            logger.error("feed_archive: %s holds %s too: not emptied", folder, other)
            continue
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)


def check(settings: Mapping[str, Any], state: BuildState) -> None:
    """initialized: with the key, keep the restored folders only if the seal vouches for them."""
    key = os.environ.get(KEY_ENV, "")
    if not key:
        return
    sealed = Sealed(key.encode("utf-8"), {})
    state.seal = sealed
    links = [path for path in _folders(settings).values() if os.path.islink(path)]
    present = {} if links else _present(settings)
    if not present and not links:
        return  # nothing restored: a first build
    if links:
        files, reason = None, f"{links[0]} is a symbolic link"
    else:
        files, reason = _sealed_files(Path(_folders(settings)["cache"]) / SEAL, sealed.key)
    if files is not None:
        digests = {name: (_stamp(info), _digest(path)) for name, (path, info) in present.items()}
        changed = sorted(
            name
            for name in set(files) | set(digests)
            if name not in digests or files.get(name) != digests[name][1]
        )
        if not changed:
            sealed.digests = digests
            return
        more = f" and {len(changed) - 1} more" if len(changed) > 1 else ""
        reason = f"{changed[0]}{more} not as sealed"
    folders = _folders(settings)
    logger.warning(
        "feed_archive: restored %s and %s not trusted (%s): emptied, building clean",
        folders["cache"],
        folders["output"],
        reason,
    )
    _empty(settings)


def sign(settings: Mapping[str, Any], state: BuildState) -> None:
    """finalized, last: with the key, seal what the cache and output folders now hold."""
    sealed: Sealed | None = state.seal
    if sealed is None:
        return
    files = {}
    for name, (path, info) in sorted(_present(settings).items()):
        known = sealed.digests.get(name)
        files[name] = known[1] if known and known[0] == _stamp(info) else _digest(path)
    seal = Path(_folders(settings)["cache"]) / SEAL
    data = {"format": FORMAT, "files": files, "mac": _mac(sealed.key, files)}
    try:
        seal.parent.mkdir(parents=True, exist_ok=True)
        temporary = seal.with_name(SEAL + ".tmp")
        temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, seal)
    except OSError as exc:
        logger.warning("feed_archive: cannot save %s (%s)", seal, exc)
