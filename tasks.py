"""invoke tasks: a thin command-line layer over Pelican and the feed_archive plugin."""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))
os.chdir(ROOT)

PY = sys.executable
SAMPLE_FEEDS = ("samples/feeds/next-sample-1.xml", "samples/feeds/next-sample-2.xml")
SAMPLE_NAME = "Le Fil Numérique"


def _settings(config_file: str = "pelicanconf.py") -> dict:
    from pelican.settings import read_settings

    return read_settings(str(ROOT / config_file))


def _fetch(url: str | None = None, name: str | None = None, quiet: bool = False) -> int:
    """Run one fetch and print a line per feed; return the number of failed feeds."""
    from feed_archive import archive, settings

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("feed_archive.archive").setLevel(logging.CRITICAL)
    try:
        config = settings.load(_settings(), base_dir=ROOT)
        sources = config.sources
        if url:
            sources = (settings.adhoc_source(url, config.sources, name),)
    except settings.SettingsError as exc:
        raise Exit(f"error: {exc}", code=2) from None
    if not sources:
        print("no feed configured: add one to FEED_ARCHIVE_SOURCES in pelicanconf.py")
        return 0

    def show(number: int, total: int, report: archive.FeedReport) -> None:
        prefix = f"[{number}/{total}] " if total > 1 else ""
        print(prefix + report.line(), flush=True)

    try:
        reports = archive.run(config, sources, on_report=None if quiet else show)
    except archive.StoreError as exc:
        raise Exit(f"error: {exc}", code=2) from None
    totals = archive.totals(reports)
    if len(reports) > 1 or not quiet:
        print(
            f"total: {totals['new']} new, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged, {totals['failed']} failed feed(s)"
        )
    return totals["failed"]


@task(help={"url": "fetch only this URL or local file", "name": "feed name for --url"})
def fetch(c, url=None, name=None):
    """Fetch every configured feed (or --url) into content/; exits 1 if any feed failed."""
    failed = _fetch(url, name)
    if failed:
        raise Exit(code=1)


@task(help={"config": "settings file (pelicanconf.py or publishconf.py)"})
def build(c, config="pelicanconf.py"):
    """Build the site into output/ with Pelican."""
    c.run(f'"{PY}" -m pelican content -o output -s {config}', pty=False)


@task
def clean(c):
    """Remove output/ and Pelican's cache."""
    for folder in ("output", "cache"):
        shutil.rmtree(ROOT / folder, ignore_errors=True)


@task(pre=[clean])
def rebuild(c):
    """Clean, then build."""
    build(c)


@task
def sample(c):
    """Archive both bundled sample snapshots (the second updates one item), then build."""
    for path in SAMPLE_FEEDS:
        if _fetch(path, SAMPLE_NAME):
            raise Exit(code=1)
    build(c)


@task(help={"k": "only tests matching this expression", "slow": "include slow tests"})
def test(c, k=None, slow=True):
    """Run the whole test suite with pytest."""
    args = ["-m pytest"]
    if k:
        args.append(f'-k "{k}"')
    if not slow:
        args.append('-m "not slow"')
    c.run(f'"{PY}" ' + " ".join(args), pty=False)


@task
def lint(c):
    """ruff check and ruff format --check."""
    c.run(f'"{PY}" -m ruff check .')
    c.run(f'"{PY}" -m ruff format --check .')
