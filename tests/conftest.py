"""Shared fixtures: project paths, real Pelican builds, a static server, a real Chromium."""

from __future__ import annotations

import functools
import http.server
import logging
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
SAMPLES = ROOT / "samples" / "feeds"
SAMPLE_1 = SAMPLES / "next-sample-1.xml"
SAMPLE_2 = SAMPLES / "next-sample-2.xml"
SAMPLE_NAME = "Le Fil Numérique"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "feeds"
CHROMIUM = "/usr/bin/chromium"


def site_settings(content: Path, output: Path, **overrides: Any) -> dict[str, Any]:
    """The project's pelicanconf.py settings, pointed at `content` and `output`."""
    from pelican.settings import read_settings

    values = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(ROOT / "theme"),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "CACHE_PATH": str(output.parent / "cache"),
        "SITEURL": "",
    }
    values.update(overrides)
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return read_settings(str(ROOT / "pelicanconf.py"), override=values)
    finally:
        os.chdir(cwd)


def build_site(content: Path, output: Path, **overrides: Any) -> Path:
    """Build a real Pelican site from `content` into `output`; return `output`."""
    from pelican import Pelican

    Pelican(site_settings(content, output, **overrides)).run()
    return output


def archive_config(content: Path, *sources: dict[str, Any], **overrides: Any):
    """A feed_archive Config writing under `content` for the given sources."""
    from feed_archive import settings

    values = {"PATH": str(content), "FEED_ARCHIVE_SOURCES": list(sources)}
    values["FEED_ARCHIVE_LINK_CHECKS"] = 0  # no test asks the internet (tests/ingest/test_gone.py)
    values.update(overrides)
    return settings.load(values)


def fetch_into(
    content: Path,
    url: str | Path,
    name: str = SAMPLE_NAME,
    feed_id: str | None = None,
    **overrides: Any,
):
    """Fetch one feed into the archive under `content`; return its FeedReport.

    The feed's id is its name unless given, so two snapshots of one feed (the samples) fetched
    from two files under one name are one feed, as `invoke fetch --url F --name N` makes them.
    """
    from feed_archive.ingest import archive

    source = {"url": str(url), "name": name, "id": feed_id or name}
    config = archive_config(content, source, **overrides)
    (report,) = archive.run(config)
    return report


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes (to prove that nothing changed)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


class LogCollector(logging.Handler):
    """Keeps every log record (any level), to check what was logged across threads."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class QuietFiles(http.server.SimpleHTTPRequestHandler):
    """A static file handler that logs nothing."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietHandler(QuietFiles):
    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_prefix__")
        return super().translate_path("/" + path[len(self.prefix) :])


@pytest.fixture
def serve_dir():
    """Serve a folder over HTTP on 127.0.0.1, optionally under a sub-path; yields a starter."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, prefix: str = "/") -> str:
        handler = type("Handler", (_QuietHandler,), {"prefix": prefix})
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (desktop size); closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample (both snapshots) archived and built once per session; returns output/."""
    base = tmp_path_factory.mktemp("sample-site")
    content = base / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    return build_site(content, base / "output")


#: What a copy of the project needs to run its invoke tasks (never the checkout's archive).
PROJECT_FILES = ("tasks.py", "pelicanconf.py", "publishconf.py", "pyproject.toml")
PROJECT_DIRS = ("plugins", "theme", "samples", "content", ".github")


def copy_project(dest: Path) -> Path:
    """Copy the project (without content/archive, output or caches) to `dest`, a git work tree."""
    import subprocess

    skip = shutil.ignore_patterns("archive", "__pycache__", "output", "cache", "*.pyc")
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        shutil.copy2(ROOT / name, dest / name)
    for name in PROJECT_DIRS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=skip)
    (dest / ".gitignore").write_text("output/\ncache/\n__pycache__/\n*.lock\n", encoding="utf-8")
    git = ["git", "-C", str(dest), "-c", "user.name=Test", "-c", "user.email=test@example.org"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "project"], check=True)
    return dest


def run_invoke(project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180):
    """Run `invoke ARGS` in `project` (a copy) with this Python; return the CompletedProcess."""
    import subprocess

    values = dict(os.environ, **(env or {}))
    for key in ("AUTHOR", "COMMITTER"):
        values.setdefault(f"GIT_{key}_NAME", "Test")
        values.setdefault(f"GIT_{key}_EMAIL", "test@example.org")
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        env=values,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the corpus table and hostile-input figures gathered by tests (corpus_report.py)."""
    import corpus_report

    lines = corpus_report.summary_lines()
    if lines:
        terminalreporter.section("feed corpus and hostile-input figures")
        for line in lines:
            terminalreporter.write_line(line)
