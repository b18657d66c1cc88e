"""`invoke verify` and `invoke export` (issue 16), run for real in a copy of the project."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE_1, SAMPLE_2, SAMPLE_NAME, copy_project, run_invoke


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project with both sample snapshots fetched."""
    project = copy_project(tmp_path / "project")
    for sample in (SAMPLE_1, SAMPLE_2):
        done = run_invoke(project, "fetch", "--url", str(sample), "--name", SAMPLE_NAME)
        assert done.returncode == 0, done.stdout + done.stderr
    return project


def test_verify_passes_then_names_an_edited_post(project: Path) -> None:
    done = run_invoke(project, "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 changed, 0 missing; root digest " in done.stdout
    post = sorted((project / "content" / "archive").rglob("*.md"))[0]
    post.write_bytes(post.read_bytes() + b" ")  # one byte more at the end of the text
    done = run_invoke(project, "verify")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"changed: {post.relative_to(project).as_posix()} (recorded " in done.stdout


def test_export_writes_both_files_into_the_site(project: Path) -> None:
    import gzip
    import json
    import sqlite3

    done = run_invoke(project, "export")
    assert done.returncode == 0, done.stdout + done.stderr
    exports = project / "output" / "exports"
    db = sqlite3.connect(exports / "archive.sqlite")
    assert db.execute("SELECT COUNT(*) FROM items").fetchone() == (33,)
    lines = gzip.decompress((exports / "archive.jsonl.gz").read_bytes()).splitlines()
    assert len(lines) == 33 and all(json.loads(line)["versions"] for line in lines)


def test_commit_takes_the_records_verify_made(project: Path) -> None:
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(project), *args], check=True, capture_output=True, text=True
        ).stdout

    for sidecar in (project / "content" / "archive").rglob("provenance.jsonl"):
        sidecar.unlink()  # an archive from before the records
    assert run_invoke(project, "commit").returncode == 0
    assert run_invoke(project, "verify").returncode == 0
    assert git("status", "--porcelain", "--", "content/archive")  # records were written
    done = run_invoke(project, "commit")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "archive: provenance records" in done.stdout
    assert git("log", "-1", "--format=%s").strip() == "archive: provenance records"
    assert git("status", "--porcelain", "--", "content/archive") == ""


def test_a_production_build_publishes_provenance_and_exports(project: Path) -> None:
    import json
    import sqlite3

    done = run_invoke(project, "preview", "--siteurl", "https://example.org/archive")
    assert done.returncode == 0, done.stdout + done.stderr
    output = project / "output"
    db = sqlite3.connect(output / "exports" / "archive.sqlite")
    assert db.execute("SELECT COUNT(*) FROM versions").fetchone() == (34,)
    assert (output / "exports" / "archive.jsonl.gz").stat().st_size > 1000
    document = json.loads((output / "provenance.json").read_text("utf-8"))
    assert document["site"] == "https://example.org/archive"
    assert "(of which exports " in done.stdout + done.stderr  # counted in the size budget
