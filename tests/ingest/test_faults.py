"""Faults: SIGKILL at random moments, two fetches at once, read-only archive, full disk.

Nothing archived is ever lost or half-written: every Markdown file is always one complete version.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

import corpus_report
from conftest import ROOT, archive_config, build_site, snapshot
from feed_archive.post.provenance import SIDECAR, read_sidecar

ITEMS = 120
KILLS = 40

CHILD = textwrap.dedent(
    """
    import sys
    from datetime import datetime, UTC
    sys.path.insert(0, {plugins!r})
    from feed_archive.ingest import archive
    from feed_archive import settings
    config = settings.load({{
        "PATH": sys.argv[1],
        "FEED_ARCHIVE_SOURCES": [{{"url": sys.argv[2], "name": "Big", "id": "big"}}],
        "FEED_ARCHIVE_LOCK_TIMEOUT": float(sys.argv[3]),
    }})
    print("ready", flush=True)
    (report,) = archive.run(config, now=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    print(report.line(), flush=True)
    sys.exit(1 if report.failed else 0)
    """
)


def big_feed(version: str, items: int = ITEMS) -> str:
    """A large RSS feed; each item's text names `version` and ends with a sentinel line."""
    paragraph = f"<p>Version {version}: " + "Le texte complet de l’article, assez long. " * 40
    entries = "".join(
        f"<item><title>Article numéro {n}</title><link>https://big.example/{n}</link>"
        f"<guid>https://big.example/?p={n}</guid>"
        f"<pubDate>Mon, {1 + n % 28:02d} Dec 2025 10:{n % 60:02d}:00 +0000</pubDate>"
        f"<category>Sujet {n % 7}</category>"
        f"<description><![CDATA[{paragraph * 3}</p><p>FIN item {n} version {version}</p>]]>"
        "</description></item>"
        for n in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big</title>'
        f"<link>https://big.example/</link>{entries}</channel></rss>"
    )


def posts(archive_root: Path) -> dict[str, bytes]:
    """Every Markdown post (relative path -> bytes); hidden files excluded as Pelican does."""
    return {
        str(p.relative_to(archive_root)): p.read_bytes()
        for p in archive_root.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(archive_root).parts)
    }


_SENTINEL = re.compile(r"FIN item (\d+) version (\d+)\n\Z")


def whole_version(data: bytes, where: str) -> tuple[int, int]:
    """Check that `data` is one complete post (header, blank line, body to its last line)."""
    text = data.decode("utf-8")
    header, blank, body = text.partition("\n\n")
    assert blank, f"{where}: no blank line after the header"
    keys = [line.split(": ", 1)[0] for line in header.split("\n")]
    assert keys[:2] == ["Title", "Date"] and "Guid" in keys and "Feed" in keys, where
    found = _SENTINEL.search(body)
    assert found, f"{where}: body cut short ({len(data)} bytes): ...{text[-60:]!r}"
    item, version = int(found[1]), int(found[2])
    assert f"Guid: https://big.example/?p={item}\n" in header, where
    assert body.count(f"Version {version}: ") == 3, where
    return item, version


def run_child(content: Path, feed: Path | str, lock_timeout: float = 0.0) -> subprocess.Popen[str]:
    """Start a fetch in a new Python process; returns once it has imported everything."""
    script = content.parent / "child.py"
    if not script.exists():
        script.parent.mkdir(parents=True, exist_ok=True)
        script.write_text(CHILD.format(plugins=str(ROOT / "plugins")), encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(content), str(feed), str(lock_timeout)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    return child


def _finish(child: subprocess.Popen[str]) -> int:
    code = child.wait(timeout=120)
    child.stdout.close()  # type: ignore[union-attr]
    child.stderr.close()  # type: ignore[union-attr]
    return code


@pytest.mark.slow
def test_sigkill_at_random_moments_never_leaves_a_partial_post(tmp_path: Path) -> None:
    """40 fetches killed with SIGKILL mid-run: every post is whole, none archived is ever lost.

    Each attempt serves a new version of every item (and a new item), so every run has
    120+ posts to rewrite, each with its previous version kept beside it.
    """
    content = tmp_path / "site" / "content"
    root = content / "archive"
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    rng = random.Random(7)
    first = feeds / "v0.xml"
    first.write_text(big_feed("0", ITEMS), encoding="utf-8")
    assert _finish(run_child(content, first)) == 0
    started = time.monotonic()
    second = feeds / "v1.xml"
    second.write_text(big_feed("1", ITEMS), encoding="utf-8")
    assert _finish(run_child(content, second)) == 0
    run_time = time.monotonic() - started
    seen = {rel: whole_version(data, rel) for rel, data in posts(root).items()}
    assert len(seen) == ITEMS
    killed = completed = 0
    for attempt in range(2, KILLS * 2):
        if killed >= KILLS:
            break
        feed = feeds / f"v{attempt}.xml"
        feed.write_text(big_feed(str(attempt), ITEMS + attempt), encoding="utf-8")
        child = run_child(content, feed)
        time.sleep(rng.uniform(0.0, run_time))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            killed += 1
        else:
            completed += 1
        _finish(child)
        now = {rel: whole_version(data, rel) for rel, data in posts(root).items()}
        lost = set(seen) - set(now)
        assert not lost, f"attempt {attempt}: posts lost after a kill: {sorted(lost)[:3]}"
        older = [rel for rel in seen if now[rel][1] < seen[rel][1]]
        assert not older, f"attempt {attempt}: went back to an older version: {older[:3]}"
        for version in root.rglob("*.md.txt"):
            whole_version(version.read_bytes(), str(version))
        for leftover in (p for p in root.rglob("*") if p.is_file()):
            name = leftover.name
            assert (
                name.endswith((".md", ".md.txt"))
                or name == SIDECAR
                or (name.startswith(".") and not name.endswith(".md"))
            ), f"attempt {attempt}: unexpected file {leftover}"
        for sidecar in root.rglob(SIDECAR):  # a kill cuts at most the last line, never another
            bad: list[str] = []
            read_sidecar(sidecar.parent, bad)
            assert not bad, f"attempt {attempt}: {bad}"
        state = root / ".feed-archive-state.json"
        if state.exists():
            json.loads(state.read_text(encoding="utf-8"))
        seen = now
    assert killed == KILLS, (killed, completed)
    corpus_report.count("SIGKILLs survived (fetch killed at random moments)", killed)

    last = feeds / "last.xml"
    last.write_text(big_feed("999", ITEMS + KILLS * 2), encoding="utf-8")
    assert _finish(run_child(content, last)) == 0
    final = {rel: whole_version(data, rel) for rel, data in posts(root).items()}
    assert len(final) == ITEMS + KILLS * 2
    assert {version for _, version in final.values()} == {999}
    leftovers = [p.name for p in root.rglob(".tmp-*")]
    output = build_site(content, tmp_path / "site" / "output")
    article = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")
    pages = [p for p in output.rglob("index.html") if article.match(str(p.relative_to(output)))]
    assert len(pages) == len(final), f"Pelican must ignore temp files {leftovers[:3]}"


@pytest.fixture
def slow_feed(httpserver: Any) -> tuple[str, threading.Event]:
    """A feed whose server takes 3 s to answer (keeps a fetch, and its lock, busy).

    The event is set when the request arrives: the fetching process holds the lock by then.
    """
    asked = threading.Event()

    def answer(_request: Any) -> Any:
        from werkzeug.wrappers import Response

        asked.set()
        time.sleep(3)
        return Response(big_feed("S", 5), content_type="application/rss+xml")

    httpserver.expect_request("/slow.xml").respond_with_handler(answer)
    return httpserver.url_for("/slow.xml"), asked


def test_two_fetches_at_once_second_exits_with_a_clear_message(
    tmp_path: Path, slow_feed: tuple[str, threading.Event]
) -> None:
    """While one fetch runs, a second one with no lock timeout stops at once and says why."""
    from feed_archive.ingest import archive

    content = tmp_path / "content"
    other = tmp_path / "other.xml"
    other.write_text(big_feed("O", 3).replace("big.example", "other.example"), encoding="utf-8")
    first = run_child(content, slow_feed[0])
    try:
        assert slow_feed[1].wait(timeout=30), "the first fetch never reached the server"
        started = time.monotonic()
        config = archive_config(content, {"url": str(other), "name": "Other"})
        with pytest.raises(archive.StoreError) as caught:
            archive.run(config)
        assert time.monotonic() - started < 2
        message = str(caught.value)
        assert message.startswith("another fetch is running on ") and "try again later" in message
        assert str(content / "archive") in message
    finally:
        assert first.wait(timeout=60) == 0, first.stderr.read()  # type: ignore[union-attr]
        first.stdout.close()  # type: ignore[union-attr]
        first.stderr.close()  # type: ignore[union-attr]
    assert len(posts(content / "archive")) == 5


def test_two_fetches_at_once_second_waits_with_a_lock_timeout(
    tmp_path: Path, slow_feed: tuple[str, threading.Event]
) -> None:
    """With FEED_ARCHIVE_LOCK_TIMEOUT the second fetch waits its turn; both feeds are archived."""
    from feed_archive.ingest import archive

    content = tmp_path / "content"
    other = tmp_path / "other.xml"
    other.write_text(big_feed("O", 3).replace("big.example", "other.example"), encoding="utf-8")
    first = run_child(content, slow_feed[0])
    try:
        assert slow_feed[1].wait(timeout=30), "the first fetch never reached the server"
        started = time.monotonic()
        config = archive_config(
            content, {"url": str(other), "name": "Other"}, FEED_ARCHIVE_LOCK_TIMEOUT=30
        )
        (report,) = archive.run(config)
        waited = time.monotonic() - started
    finally:
        assert first.wait(timeout=60) == 0
        first.stdout.close()  # type: ignore[union-attr]
        first.stderr.close()  # type: ignore[union-attr]
    assert report.error is None and report.counts["new"] == 3
    assert waited > 1.5, "the second fetch did not wait for the first"
    assert len(posts(content / "archive")) == 8


@pytest.mark.slow
def test_two_invoke_fetch_at_once(tmp_path: Path, slow_feed: tuple[str, threading.Event]) -> None:
    """`invoke fetch` while another `invoke fetch` runs: exit code 2 and one clear line."""
    from conftest import copy_project, run_invoke

    project = copy_project(tmp_path / "project")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    first = subprocess.Popen(
        [sys.executable, "-m", "invoke", "fetch", "--url", slow_feed[0], "--name", "Slow"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert slow_feed[1].wait(timeout=60), "the first invoke fetch never reached the server"
        other = tmp_path / "other.xml"
        other.write_text(big_feed("O", 3), encoding="utf-8")
        second = run_invoke(project, "fetch", "--url", str(other), "--name", "Other")
    finally:
        out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert "Slow: 5 new" in out
    assert second.returncode == 2, (second.stdout, second.stderr)
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: another fetch is running on "), lines
    assert "Traceback" not in second.stderr
    assert len(posts(project / "content" / "archive")) == 5


# --- read-only and full file systems ------------------------------------------------------


def _run(*command: str) -> bool:
    return subprocess.run(command, capture_output=True).returncode == 0


def cannot_set_up(reason: str) -> None:
    """Skip a fault test whose set-up this machine refuses; under CI (`CI` set), fail instead.

    GitHub Actions sets `CI`, and .ci/run sets it too: there the read-only and full-disk tests
    must run, so a runner that cannot mount or chattr is a broken CI, not a reason to skip.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI is set: give the job root with mount (see README, Tests)")
    pytest.skip(reason)


def _writable(folder: Path) -> bool:
    probe = folder / ".probe"
    try:
        probe.write_text("x")
    except OSError:
        return False
    probe.unlink()
    return True


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[str]:
    """Make `folder` really read-only (even for root): a read-only bind mount, else chattr +i."""
    how = ""
    if _run("mount", "--bind", str(folder), str(folder)):
        if _run("mount", "-o", "remount,bind,ro", str(folder)):
            how = "read-only bind mount"
        else:
            _run("umount", str(folder))
    dirs = [folder, *(p for p in folder.rglob("*") if p.is_dir())]
    if not how and all(_run("chattr", "+i", str(d)) for d in dirs):
        how = "chattr +i"
    if not how and os.geteuid() != 0:
        for d in dirs:
            d.chmod(0o555)
        how = "chmod 555"
    try:
        if not how or _writable(folder):
            cannot_set_up("cannot make a folder read-only here (mount --bind, chattr +i)")
        yield how
    finally:
        if how == "read-only bind mount":
            _run("umount", str(folder))
        elif how == "chattr +i":
            for d in dirs:
                _run("chattr", "-i", str(d))
        elif how == "chmod 555":
            for d in dirs:
                d.chmod(0o755)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "256k") -> Iterator[None]:
    """A tiny tmpfs mounted on `folder` (needs root); skips when mounting is not allowed."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        cannot_set_up("cannot mount a small tmpfs here (needs root)")
    try:
        yield
    finally:
        _run("umount", "-l", str(folder))


def _feed_file(tmp_path: Path, name: str, items: int, text: str = "court") -> Path:
    path = tmp_path / name
    path.write_text(big_feed(text, items), encoding="utf-8")
    return path


def test_read_only_archive_gives_a_clear_error_and_stays_intact(tmp_path: Path) -> None:
    """New and updated items cannot be written: one clear error line, nothing changed."""
    from feed_archive.ingest import archive

    content = tmp_path / "content"
    first = _feed_file(tmp_path, "v1.xml", 5, "A")
    (report,) = archive.run(
        archive_config(content, {"url": str(first), "name": "Big", "id": "big"})
    )
    assert report.counts["new"] == 5
    before = snapshot(content)
    second = _feed_file(tmp_path, "v2.xml", 8, "B")
    with read_only(content / "archive") as how:
        try:
            (report,) = archive.run(
                archive_config(content, {"url": str(second), "name": "Big", "id": "big"})
            )
            error = report.error
        except archive.StoreError as exc:
            error = str(exc)
        assert snapshot(content) == before, how
    assert error, "a read-only archive must not look like a success"
    assert "Read-only file system" in error or "Operation not permitted" in error, error
    assert "another fetch" not in error, error
    assert str(content / "archive") in error, error


def test_full_disk_gives_a_clear_error_and_keeps_the_archive(tmp_path: Path) -> None:
    """On a full disk the fetch fails with ENOSPC, no post is cut, and it recovers afterwards."""
    from feed_archive.ingest import archive

    content = tmp_path / "content"
    root = content / "archive"
    with small_disk(root, "320k"):
        first = _feed_file(tmp_path, "v1.xml", 5, "A")
        (report,) = archive.run(
            archive_config(content, {"url": str(first), "name": "Big", "id": "big"})
        )
        assert report.counts["new"] == 5
        before = posts(root)
        filler = root / ".filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
        second = _feed_file(tmp_path, "v2.xml", 12, "B")
        try:
            (report,) = archive.run(
                archive_config(content, {"url": str(second), "name": "Big", "id": "big"})
            )
            error = report.error
        except archive.StoreError as exc:
            error = str(exc)
        assert error and "No space left on device" in error, error
        assert error.startswith("cannot write "), error
        after = posts(root)
        for rel, data in after.items():
            assert data in (before.get(rel), *_complete_versions(rel, tmp_path, second)), rel
        assert set(before) <= set(after)
        assert not [p for p in root.rglob("*.md") if p.stat().st_size == 0]
        filler.unlink()
        (report,) = archive.run(
            archive_config(content, {"url": str(second), "name": "Big", "id": "big"})
        )
        assert report.error is None, report.line()
        assert len(posts(root)) == 12
    corpus_report.count("file-system faults survived (read-only, disk full)", 2)


def _complete_versions(rel: str, tmp_path: Path, feed: Path) -> tuple[bytes, ...]:
    """The text `rel` has after a clean run of `feed` (on a fresh archive, or as an update)."""
    cached = tmp_path / "complete"
    if not cached.exists():
        from feed_archive.ingest import archive

        first = tmp_path / "v1.xml"
        for name, feeds in (("fresh", (feed,)), ("update", (first, feed))):
            for one in feeds:
                config = archive_config(
                    cached / name, {"url": str(one), "name": "Big", "id": "big"}
                )
                archive.run(config)
    found = [p / "archive" / rel for p in (cached / "fresh", cached / "update")]
    return tuple(p.read_bytes() for p in found if p.exists())


def test_helpers_really_fail_writes(tmp_path: Path) -> None:
    """The fault helpers produce real errors (so the tests above prove something)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder):
        with pytest.raises(OSError):
            (folder / "x.md").write_text("x")
    assert _writable(folder)
    disk = tmp_path / "disk"
    with small_disk(disk, "64k"):
        with pytest.raises(OSError) as caught:
            (disk / "big").write_bytes(b"\0" * 200_000)
        assert caught.value.errno == 28
    shutil.rmtree(folder)


CAPSH = shutil.which("capsh")


@pytest.mark.skipif(os.geteuid() != 0 or not CAPSH, reason="needs root and capsh to drop mount")
def test_fault_tests_fail_under_ci_when_their_set_up_is_impossible() -> None:
    """Without the capabilities to mount or chattr, `CI=1` turns the two skips into failures."""
    tests = "test_read_only_archive_gives_a_clear_error or test_full_disk_gives_a_clear_error"
    command = f"{sys.executable} -m pytest -q -p no:cacheprovider -p no:xdist {__file__} -k"
    results = {}
    for ci in ("", "1"):
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER")}
        if ci:
            env["CI"] = ci
        done = subprocess.run(
            [CAPSH, "--drop=cap_sys_admin,cap_linux_immutable", "--", "-c", f'{command} "{tests}"'],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        results[ci] = done.stdout.strip().splitlines()[-1]
    assert "2 skipped" in results[""] and "failed" not in results[""], results
    assert "2 failed" in results["1"] and "skipped" not in results["1"], results
