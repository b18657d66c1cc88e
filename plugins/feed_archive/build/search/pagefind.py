"""Pagefind: the CLI from the `pagefind[bin]` package, run on a folder of pages."""

from __future__ import annotations

import logging
import re
import subprocess
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)


class SearchIndexError(RuntimeError):
    """Indexing failed; the message is one line saying why."""


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


def run_pagefind(site: Path, glob: str, bundle: Path, timeout: float) -> int:
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


_UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
)


def prune(bundle: Path, merged_only: bool) -> None:
    """Delete the files the browser never loads from `bundle` (a merged index needs no JS/wasm)."""
    for path in bundle.iterdir():
        if path.is_file() and (
            path.name in _UNUSED
            or (merged_only and (path.suffix == ".js" or path.name.startswith("wasm.")))
        ):
            path.unlink()


#: Written into the manifest: a different Pagefind or layout re-indexes everything.
LAYOUT = 3


def engine() -> str:
    """The Pagefind version and bundle layout the indexes were made with."""
    try:
        version = metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        version = "?"
    return f"pagefind_bin {version}, layout {LAYOUT}"
