"""Outputs: the files a build makes; at its end, anything else in the output folder is removed.

A file is the build's when the build wrote it (it is new, or its change time moved since the
build started: pages, feeds, Pelican's theme and static files, the search bundle, what other
plugins write) or kept it without writing it again: pages and feeds the plan skipped (the
writer's record), static files Pelican found up to date, theme files, and the files of search
indexes kept as they were (listed with their sizes and mtimes in `SEARCH_FILES` in CACHE_PATH).
`sweep` removes every other file, symbolic links included (never followed), and the folders
left empty. Nothing is removed from an output folder that also holds the content, the theme,
the cache, the plugins or the working directory.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from .search import BUNDLE
from .state import BuildState
from .tree import walk

logger = logging.getLogger(__name__)

#: The search bundle's files after the last build: {"format": 1, "files": {path: [size, mtime]}}.
SEARCH_FILES = "feed_archive-search-files.json"
FORMAT = 1


@dataclass
class Outputs:
    """What the output folder held when the build started, and what the build kept."""

    folder: str
    #: output-relative path -> (inode, change time in ns) of every file when the build started
    before: dict[str, tuple[int, int]]
    #: search bundle files of the last build: output-relative path -> [size, mtime in ns]
    bundle: dict[str, list[int]]
    #: static files of this build (Pelican's `save_as`), written or found up to date
    statics: set[str] = field(default_factory=set)
    #: the files `sweep` removed (output-relative paths)
    removed: set[str] = field(default_factory=set)


def is_relative(path: Any) -> bool:
    """True for a plain relative path that stays inside its folder (no "..", no root)."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return False
    parts = path.split("/")
    return not path.startswith("/") and all(part not in ("", ".", "..") for part in parts)


def foreign(settings: Mapping[str, Any], name: str = "OUTPUT_PATH") -> str | None:
    """What else the folder of setting `name` holds: the content, theme, cache, output,
    plugins or working directory (None when it holds none of them: files may be removed)."""
    mine = os.path.realpath(settings.get(name) or "")
    names = ("PATH", "THEME", "CACHE_PATH", "OUTPUT_PATH")
    others = [settings.get(other) for other in names if other != name]
    others += [os.curdir, *(settings.get("PLUGIN_PATHS") or ())]
    for other in others:
        if other and isinstance(other, str):
            path = os.path.realpath(other)
            if os.path.commonpath([mine, path]) == mine:
                return path
    return None


def _load_bundle(record: Path) -> dict[str, list[int]] | None:
    """The search files record (None when there is none usable; one line when malformed)."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        logger.warning("feed_archive: %s ignored (%s)", record, exc)
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("format") == FORMAT else None
    if not isinstance(files, dict) or not all(
        is_relative(name)
        and isinstance(value, list)
        and len(value) == 2
        and all(type(n) is int for n in value)
        for name, value in files.items()
    ):
        logger.warning("feed_archive: %s ignored (not a record of search files)", record)
        return None
    return {f"{BUNDLE}/{name}": value for name, value in files.items()}


def _check_bundle(folder: str, record: Path) -> dict[str, list[int]]:
    """The last build's search files, when the bundle on disk still holds them as recorded.

    Else (no usable record, a recorded file gone or changed) the bundle is removed, so this
    build indexes everything again rather than keep an index it cannot vouch for.
    """
    bundle = os.path.join(folder, BUNDLE)
    if not os.path.isdir(bundle):
        return {}
    known = _load_bundle(record)
    present = {f"{BUNDLE}/{name}": info for name, info in walk(bundle).items()}
    if known is not None and all(
        rel in present and [present[rel].st_size, present[rel].st_mtime_ns] == value
        for rel, value in known.items()
    ):
        return known
    logger.info("feed_archive: search bundle not as the last build left it: indexed again")
    shutil.rmtree(bundle, ignore_errors=True)
    return {}


def _search_record(settings: Mapping[str, Any]) -> Path:
    return Path(settings.get("CACHE_PATH") or "cache") / SEARCH_FILES


def begin(settings: Mapping[str, Any], state: BuildState) -> None:
    """initialized (from content.begin): note what the output folder holds as the build starts."""
    folder = os.path.abspath(settings["OUTPUT_PATH"])
    if foreign(settings) is not None:
        return
    bundle = _check_bundle(folder, _search_record(settings))
    before = {rel: (info.st_ino, info.st_ctime_ns) for rel, info in walk(folder).items()}
    state.outputs = Outputs(folder, before, bundle)


def note_statics(generator: Any) -> None:
    """static_generator_finalized hook: the static files this build puts in the output."""
    state = BuildState.of(generator.settings)
    if state is not None and isinstance(state.outputs, Outputs):
        state.outputs.statics.update(str(sc.save_as) for sc in generator.staticfiles)


def theme_files(settings: Mapping[str, Any]) -> set[str]:
    """Output-relative paths of the theme's static files, as Pelican copies them."""
    theme = str(settings.get("THEME") or "")
    target = os.path.normpath(str(settings.get("THEME_STATIC_DIR") or "theme"))
    ignores = list(settings.get("IGNORE_FILES") or ())

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, pattern) for pattern in ignores)

    found: set[str] = set()
    for path in settings.get("THEME_STATIC_PATHS") or ():
        source = os.path.join(theme, path)
        if ignored(os.path.basename(source)):
            continue
        if os.path.isfile(source):
            found.add(os.path.join(target, os.path.basename(path)))
            continue
        for folder, subfolders, names in os.walk(source, followlinks=True):
            subfolders[:] = [s for s in subfolders if not ignored(s)]
            relative = os.path.relpath(folder, source)
            for name in names:
                if not ignored(name) and os.path.isfile(os.path.join(folder, name)):
                    found.add(os.path.normpath(os.path.join(target, relative, name)))
    return {path.replace(os.sep, "/") for path in found}


def made(settings: Mapping[str, Any], state: BuildState, present: dict[str, Any]) -> set[str]:
    """The files of `present` (output-relative path -> stat) that this build made or kept."""
    outputs: Outputs = state.outputs
    kept = set(state.output.current) if state.output is not None else set()
    kept |= outputs.statics | theme_files(settings)
    retained = set(settings.get("OUTPUT_RETENTION") or ())
    search = state.config.search
    found = set()
    for rel, info in present.items():
        before = outputs.before.get(rel)
        recorded = outputs.bundle.get(rel) if search else None
        if (
            rel in kept
            or before != (info.st_ino, info.st_ctime_ns)
            or recorded == [info.st_size, info.st_mtime_ns]
            or rel.split("/", 1)[0] in retained
        ):
            found.add(rel)
    return found


def _remove_empty_folders(
    folder: str, folders: list[str], files: Iterable[str], retained: Iterable[str]
) -> None:
    """Remove the `folders` that hold none of `files` (relative paths), deepest first; never
    one of OUTPUT_RETENTION's. Only folders left empty are tried: no failing call per folder."""
    full: set[str] = set()
    for rel in files:
        parent = rel.rpartition("/")[0]
        while parent and parent not in full:
            full.add(parent)
            parent = parent.rpartition("/")[0]
    keep = set(retained)
    for rel in sorted(set(folders) - full, key=lambda name: -name.count("/")):
        if rel.split("/", 1)[0] not in keep:
            try:
                os.rmdir(os.path.join(folder, rel))
            except OSError:
                continue


def sweep(settings: Mapping[str, Any], state: BuildState) -> set[str]:
    """Remove from the output every file this build did not make; return their paths."""
    folder = os.path.abspath(settings["OUTPUT_PATH"])
    other = foreign(settings)
    if other is not None:
        logger.warning("feed_archive: %s holds %s too: nothing is removed from it", folder, other)
    if other is not None or not isinstance(state.outputs, Outputs):
        return set()
    folders: list[str] = []
    present = walk(folder, folders)
    removed = set(present) - made(settings, state, present)
    for rel in sorted(removed):
        try:
            os.unlink(os.path.join(folder, rel))
        except OSError as exc:
            logger.warning("feed_archive: cannot remove %s (%s)", rel, exc)
    retained = settings.get("OUTPUT_RETENTION") or ()
    _remove_empty_folders(folder, folders, set(present) - removed, retained)
    state.outputs.removed = removed
    logger.info(
        "feed_archive: %s files not made by this build removed from %s%s",
        len(removed),
        folder,
        f" ({', '.join(sorted(removed)[:3])}{', …' if len(removed) > 3 else ''})"
        if removed
        else "",
    )
    return removed


def record_bundle(settings: Mapping[str, Any], state: BuildState) -> None:
    """Save the search bundle's files (sizes, mtimes) for the next build; after the search."""
    if not isinstance(state.outputs, Outputs):
        return
    bundle = os.path.join(state.outputs.folder, BUNDLE)
    files = {rel: [i.st_size, i.st_mtime_ns] for rel, i in sorted(walk(bundle).items())}
    record = _search_record(settings)
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        temporary = record.with_suffix(".tmp")
        temporary.write_text(json.dumps({"format": FORMAT, "files": files}), encoding="utf-8")
        os.replace(temporary, record)
    except OSError as exc:
        logger.warning("feed_archive: cannot save %s (%s)", record, exc)
