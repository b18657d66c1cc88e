"""Index: the search bundle of a built site, rebuilt only for the month groups that changed."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection

from .months import Month, changed_months, group_months, scan
from .pagefind import SearchIndexError, engine, prune, run_pagefind

#: Folder of the search bundle inside the output; the search page loads it from the site root.
BUNDLE = "pagefind"
#: Lists the bundle's indexes for the search page: the first is loaded, the others merged.
MANIFEST = "indexes.json"


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    pages: int
    seconds: float
    bundle: Path
    indexes: tuple[str, ...] = ()
    #: The indexes this run rebuilt (all of them unless `changed` was given).
    redone: tuple[str, ...] = ()


def _previous(bundle: Path) -> dict[str, Any]:
    """The manifest of the bundle on disk, or {} when there is none usable."""
    try:
        manifest = json.loads((bundle / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("engine") != engine():
        return {}
    if not isinstance(manifest.get("indexes"), list) or not isinstance(
        manifest.get("months"), dict
    ):
        return {}
    return manifest


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
    dirty = changed_months(changed or ())
    found = scan(site, old.get("months", {}), dirty)
    if not found:
        shutil.rmtree(bundle, ignore_errors=True)
        return IndexReport(0, time.monotonic() - start, bundle)
    by_name = {month.name: month for month in found}
    groups = group_months([(month.name, month.pages) for month in found], max_pages)
    staging = site / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        indexes: list[dict[str, Any]] = []
        redone: list[str] = []
        runs: list[tuple[int, str, str]] = []
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
            count = run_pagefind(site, glob, staging / path, timeout)
            prune(staging / path, merged_only=number > 0)
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
            "engine": engine(),
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
