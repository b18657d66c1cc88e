"""Search: built site -> output/pagefind/ with the Pagefind CLI; never touches content/."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Collection

from ..settings import merged
from .memo import build_workers

logger = logging.getLogger(__name__)

#: Folder of the search bundle inside the output; the search page loads {SITEURL}/pagefind/.
BUNDLE = "pagefind"
#: Lists the bundle's indexes for the search page: the first is loaded, the others merged.
MANIFEST = "indexes.json"
#: Article pages live under <yyyy>/<mm>/<dd>/<slug>/ (ARTICLE_URL): only they are indexed.
YEAR_FOLDER = re.compile(r"^\d{4}$")
MONTH_FOLDER = re.compile(r"^\d{2}$")


class SearchIndexError(RuntimeError):
    """Indexing failed; the message is one line saying why."""


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    pages: int
    seconds: float
    bundle: Path
    indexes: tuple[str, ...] = ()
    #: The indexes this run rebuilt (all of them unless `changed` was given).
    redone: tuple[str, ...] = ()


def pagefind_binary() -> Path:
    """Path of the pagefind executable shipped by the `pagefind[bin]` PyPI package."""
    try:
        import pagefind_bin
    except ImportError as exc:
        raise SearchIndexError(
            "pagefind is not installed: run `.venv/bin/pip install 'pagefind[bin]'`"
        ) from exc
    try:
        return Path(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError) as exc:
        raise SearchIndexError(
            f"pagefind binary missing from the pagefind_bin package: {exc}"
        ) from None


_PAGES = re.compile(r"Indexed (\d+) pages?")


def _reason(done: subprocess.CompletedProcess[str]) -> str:
    """The one line of a failed pagefind run that says why (its error, or its panic message)."""
    errors = [ln.strip() for ln in done.stderr.splitlines() if ln.strip()]
    for number, line in enumerate(errors):
        if line.startswith("Error"):
            return line
        if "panicked at" in line and number + 1 < len(errors):
            return f"crashed: {errors[number + 1]}"
    if errors:
        return errors[-1]
    return f"exit status {done.returncode}"


def _run(site: Path, glob: str, bundle: Path, timeout: float) -> int:
    """Run the CLI once over `site` files matching `glob`, writing to `bundle`; return pages."""
    command = [
        str(pagefind_binary()),
        "--site",
        str(site),
        "--glob",
        glob,
        "--output-path",
        str(bundle),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SearchIndexError(f"pagefind took longer than {timeout:.0f} s on {site}") from None
    except OSError as exc:
        raise SearchIndexError(f"cannot run pagefind ({exc})") from None
    if done.returncode != 0:
        raise SearchIndexError(f"pagefind failed on {site}: {_reason(done)}")
    found = _PAGES.findall(done.stdout)
    return int(found[-1]) if found else 0


_BODY = re.compile(rb"<([a-zA-Z][\w-]*)[^>]*?\sdata-pagefind-body[\s>=/]")
_MARKED = re.compile(rb"<[^>]*\sdata-pagefind-[^>]*>[^<]*")
_EXTRAS = (
    re.compile(rb"<html[\s>][^>]*"),
    re.compile(rb"<title[\s>].*?</title>", re.S),
    re.compile(rb"<h1[\s>].*?</h1>", re.S),
    re.compile(rb"<img\s[^>]*>"),
)


def _indexed(html: bytes) -> bytes | None:
    """What Pagefind reads of a page with data-pagefind-body (the body element, the tags with
    data-pagefind-* attributes, the language, first title, h1 and image), or None without it.

    Two pages with the same result index the same: links around the body (previous/next,
    related items) can change without re-indexing.
    """
    found = _BODY.search(html)
    if found is None:
        return None
    tag = re.escape(found.group(1))
    depth, end = 0, None
    for mark in re.finditer(rb"<(/?)" + tag + rb"[\s>/]", html[found.start() :]):
        depth += -1 if mark.group(1) else 1
        if depth == 0:
            end = found.start() + mark.end()
            break
    if end is None:
        return html
    parts = [html[found.start() : end], *_MARKED.findall(html)]
    for pattern in _EXTRAS:
        extra = pattern.search(html)
        parts.append(extra.group(0) if extra else b"")
    return b"\0".join(parts)


def _html_files(folder: Path) -> list[tuple[str, os.stat_result]]:
    """(path relative to `folder`, stat) of every HTML file below it, sorted by path."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for item in entries:
            name = prefix + item.name
            if item.is_dir(follow_symlinks=False):
                pending.append((name + "/", item.path))
            elif item.name.endswith(".html") and item.is_file(follow_symlinks=False):
                found.append((name, item.stat(follow_symlinks=False)))
    found.sort()
    return found


def _read(folder: Path) -> tuple[int, str]:
    """Pages of `folder` Pagefind will index, and a digest of what it reads of them."""
    marked: list[tuple[str, bytes]] = []
    every: list[tuple[str, bytes]] = []
    for name, _ in _html_files(folder):
        html = (folder / name).read_bytes()
        every.append((name, html))
        part = _indexed(html)
        if part is not None:
            marked.append((name, part))
    pages = marked or every
    digest = hashlib.blake2b(digest_size=16)
    for name, part in sorted(pages):
        digest.update(hashlib.blake2b(name.encode() + b"\0" + part, digest_size=16).digest())
    return len(pages), digest.hexdigest()


def _stamp(folder: Path) -> str:
    """Digest of the names, sizes and mtimes of the HTML files under `folder`.

    The build writes a file only when its bytes change (memo.write_if_changed), so an equal
    stamp means the month's pages were not touched since they were last read.
    """
    digest = hashlib.blake2b(digest_size=16)
    for name, info in _html_files(folder):
        digest.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Month:
    """One month folder of the built site (`name` "yyyy-mm", folder yyyy/mm/): its indexed
    pages, a digest of what Pagefind reads of them (`content`) and one of its HTML files'
    names, sizes and mtimes (`stamp`)."""

    name: str
    pages: int
    content: str = ""
    stamp: str = ""

    @property
    def folder(self) -> str:
        """The month's folder relative to the site."""
        return self.name.replace("-", "/")


def _month_folders(site: Path) -> list[tuple[str, Path]]:
    """("yyyy-mm", folder) of every yyyy/mm/ folder of the site."""
    found = []
    for year in site.iterdir():
        if not (year.is_dir() and YEAR_FOLDER.match(year.name)):
            continue
        for month in year.iterdir():
            if month.is_dir() and MONTH_FOLDER.match(month.name):
                found.append((f"{year.name}-{month.name}", month))
    return found


def _scan(
    site: Path, known: dict[str, Any] | None = None, dirty: Collection[str] = ()
) -> list[Month]:
    """Month folders with article pages, newest first.

    With `known` (month -> {"pages", "content", "stamp"}, from the last manifest), a month not
    in `dirty` whose stamp did not change is not read again.
    """
    found = []
    for name, folder in _month_folders(site):
        if known is None:
            month = Month(name, *_read(folder))
        else:
            stamp = _stamp(folder)
            before = known.get(name)
            if (
                name not in dirty
                and isinstance(before, dict)
                and before.get("stamp") == stamp
                and isinstance(before.get("pages"), int)
                and isinstance(before.get("content"), str)
            ):
                month = Month(name, before["pages"], before["content"], stamp)
            else:
                month = Month(name, *_read(folder), stamp)
        if month.pages:
            found.append(month)
    return sorted(found, key=lambda month: month.name, reverse=True)


def _group(months: list[tuple[str, int]], max_pages: int) -> list[list[str]]:
    """The indexes' months, newest first: the newest month alone (new items only re-index
    it), the others consecutive from the oldest up, at most `max_pages` pages a group."""
    if max_pages <= 0 or len(months) < 2:
        return [[name for name, _ in months]] if months else []
    groups: list[list[str]] = []
    size = 0
    for month, pages in reversed(months[1:]):
        if not groups or size + pages > max_pages:
            groups.append([])
            size = 0
        groups[-1].insert(0, month)
        size += pages
    return [[months[0][0]], *groups[::-1]]


def plan(site: Path, max_pages: int) -> list[list[str]]:
    """The months ("yyyy-mm") of each index, newest index first.

    With `max_pages` > 0 the newest month gets an index of its own, so a build that adds items
    re-indexes only that month (at a new month, the month before joins the older indexes
    once); older months share indexes of at most `max_pages` pages, filled from the oldest
    up so the older indexes stay as they are. A month larger than `max_pages` gets an index of
    its own; `max_pages` <= 0 means one index.
    """
    return _group([(month.name, month.pages) for month in _scan(site)], max_pages)


#: Pagefind's own UIs, unused by our search page (theme/static/search/): not published.
_UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def _prune(bundle: Path, merged_only: bool) -> None:
    """Delete the files the browser never loads from `bundle` (a merged index needs no JS/wasm)."""
    for path in bundle.iterdir():
        if path.is_file() and (
            path.name in _UNUSED
            or (merged_only and (path.suffix == ".js" or path.name.startswith("wasm.")))
        ):
            path.unlink()


#: Written into the manifest: a different Pagefind or layout re-indexes everything.
LAYOUT = 3


def _engine() -> str:
    """The Pagefind version and bundle layout the indexes were made with."""
    try:
        version = metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        version = "?"
    return f"pagefind_bin {version}, layout {LAYOUT}"


def _previous(bundle: Path) -> dict[str, Any]:
    """The manifest of the bundle on disk, or {} when there is none usable."""
    try:
        manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("engine") != _engine():
        return {}
    if not isinstance(manifest.get("indexes"), list) or not isinstance(
        manifest.get("months"), dict
    ):
        return {}
    return manifest


def _changed_months(changed: Collection[str]) -> set[str]:
    """Months ("yyyy-mm") holding an HTML file of `changed` (output paths written or removed)."""
    months = set()
    for name in changed:
        parts = str(name).replace(os.sep, "/").split("/", 2)
        if (
            len(parts) == 3
            and YEAR_FOLDER.match(parts[0])
            and MONTH_FOLDER.match(parts[1])
            and parts[2].endswith(".html")
        ):
            months.add(f"{parts[0]}-{parts[1]}")
    return months


def _kept(
    entry: dict[str, Any], months: list[Month], old: dict[str, Any], bundle: Path
) -> int | None:
    """Pages of the last build's index for this group if it can stay as it is, else None.

    It can when the last manifest has an index at the same place with the same months, what
    Pagefind reads of their pages did not change, and its folder is still there.
    """
    known = old.get("months", {})
    wanted = {m.name for m in months}
    if {name for name in known if entry["from"] <= name <= entry["to"]} != wanted:
        return None
    for month in months:
        before = known[month.name]
        if not isinstance(before, dict) or before.get("content") != month.content:
            return None
    for index in old.get("indexes", []):
        if (
            isinstance(index, dict)
            and {k: index.get(k) for k in entry} == entry
            and isinstance(index.get("pages"), int)
            and (bundle / entry["path"] / "pagefind-entry.json").is_file()
        ):
            return index["pages"]
    return None


def _swap(bundle: Path, staging: Path, path: str) -> None:
    """Put the index built in `staging/path` in place of `bundle/path`."""
    if path:
        target = bundle / path
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / path).rename(target)
        return
    for item in bundle.iterdir():
        if item.name not in ("part", MANIFEST):
            if item.is_dir():
                shutil.rmtree(item)
            else:
                item.unlink()
    for item in staging.iterdir():
        if item.name not in ("part", MANIFEST):
            item.rename(bundle / item.name)


def index_site(
    site: Path,
    max_pages: int = 0,
    timeout: float = 3600.0,
    changed: Collection[str] | None = None,
    workers: int = 1,
) -> IndexReport:
    """Index the article pages of the built `site` into `site/pagefind/`.

    Pagefind's memory grows with the pages of one index (~0.3 MB a page), so with
    `max_pages` > 0 the newest month has an index of its own and consecutive older months
    share indexes up to that size (see `plan`): pagefind/ holds the newest,
    pagefind/part/<months>/ the older ones, and pagefind/indexes.json lists them all,
    newest first, for the search page to merge in the browser.

    With `changed` (the output paths the build wrote or removed), an index whose place,
    months and indexed content (a digest of what Pagefind reads of each month's pages, kept in
    the manifest) are those of the last run is kept as it is, files untouched; the others are
    rebuilt. Without it, everything is rebuilt. Indexes are built into a temporary folder and
    swapped in only once every Pagefind run succeeded, so a failure leaves the bundle and its
    manifest as they were (the next run then sees the changes this one missed).

    Pagefind indexes on one core: up to `workers` runs go at once (each needs memory for its
    own group, ~0.25 MB a page).
    """
    site = Path(site)
    if not site.is_dir():
        raise SearchIndexError(f"no built site at {site}")
    bundle = site / BUNDLE
    start = time.monotonic()
    old = _previous(bundle) if changed is not None and bundle.is_dir() else {}
    dirty = _changed_months(changed or ())
    found = _scan(site, old.get("months", {}), dirty)
    if not found:
        shutil.rmtree(bundle, ignore_errors=True)
        return IndexReport(0, time.monotonic() - start, bundle)
    by_name = {month.name: month for month in found}
    groups = _group([(month.name, month.pages) for month in found], max_pages)
    staging = site / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        indexes, redone, runs = [], [], []
        for months in groups:
            key = months[0] if len(months) == 1 else f"{months[-1]}_{months[0]}"
            path = f"part/{key}/" if indexes else ""
            entry = {"path": path, "key": key, "from": months[-1], "to": months[0]}
            count = _kept(entry, [by_name[name] for name in months], old, bundle)
            if count is None:
                folders = [by_name[name].folder for name in months]
                glob = folders[0] if len(folders) == 1 else "{" + ",".join(folders) + "}"
                runs.append((len(indexes), path, glob + "/**/*.html"))
                redone.append(path)
            indexes.append({**entry, "pages": count})

        def index(job: tuple[int, str, str]) -> tuple[int, int]:
            number, path, glob = job
            count = _run(site, glob, staging / path, timeout)
            _prune(staging / path, merged_only=number > 0)
            return number, count

        with ThreadPoolExecutor(max(1, min(workers, len(runs) or 1))) as pool:
            for number, count in pool.map(index, runs):
                indexes[number]["pages"] = count
        pages = sum(i["pages"] for i in indexes)
        manifest = {
            "indexes": indexes,
            "months": {
                m.name: {"pages": m.pages, "content": m.content, "stamp": m.stamp} for m in found
            },
            "engine": _engine(),
        }
        text = json.dumps(manifest, indent=1) + "\n"
        if len(redone) == len(indexes) or not bundle.is_dir():
            (staging / MANIFEST).write_text(text, encoding="utf-8")
            shutil.rmtree(bundle, ignore_errors=True)
            staging.rename(bundle)
        else:
            for path in redone:
                _swap(bundle, staging, path)
            wanted = {i["path"].rstrip("/") for i in indexes}
            for folder in (bundle / "part").glob("*"):
                if f"part/{folder.name}" not in wanted:
                    shutil.rmtree(folder, ignore_errors=True)
            if (bundle / "part").is_dir() and not any((bundle / "part").iterdir()):
                (bundle / "part").rmdir()
            if redone or json.dumps(old, indent=1) + "\n" != text:  # else keep its mtime
                fresh = bundle / f".{MANIFEST}.new"
                fresh.write_text(text, encoding="utf-8")
                fresh.replace(bundle / MANIFEST)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    keys = tuple(i["key"] for i in indexes)
    redone_keys = tuple(i["key"] for i in indexes if i["path"] in redone)
    return IndexReport(pages, time.monotonic() - start, bundle, keys, redone_keys)


def index_on_finalized(pelican: Any) -> None:
    """Pelican `finalized` hook: index the output for search unless FEED_ARCHIVE_SEARCH is off."""
    options = merged(pelican.settings)
    if not options["FEED_ARCHIVE_SEARCH"]:
        return
    max_pages = options["FEED_ARCHIVE_SEARCH_MAX_PAGES"]
    if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 0:
        logger.error(
            "feed_archive: search index not built: FEED_ARCHIVE_SEARCH_MAX_PAGES must be a "
            "whole number >= 0, got %r",
            max_pages,
        )
        return
    output = Path(pelican.settings["OUTPUT_PATH"])
    try:
        report = index_site(
            output,
            max_pages,
            changed=getattr(pelican, "feed_archive_changed", None),
            workers=build_workers(pelican.settings),
        )
    except (SearchIndexError, OSError) as exc:
        logger.error("feed_archive: search index not built: %s", exc)
        return
    logger.info(
        "feed_archive: search index of %s pages in %.1f s (%s of %s indexes rebuilt)",
        report.pages,
        report.seconds,
        len(report.redone),
        len(report.indexes),
    )
