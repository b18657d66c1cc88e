"""The invoke tasks, run for real in a copy of the project: help, exit codes, commit, serving."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_1, SAMPLE_2, copy_project, fetch_into, run_invoke

TASKS = (
    "fetch build rebuild clean serve reserve regenerate preview publish commit sample test lint"
    " bench verify export"
).split()


def git(project: Path, *args: str) -> str:
    """Run git in `project` and return its output."""
    return subprocess.run(
        ["git", "-C", str(project), *args], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the project, a git work tree with one commit."""
    return copy_project(tmp_path / "project")


def test_every_task_is_listed_with_a_one_line_help() -> None:
    listing = run_invoke(ROOT, "--list", "--list-format", "json")
    assert listing.returncode == 0, listing.stderr
    helps = {task["name"]: task["help"] for task in json.loads(listing.stdout)["tasks"]}
    for name in TASKS:
        assert name in helps, f"invoke {name} is missing"
        first = (helps[name] or "").strip().splitlines()
        assert first and 10 < len(first[0]) < 100, f"invoke {name}: help {helps[name]!r}"
    text = run_invoke(ROOT, "--list").stdout
    assert all(f"  {name} " in text for name in TASKS)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("fetch", "--url", "samples/feeds/no-such-feed.xml"), 1),
        (("build", "--config", "no-such-settings.py"), None),
        (("publish",), 2),
        (("publish", "--siteurl", "not-a-url"), 2),
    ],
    ids=["fetch-missing-feed", "build-missing-settings", "publish-without-url", "publish-bad-url"],
)
def test_a_failing_step_exits_non_zero(project: Path, args: tuple[str, ...], code: int | None):
    result = run_invoke(project, *args, env={"SITEURL": ""})
    assert result.returncode != 0, result.stdout + result.stderr
    if code is not None:
        assert result.returncode == code, result.stdout + result.stderr
    assert not git(project, "branch", "--list", "gh-pages")


def test_fetch_prints_a_line_for_the_link_checks(project: Path) -> None:
    settings = project / "pelicanconf.py"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "\nFEED_ARCHIVE_LINK_CHECKS = 2\n", encoding="utf-8"
    )
    result = run_invoke(project, "fetch", "--url", "samples/feeds/next-sample-1.xml")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    # the sample's links are on fil-numerique.example, a name that never resolves
    assert lines[-2].startswith("links: 2 checked, 0 gone, 0 back, 2 unanswered ("), lines
    assert lines[-1].startswith("total: 29 new"), lines


def test_the_sample_is_archived_offline_without_link_checks(project: Path) -> None:
    """`invoke sample` (what bootstrap.sh runs) asks no name server: the sample is fictional."""
    result = run_invoke(project, "sample")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Le Fil Numérique: 4 new, 1 updated" in result.stdout
    assert "links:" not in result.stdout, result.stdout
    assert (project / "output" / "index.html").is_file()


def test_a_broken_theme_fails_the_build(project: Path) -> None:
    (project / "theme" / "templates" / "index.html").write_text("{% block x %}", encoding="utf-8")
    fetch_into(project / "content", SAMPLE_1)
    result = run_invoke(project, "build")
    assert result.returncode != 0, result.stdout + result.stderr


def test_commit_counts_new_and_updated_items(project: Path) -> None:
    first = fetch_into(project / "content", SAMPLE_1)
    result = run_invoke(project, "commit")
    assert result.returncode == 0, result.stderr
    expected = f"archive: {first.counts['new']} new items, 0 updated items"
    assert expected in result.stdout
    assert git(project, "log", "-1", "--format=%s").strip() == expected
    assert git(project, "status", "--porcelain", "--", "content/archive") == ""
    tracked = git(project, "ls-files", "content/archive").split()
    assert sum(path.endswith(".md") for path in tracked) == first.counts["new"]

    second = fetch_into(project / "content", SAMPLE_2)
    assert second.counts["updated"] == 1
    result = run_invoke(project, "commit")
    expected = f"archive: {second.counts['new']} new items, 1 updated item"
    assert git(project, "log", "-1", "--format=%s").strip() == expected, result.stdout
    assert git(project, "status", "--porcelain", "--", "content/archive") == ""

    commits = git(project, "rev-list", "--count", "HEAD")
    result = run_invoke(project, "commit")
    assert result.returncode == 0 and "nothing new" in result.stdout
    assert git(project, "rev-list", "--count", "HEAD") == commits


def test_commit_takes_a_changed_disappearances_file_alone(project: Path) -> None:
    from feed_archive.post.gone import LEFT_FEED, SIDECAR_NAME, Disappearances

    fetch_into(project / "content", SAMPLE_1)
    assert run_invoke(project, "commit").returncode == 0
    archive = project / "content" / "archive"
    rel = next(archive.rglob("*.md")).relative_to(archive).as_posix()
    gone = Disappearances()
    gone.mark(rel, LEFT_FEED, "2025-11-10 09:00:00+01:00")
    (archive / SIDECAR_NAME).write_text(gone.dumps(), encoding="utf-8")
    result = run_invoke(project, "commit")
    expected = "archive: 0 new items, 0 updated items, disappearances updated"
    assert git(project, "log", "-1", "--format=%s").strip() == expected, result.stdout
    assert git(project, "status", "--porcelain", "--", "content/archive") == ""


def test_commit_leaves_other_changes_alone(project: Path) -> None:
    (project / "pelicanconf.py").write_text(
        (project / "pelicanconf.py").read_text(encoding="utf-8") + "\n# local edit\n",
        encoding="utf-8",
    )
    git(project, "add", "pelicanconf.py")
    fetch_into(project / "content", SAMPLE_1)
    assert run_invoke(project, "commit").returncode == 0
    changed = git(project, "show", "--name-only", "--format=", "HEAD").split()
    assert changed and all(path.startswith("content/archive/") for path in changed)
    assert git(project, "diff", "--cached", "--name-only").split() == ["pelicanconf.py"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", *args],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _get(url: str, deadline: float) -> bytes:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_reserve_builds_then_serves_on_localhost(project: Path) -> None:
    fetch_into(project / "content", SAMPLE_1)
    port = _free_port()
    process = _start(project, "reserve", "--port", str(port))
    try:
        home = _get(f"http://127.0.0.1:{port}/", time.monotonic() + 90).decode()
        assert "<html" in home.lower()
        article = next((project / "output").glob("20*/*/*/*/index.html"))
        path = article.relative_to(project / "output").parent.as_posix()
        assert _get(f"http://127.0.0.1:{port}/{path}/", time.monotonic() + 5)
    finally:
        _stop(process)


def test_regenerate_rebuilds_when_content_changes(project: Path) -> None:
    pages = project / "content" / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    process = _start(project, "regenerate")
    try:
        index = project / "output" / "index.html"
        deadline = time.monotonic() + 90
        while not index.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "no first build"
            time.sleep(0.3)
        time.sleep(1)
        (pages / "regenerated.md").write_text(
            "Title: Regenerated\nSlug: regenerated\n\nRegeneratedmarker\n", encoding="utf-8"
        )
        target = project / "output" / "pages" / "regenerated" / "index.html"
        deadline = time.monotonic() + 60
        while not target.exists() or "Regeneratedmarker" not in target.read_text("utf-8"):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the new page was not built"
            time.sleep(0.3)
    finally:
        _stop(process)
