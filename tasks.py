"""invoke tasks: a thin command-line layer over Pelican and the feed_archive plugin."""

from __future__ import annotations

import logging
import os
import shlex
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
    """The values of a settings file as written (fetching needs no theme or Pelican defaults)."""
    from pelican.settings import get_settings_from_file

    return get_settings_from_file(str(ROOT / config_file))


def _config():
    """The validated FEED_ARCHIVE_* settings; a bad value exits 2 with one line naming it."""
    from feed_archive import settings

    try:
        return settings.load(_settings(), base_dir=ROOT)
    except settings.SettingsError as exc:
        raise Exit(f"error: {exc}", code=2) from None


def _fetch(
    url: str | None = None, name: str | None = None, quiet: bool = False, links: bool = True
) -> int:
    """Run one fetch and print a line per feed; return how many feeds failed or missed items.

    `links=False` checks no archived source link (the bundled sample's site is fictional).
    """
    import dataclasses

    from feed_archive import settings
    from feed_archive.ingest import archive

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("feed_archive.archive").setLevel(logging.CRITICAL)
    progress = logging.getLogger("feed_archive.progress")
    progress.setLevel(logging.INFO)  # long feeds: "Next: 1000 of 12000 items archived"
    progress.propagate = False
    if not progress.handlers:
        progress.addHandler(logging.StreamHandler(sys.stdout))
    config = _config()
    if not links:
        config = dataclasses.replace(config, link_checks=0)
    sources = config.sources
    try:
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

    def show_links(report) -> None:
        if report.enabled and not quiet:
            print(report.line(), flush=True)

    try:
        reports = archive.run(
            config, sources, on_report=None if quiet else show, on_links=show_links
        )
    except archive.StoreError as exc:
        raise Exit(f"error: {exc}", code=2) from None
    totals = archive.totals(reports)
    missed = totals["incomplete"] + totals["skipped"]
    if len(reports) > 1 or not quiet:
        print(
            f"total: {totals['new']} new, {totals['updated']} updated, "
            f"{totals['unchanged']} unchanged, {totals['failed']} failed feed(s)"
            + (f", {missed} item(s) not archived" if missed else "")
            + (f", {totals['held']} more next run" if totals["held"] else "")
        )
    return totals["problems"]


@task(help={"url": "fetch only this URL or local file", "name": "feed name for --url"})
def fetch(c, url=None, name=None):
    """Fetch every configured feed (or --url) into content/; exit 1 if any feed or item failed."""
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
        if _fetch(path, SAMPLE_NAME, links=False):
            raise Exit(code=1)
    build(c)


@task(help={"k": "only tests matching this expression", "slow": "include slow tests"})
def test(c, k=None, slow=True):
    """Run the whole test suite with pytest."""
    args = ["-m pytest -n auto"]  # pytest-xdist: one worker per core
    if k:
        args.append(f'-k "{k}"')
    if not slow:
        args.append('-m "not slow"')
    c.run(f'"{PY}" ' + " ".join(args), pty=False)


@task
def lint(c):
    """ruff, mypy, the import contracts (import-linter), the module size limit and zizmor."""
    c.run(f'"{PY}" -m ruff check .')
    c.run(f'"{PY}" -m ruff format --check .')
    c.run(f'"{PY}" -m mypy')
    c.run(f'"{Path(PY).with_name("lint-imports")}"', env={"PYTHONPATH": str(ROOT / "plugins")})
    c.run(f'"{PY}" scripts/module_sizes.py plugins/feed_archive 300')
    # the workflows: no finding at zizmor's default level (pinned actions, no kept token, ...)
    c.run(f'"{Path(PY).with_name("zizmor")}" --offline --quiet .github/workflows')


# --- serving, production builds and publishing ---------------------------------------------


@task(help={"port": "port on 127.0.0.1 (default 8000)"})
def serve(c, port=8000):
    """Serve output/ on http://127.0.0.1:PORT until Ctrl-C."""
    c.run(f'"{PY}" -m pelican -l -b 127.0.0.1 -p {int(port)} -o output -s pelicanconf.py')


@task(help={"port": "port on 127.0.0.1 (default 8000)"})
def reserve(c, port=8000):
    """Build, then serve output/ on http://127.0.0.1:PORT."""
    build(c)
    serve(c, port=port)


@task(help={"serve": "also serve output/ on 127.0.0.1", "port": "port when serving"})
def regenerate(c, serve=False, port=8000):
    """Rebuild the site whenever content/, the theme or the settings change."""
    listen = f" -l -b 127.0.0.1 -p {int(port)}" if serve else ""
    c.run(f'"{PY}" -m pelican -r content -o output -s pelicanconf.py{listen}')


@task(help={"siteurl": "the site's public URL (default: $SITEURL)"})
def preview(c, siteurl=None):
    """Build the production site with publishconf.py (absolute URLs, feeds, sitemap)."""
    if siteurl:
        os.environ["SITEURL"] = siteurl
    if not os.environ.get("SITEURL"):
        print("warning: SITEURL is not set: links start at /, the sitemap has no address")
    build(c, config="publishconf.py")


@task(
    help={
        "siteurl": "the site's public URL (default: $SITEURL)",
        "remote": "git remote name, URL or path to push to (default origin)",
        "branch": "branch that receives the site (default gh-pages)",
        "push": "push the branch (default yes; --no-push only commits it locally)",
    }
)
def publish(c, siteurl=None, remote="origin", branch="gh-pages", push=True):
    """Build with publishconf.py, then commit output/ to the gh-pages branch and push it."""
    siteurl = siteurl or os.environ.get("SITEURL", "")
    if not siteurl.startswith(("http://", "https://")):
        raise Exit("error: set SITEURL (or --siteurl) to the public URL of the site", code=2)
    preview(c, siteurl=siteurl)
    ghp_import = Path(PY).with_name("ghp-import")
    message = shlex.quote(f"Publish {siteurl}")
    flags = "-n -f -p" if push else "-n"
    c.run(
        f'"{ghp_import}" {flags} -r {shlex.quote(remote)} -b {shlex.quote(branch)} '
        f"-m {message} output"
    )


def _archive_changes(c, folder: str) -> tuple[int, int, bool, bool]:
    """New and updated posts (.md files) under `folder`, whether the disappearances changed,
    and whether provenance records did."""
    from feed_archive.post.gone import SIDECAR_NAME

    out = c.run(f"git status --porcelain -z -uall -- {shlex.quote(folder)}", hide=True).stdout
    new = updated = 0
    gone = records = False
    for entry in filter(None, out.split("\0")):
        state, path = entry[:2], entry[3:]
        gone = gone or path.endswith("/" + SIDECAR_NAME)
        records = records or path.endswith("provenance.jsonl")
        if not path.endswith(".md"):
            continue
        if "?" in state or "A" in state:
            new += 1
        elif "M" in state:
            updated += 1
    return new, updated, gone, records


def _plural(count: int, word: str) -> str:
    return f"{count} {word} item{'s' if count != 1 else ''}"


@task(help={"push": "push the commit to origin (same branch)"})
def commit(c, push=False):
    """Commit new and updated posts (disappearances, provenance) under content/archive, if any."""
    config = _config()
    folder = config.archive_root.relative_to(ROOT).as_posix()
    new, updated, gone, records = _archive_changes(c, folder)
    if not new and not updated and not gone and not records:
        print("archive: nothing new to commit")
        return
    message = f"archive: {_plural(new, 'new')}, {_plural(updated, 'updated')}"
    message += ", disappearances updated" if gone else ""
    if not new and not updated and not gone:  # only digests `invoke verify` recorded
        message = "archive: provenance records"
    targets = " ".join(shlex.quote(p) for p in [folder, *_image_folders(config)])
    c.run(f"git add -- {targets}")
    c.run(f"git commit -q -m {shlex.quote(message)} -- {targets}")
    print(message)
    if push:
        c.run("git push -q origin HEAD")


@task(help={"output": "the built site (default output/)", "into": "where the PNGs go"})
def screenshots(c, output="output", into="screenshots"):
    """Screenshots of home, article, tag, statistics and search pages at 390 and 1366 px."""
    c.run(f'"{PY}" scripts/screenshots.py {shlex.quote(output)} {shlex.quote(into)}')


@task(help={"args": "arguments passed to benchmarks/run.py"})
def bench(c, args=""):
    """Run the benchmarks (benchmarks/run.py) and print their figures."""
    c.run(f'"{PY}" benchmarks/run.py {args}')


def _image_folders(config) -> list[str]:
    """The preserved-images folder (FEED_ARCHIVE_IMAGES_DIR), when it exists, for `commit`."""
    from feed_archive.ingest import images

    folder = images.content_dir(config) / config.raw["FEED_ARCHIVE_IMAGES_DIR"]
    return [folder.relative_to(ROOT).as_posix()] if folder.is_dir() else []


@task(help={"file": "OPML subscription list to import"})
def import_opml(c, file):
    """Add the feeds of an OPML file to FEED_ARCHIVE_SOURCES_FILE (known URLs are skipped)."""
    from feed_archive import settings
    from feed_archive.ingest import opml
    from feed_archive.settings import sources_file as sources

    values = settings.merged(_settings())
    content = ROOT / (_settings().get("PATH") or "content")
    path = sources.sources_file_path(values["FEED_ARCHIVE_SOURCES_FILE"], content)
    try:
        feeds = opml.read_opml(Path(file).read_bytes())
        listed = sources.load_sources_file(path)
    except (OSError, opml.OpmlError, sources.SourcesFileError) as exc:
        raise Exit(f"error: {exc}", code=2) from None
    configured = values["FEED_ARCHIVE_SOURCES"]
    existing = [{"url": s} if isinstance(s, str) else s for s in configured]
    result = opml.import_feeds(feeds, existing, listed)
    if result.added:
        opml.save_sources_file(path, listed)
    for entry in result.added:
        print(f"added: {entry['name']} <{entry['url']}>")
    for url, reason in result.skipped:
        print(f"skipped: {url} ({reason})")
    print(f"{len(result.added)} feed(s) added to {path.name}, {len(result.skipped)} skipped")


@task(help={"file": "where to write the OPML (default: standard output)"})
def export_opml(c, file=None):
    """Write every configured feed (pelicanconf.py and the sources file) as OPML 2.0."""
    from feed_archive.ingest import opml

    config = _config()
    title = _settings().get("SITENAME") or "feeds"
    text = opml.write_opml(opml.raw_sources(config.sources), title)
    if file:
        Path(file).write_text(text, encoding="utf-8")
        print(f"{len(config.sources)} feed(s) written to {file}")
    else:
        print(text, end="")


@task(help={"dry_run": "only list the posts whose tags would change"})
def retag(c, dry_run=False):
    """Re-apply FEED_ARCHIVE_TAG_RULES to every archived post (only the Tags lines change)."""
    from feed_archive.ingest import store, tagging

    config = _config()
    values = _settings()
    archive = store.Store(config.archive_root)
    try:
        with archive.locked(config.lock_timeout):
            report = tagging.retag(
                config.archive_root,
                config.raw["FEED_ARCHIVE_TAG_RULES"],
                values.get("MARKDOWN"),
                dry_run=dry_run,
            )
    except store.StoreError as exc:
        raise Exit(f"error: {exc}", code=2) from None
    for path in report.changed:
        print(("would retag: " if dry_run else "retagged: ") + os.path.relpath(path, ROOT))
    for error in report.errors:
        print(f"error: {error}")
    verb = "would change" if dry_run else "changed"
    print(f"{report.scanned} post(s) scanned, {len(report.changed)} {verb}")
    if report.errors:
        raise Exit(code=1)


@task
def verify(c):
    """Recompute the digest of every post and kept version; exit 1 naming the changed files."""
    from feed_archive.ingest import store
    from feed_archive.ingest import verify as proof

    config = _config()
    try:
        with store.Store(config.archive_root).locked(config.lock_timeout):
            verdict = proof.verify(config.archive_root)
    except store.StoreError as exc:
        raise Exit(f"error: {exc}", code=2) from None
    for path, recorded, actual in verdict.changed:
        print(
            f"changed: {os.path.relpath(path, ROOT)} (recorded {recorded[:12]}, now {actual[:12]})"
        )
    for path in verdict.missing:
        print(f"missing: {os.path.relpath(path, ROOT)}")
    for line in verdict.bad_records:
        print(f"not a record: {os.path.relpath(line, ROOT)}")
    if verdict.recorded_later:
        print(f"{len(verdict.recorded_later)} file(s) had no record: digested now (recorded later)")
    print(
        f"{verdict.checked} file(s) checked, {len(verdict.changed)} changed, "
        f"{len(verdict.missing)} missing; root digest {verdict.root_digest}"
    )
    if not verdict.ok:
        raise Exit(code=1)


@task(help={"config": "settings file (pelicanconf.py or publishconf.py)"})
def export(c, config="pelicanconf.py"):
    """Build with the exports on: output/exports/archive.sqlite and archive.jsonl.gz."""
    c.run(
        f'"{PY}" -m pelican content -o output -s {config} -e FEED_ARCHIVE_EXPORTS=true', pty=False
    )
