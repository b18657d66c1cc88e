"""Provenance in the built site (issue 16): digests on article pages, /provenance.json."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_1, SAMPLE_2, build_site, fetch_into
from feed_archive.ingest.verify import verify
from feed_archive.post.provenance import file_digest

LEGACY = ROOT / "tests" / "data" / "legacy-archive"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(content, output) of a site built from both sample snapshots."""
    base = tmp_path_factory.mktemp("proof")
    content = base / "content"
    for snapshot in (SAMPLE_1, SAMPLE_2):
        assert fetch_into(content, snapshot).error is None
    return content, build_site(content, base / "output")


def _document(output: Path) -> dict:
    return json.loads((output / "provenance.json").read_text("utf-8"))


def _page_of(output: Path, item: dict) -> str:
    return (output / item["url"] / "index.html").read_text("utf-8")


def test_provenance_json_root_digest_recomputes(sample: tuple[Path, Path]) -> None:
    content, output = sample
    document = _document(output)
    files = [v for item in document["items"] for v in item["versions"]]
    lines = "".join(
        f"{path} {sha}\n" for path, sha in sorted((v["file"], v["sha256"]) for v in files)
    )
    assert document["root"]["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert document["root"]["sha256"] == verify(content / "archive", record=False).root_digest
    archived = sorted((content / "archive").rglob("*.md"))
    assert len(document["items"]) == len(archived) == 33
    for version in files:  # anyone can recompute a digest from the file
        assert version["sha256"] == file_digest(content / "archive" / version["file"])
        assert version["record"] in ("fetch", "kept") and version["fetched"]


def test_article_page_shows_each_version_with_its_digest(sample: tuple[Path, Path]) -> None:
    content, output = sample
    item = next(i for i in _document(output)["items"] if len(i["versions"]) > 1)
    html = _page_of(output, item)
    section = re.search(r'<section class="provenance".*?</section>', html, re.DOTALL)
    assert section, "no provenance section"
    shown = re.findall(
        r'<code class="digest" data-sha256="([0-9a-f]{64})">([0-9a-f]{12})</code>', section.group(0)
    )
    assert [full for full, _ in shown] == [v["sha256"] for v in item["versions"]]
    assert all(full.startswith(short) for full, short in shown)
    assert "Version conservée 1\u202f:" in section.group(0)
    assert "Texte affiché\u202f: relevé le" in section.group(0)
    assert section.group(0).count("relevé le <time datetime=") == len(item["versions"])


def test_a_legacy_archive_builds_and_says_recorded_later(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(LEGACY / "archive", content / "archive")
    output = build_site(content, tmp_path / "output")
    item = _document(output)["items"][0]
    assert item["versions"][-1]["record"] is None
    assert "empreinte pas encore enregistrée" in _page_of(output, item)
    assert verify(content / "archive").ok
    build_site(content, output)
    page = _page_of(output, item)
    assert "relevé non enregistré, empreinte enregistrée plus tard" in page
    assert "relevé le" not in page.split('class="provenance"')[1]  # no date is made up
    assert _document(output)["items"][0]["versions"][-1]["record"] == "later"


def test_an_unchanged_build_keeps_provenance_json(
    sample: tuple[Path, Path], tmp_path: Path
) -> None:
    content, _ = sample
    output = build_site(content, tmp_path / "output")
    before = (output / "provenance.json").stat().st_mtime_ns
    build_site(content, output)
    assert (output / "provenance.json").stat().st_mtime_ns == before
