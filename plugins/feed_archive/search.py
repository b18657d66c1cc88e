"""Search: built site -> output/pagefind/ with the Pagefind CLI; never touches content/."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .settings import merged

logger = logging.getLogger(__name__)

#: Folder of the search bundle inside the output; the search page loads {SITEURL}/pagefind/.
BUNDLE = "pagefind"
#: Lists the bundle's indexes for the search page: the first is loaded, the others merged.
MANIFEST = "indexes.json"
#: Article pages live under <yyyy>/<mm>/<dd>/<slug>/ (ARTICLE_URL): only they are indexed.
YEAR_FOLDER = re.compile(r"^\d{4}$")


class SearchIndexError(RuntimeError):
    """Indexing failed; the message is one line saying why."""


@dataclass(frozen=True)
class IndexReport:
    """What one indexing run did."""

    pages: int
    seconds: float
    bundle: Path
    indexes: tuple[str, ...] = ()


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


def _pages(folder: Path) -> int:
    """HTML pages under `folder` that Pagefind will index: those with data-pagefind-body
    (calendar pages share the year folders), or every page when none has it."""
    marked = total = 0
    for path in folder.rglob("*.html"):
        total += 1
        marked += b"data-pagefind-body" in path.read_bytes()
    return marked or total


def _years(site: Path) -> list[tuple[str, int]]:
    """Year folders of the site (article URLs start with the year) and their pages, newest first."""
    found = []
    for folder in site.iterdir():
        if folder.is_dir() and YEAR_FOLDER.match(folder.name):
            pages = _pages(folder)
            if pages:
                found.append((folder.name, pages))
    return sorted(found, reverse=True)


def plan(site: Path, max_pages: int) -> list[list[str]]:
    """Group consecutive years, newest first, into indexes of at most `max_pages` pages each.

    A year larger than `max_pages` gets an index of its own; `max_pages` <= 0 means one index.
    """
    groups: list[list[str]] = []
    size = 0
    for year, pages in _years(site):
        if not groups or (max_pages > 0 and size + pages > max_pages):
            groups.append([])
            size = 0
        groups[-1].append(year)
        size += pages
    return groups


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


def index_site(site: Path, max_pages: int = 0, timeout: float = 3600.0) -> IndexReport:
    """Index the article pages of the built `site` into `site/pagefind/` (replacing it).

    Pagefind's memory grows with the pages of one index (~0.3 MB a page), so with
    `max_pages` > 0 consecutive years share an index up to that size: pagefind/ holds the
    newest, pagefind/part/<years>/ the older ones, and pagefind/indexes.json lists them all,
    newest first, for the search page to merge in the browser.
    """
    site = Path(site)
    if not site.is_dir():
        raise SearchIndexError(f"no built site at {site}")
    bundle = site / BUNDLE
    start = time.monotonic()
    groups = plan(site, max_pages)
    if not groups:
        shutil.rmtree(bundle, ignore_errors=True)
        return IndexReport(0, time.monotonic() - start, bundle)
    staging = site / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        pages, indexes = 0, []
        for years in groups:
            key = years[0] if len(years) == 1 else f"{years[-1]}-{years[0]}"
            path = f"part/{key}/" if indexes else ""
            glob = (years[0] if len(years) == 1 else "{" + ",".join(years) + "}") + "/**/*.html"
            count = _run(site, glob, staging / path, timeout)
            _prune(staging / path, merged_only=bool(indexes))
            indexes.append(
                {"path": path, "key": key, "from": years[-1], "to": years[0], "pages": count}
            )
            pages += count
        manifest = {"indexes": indexes}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        shutil.rmtree(bundle, ignore_errors=True)
        staging.rename(bundle)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return IndexReport(pages, time.monotonic() - start, bundle, tuple(i["key"] for i in indexes))


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
        report = index_site(output, max_pages)
    except SearchIndexError as exc:
        logger.error("feed_archive: search index not built: %s", exc)
        return
    logger.info("feed_archive: search index of %s pages in %.1f s", report.pages, report.seconds)
