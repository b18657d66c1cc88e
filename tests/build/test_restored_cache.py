"""Restored caches are data, not code: a build reads cache/ and output/ only when it can trust them.

The workflow restores both folders from actions/cache, which any workflow of the repository can
write. With FEED_ARCHIVE_CACHE_KEY set (as the workflow's build step has it), the build checks
the seal the last build wrote, before Pelican opens its pickled content cache: a planted pickle
never runs, a planted or altered file (even one with the size and mtime the record expects)
makes the build start clean. The JSON records are read as data: malformed, they are ignored
with one warning, and they can never make the build remove a file outside the output.
Real Pelican builds; search off (tests/build/test_outputs.py covers the bundle).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    ROOT,
    SAMPLE_1,
    LogCollector,
    copy_project,
    fetch_into,
    run_invoke,
    site_settings,
    snapshot,
)

sys.path.insert(0, str(ROOT / "benchmarks"))
import synth

ITEMS = 12
KEY = "0f4c9a1e6b7d2c3a8e5f1b0d9c7a6e4f3b2d1c0a9e8f7d6c5b4a3f2e1d0c9b8a"
KEY_ENV = "FEED_ARCHIVE_CACHE_KEY"


class Payload:
    """A pickle that runs code when loaded: it makes the folder `marker`, then acts as {}."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (eval, (f"__import__('os').makedirs({str(self.marker)!r}) or {{}}",))


def _content(folder: Path) -> Path:
    content = folder / "content"
    synth.write_archive(content, ITEMS, total=ITEMS)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    return content


def _run(content: Path, output: Path, cache: Path, **overrides: Any) -> tuple[Any, list[str]]:
    """One real build; returns the Pelican object and its warnings (no error allowed)."""
    from pelican import Pelican

    overrides.setdefault("FEED_ARCHIVE_SEARCH", False)
    records = LogCollector()
    logging.getLogger().addHandler(records)
    try:
        pelican = Pelican(site_settings(content, output, CACHE_PATH=str(cache), **overrides))
        pelican.run()
    finally:
        logging.getLogger().removeHandler(records)
    errors = [r.getMessage() for r in records.records if r.levelno >= logging.ERROR]
    assert not errors, errors
    return pelican, [r.getMessage() for r in records.records if r.levelno == logging.WARNING]


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key in the environment, as the workflow's build step has it."""
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(content, output, cache) of a site, and a clean build of it in tmp_path/clean."""
    content = _content(tmp_path)
    _run(content, tmp_path / "clean", tmp_path / "clean-cache")
    return content, tmp_path / "out", tmp_path / "cache"


def _plant_pickle(cache: Path, marker: Path) -> None:
    (cache / "ArticlesGenerator").write_bytes(pickle.dumps(Payload(marker)))


def test_without_the_key_the_cache_is_trusted_so_the_payload_is_live(
    site: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: a local build trusts its own cache, and Pelican loads this very file."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    content, output, cache = site
    _run(content, output, cache)
    assert not (cache / "feed_archive-seal.json").exists(), "no key: nothing sealed"
    _plant_pickle(cache, tmp_path / "ran")
    _run(content, output, cache)
    assert (tmp_path / "ran").is_dir()


@pytest.mark.usefixtures("keyed")
def test_a_planted_pickle_never_runs_with_the_key(
    site: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    content, output, cache = site
    _run(content, output, cache)
    _plant_pickle(cache, tmp_path / "ran")
    pelican, warnings = _run(content, output, cache)
    assert not (tmp_path / "ran").exists(), "the restored pickle was loaded"
    assert (cache / "feed_archive-seal.json").is_file()
    assert any("not trusted (cache/ArticlesGenerator not as sealed)" in w for w in warnings)
    assert pelican.feed_archive_build.output.kept == 0, "a clean build"
    assert snapshot(output) == snapshot(tmp_path / "clean")


@pytest.mark.usefixtures("keyed")
def test_a_sealed_cache_and_output_are_used(site: tuple[Path, Path, Path]) -> None:
    content, output, cache = site
    _run(content, output, cache)
    pelican, warnings = _run(content, output, cache)
    assert pelican.feed_archive_build.output.kept > ITEMS, "an incremental build"
    assert not [w for w in warnings if "not trusted" in w]


def _plant_page(output: Path, cache: Path) -> None:
    (output / "planted.html").write_text("<script>alert(1)</script>", encoding="utf-8")


def _alter_a_kept_page(output: Path, cache: Path) -> None:
    """Same size and mtime: the writer's record alone would keep it and it would be deployed."""
    page = next(iter(sorted(output.glob("20*/*/*/*/index.html"))))
    info = page.stat()
    text = page.read_bytes()
    altered = text.replace(b"</main>", b"<script>1</script>", 1)
    page.write_bytes(altered[: len(text)] if len(altered) > len(text) else altered)
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))


def _remove_a_file(output: Path, cache: Path) -> None:
    (output / "theme" / "css" / "theme.css").unlink()


def _forge_the_seal(output: Path, cache: Path) -> None:
    seal = cache / "feed_archive-seal.json"
    data = json.loads(seal.read_text(encoding="utf-8"))
    (output / "planted.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    data["files"]["output/planted.html"] = "0" * 64
    seal.write_text(json.dumps(data), encoding="utf-8")


def _alter_the_posts_record(output: Path, cache: Path) -> None:
    """The JSON record of post digests (data, but it decides which posts are read again)."""
    record = cache / "feed_archive-posts.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["posts"] = {}
    record.write_text(json.dumps(data), encoding="utf-8")


def _drop_the_seal(output: Path, cache: Path) -> None:
    (cache / "feed_archive-seal.json").unlink()


def _garble_the_seal(output: Path, cache: Path) -> None:
    (cache / "feed_archive-seal.json").write_text('["not", "a", "seal"]', encoding="utf-8")


@pytest.mark.usefixtures("keyed")
@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_plant_page, "output/planted.html not as sealed"),
        (_alter_a_kept_page, "not as sealed"),
        (_remove_a_file, "output/theme/css/theme.css not as sealed"),
        (_alter_the_posts_record, "cache/feed_archive-posts.json not as sealed"),
        (_forge_the_seal, "the seal does not verify under this key"),
        (_drop_the_seal, "no seal"),
        (_garble_the_seal, "not a seal"),
    ],
    ids=[
        "planted",
        "altered-same-stat",
        "removed",
        "posts-record",
        "forged-seal",
        "no-seal",
        "garbled-seal",
    ],
)
def test_restored_folders_that_do_not_match_their_seal_are_dropped(
    site: tuple[Path, Path, Path], tmp_path: Path, tamper: Any, reason: str
) -> None:
    content, output, cache = site
    _run(content, output, cache)
    tamper(output, cache)
    pelican, warnings = _run(content, output, cache)
    assert any(f"{reason})" in w and "building clean" in w for w in warnings), warnings
    assert pelican.feed_archive_build.output.kept == 0
    assert snapshot(output) == snapshot(tmp_path / "clean")


def test_a_seal_made_with_another_key_is_not_trusted(
    site: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    content, output, cache = site
    monkeypatch.setenv(KEY_ENV, "another key, known to whoever wrote this cache")
    _run(content, output, cache)
    monkeypatch.setenv(KEY_ENV, KEY)
    pelican, warnings = _run(content, output, cache)
    assert any("the seal does not verify under this key" in w for w in warnings)
    assert pelican.feed_archive_build.output.kept == 0


OUTPUT_RECORD = "feed_archive-output.json"


def _outside_entries(victim: Path) -> dict[str, list[Any]]:
    """Record entries that point out of the output at `victim`, with its size and mtime."""
    info = victim.stat()
    entry = [None, info.st_size, info.st_mtime_ns]
    return {"../victim.txt": entry, str(victim): entry, "a/../../victim.txt": entry}


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda record, victim: "{not json",
        lambda record, victim: json.dumps(["a", "list"]),
        lambda record, victim: json.dumps({"format": 1, "files": ["a", "list"]}),
        lambda record, victim: json.dumps({"format": "1", "files": {}}),
        lambda record, victim: json.dumps(
            {"format": 1, "files": {**json.loads(record)["files"], "index.html": ["x", "y", 1]}}
        ),
        lambda record, victim: json.dumps(
            {"format": 1, "files": {**json.loads(record)["files"], **_outside_entries(victim)}}
        ),
    ],
    ids=["not-json", "a-list", "files-a-list", "format-a-string", "bad-entry", "outside-paths"],
)
def test_a_malformed_output_record_is_ignored_in_one_line(
    site: tuple[Path, Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corrupt: Any
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    content, output, cache = site
    victim = tmp_path / "victim.txt"
    victim.write_text("not the build's", encoding="utf-8")
    _run(content, output, cache)
    record = cache / OUTPUT_RECORD
    record.write_text(corrupt(record.read_text(encoding="utf-8"), victim), encoding="utf-8")
    _, warnings = _run(content, output, cache)
    assert len([w for w in warnings if OUTPUT_RECORD in w and "ignored" in w]) == 1, warnings
    assert len([w for w in warnings if OUTPUT_RECORD in w]) == 1
    assert victim.read_text(encoding="utf-8") == "not the build's"
    assert snapshot(output) == snapshot(tmp_path / "clean")
    assert json.loads(record.read_text(encoding="utf-8"))["format"] == 1, "saved anew"


@pytest.mark.parametrize(
    "text",
    ["{not json", '{"format": 1, "files": {"../../victim.txt": [1, 2]}}', '{"format": 1}'],
    ids=["not-json", "outside-path", "no-files"],
)
def test_a_malformed_search_files_record_reindexes_the_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    content = _content(tmp_path)
    output, cache = tmp_path / "out", tmp_path / "cache"
    _run(content, output, cache, FEED_ARCHIVE_SEARCH=True)
    record = cache / "feed_archive-search-files.json"
    assert json.loads(record.read_text(encoding="utf-8"))["files"]
    entry = output / "pagefind" / "pagefind-entry.json"
    indexed = entry.stat().st_mtime_ns
    record.write_text(text, encoding="utf-8")
    _, warnings = _run(content, output, cache, FEED_ARCHIVE_SEARCH=True)
    assert len([w for w in warnings if "feed_archive-search-files.json ignored" in w]) == 1
    assert entry.stat().st_mtime_ns != indexed, "the bundle it cannot vouch for is rebuilt"
    assert json.loads(record.read_text(encoding="utf-8"))["files"], "saved anew"


def test_invoke_preview_as_the_workflow_runs_it(tmp_path: Path) -> None:
    """The attack of issue 13 end to end: `invoke preview` (publishconf.py) with the key, then a
    planted pickle in cache/ and a planted page in output/, then `invoke preview` again."""
    project = copy_project(tmp_path / "project")
    fetch_into(project / "content", SAMPLE_1)
    # COLUMNS: Pelican's log lines are not wrapped (the test reads them)
    env = {"SITEURL": "https://someone.github.io/my-archive", KEY_ENV: KEY, "COLUMNS": "1000"}
    first = run_invoke(project, "preview", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    output, cache = project / "output", project / "cache"
    built = _site_names(output)
    _plant_pickle(cache, tmp_path / "ran")
    _plant_page(output, cache)
    second = run_invoke(project, "preview", env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert not (tmp_path / "ran").exists(), "the restored pickle was loaded"
    assert not (output / "planted.html").exists()
    assert "not trusted" in " ".join((second.stdout + second.stderr).split())
    assert (cache / "feed_archive-seal.json").is_file()
    assert not (output / "planted.html").exists()
    assert _site_names(output) == built, "a clean build: the same files"


def _site_names(output: Path) -> list[str]:
    """The site's file names, the search bundle's aside (Pagefind names them anew each run)."""
    return sorted(name for name in snapshot(output) if not name.startswith("pagefind/"))


@pytest.mark.usefixtures("keyed")
@pytest.mark.parametrize("name", ["cache", "out"])
def test_a_restored_folder_that_is_a_symbolic_link_is_dropped_not_emptied(
    site: tuple[Path, Path, Path], tmp_path: Path, name: str
) -> None:
    """A restored cache can hold `cache` or `output` as a link to anywhere: the link goes, and
    what it points at is left alone."""
    content, output, cache = site
    _run(content, output, cache)
    victim = tmp_path / "victim"
    shutil.copytree(tmp_path / name, victim)
    (victim / "keep.txt").write_text("not the build's", encoding="utf-8")
    shutil.rmtree(tmp_path / name)
    os.symlink(victim, tmp_path / name)
    kept = snapshot(victim)
    pelican, warnings = _run(content, output, cache)
    assert snapshot(victim) == kept
    assert not (tmp_path / name).is_symlink()
    assert any("not trusted" in w and "building clean" in w for w in warnings), warnings
    assert pelican.feed_archive_build.output.kept == 0
    assert snapshot(output) == snapshot(tmp_path / "clean")
