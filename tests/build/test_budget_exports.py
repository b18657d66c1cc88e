"""The size budget (issue 16): the exports count in it, and GitHub's 100 MB file limit is said."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from feed_archive.build import budget


def _site(tmp_path: Path, export_size: int) -> Path:
    output = tmp_path / "output"
    (output / "exports").mkdir(parents=True)
    (output / "index.html").write_bytes(b"x" * 1000)
    with (output / "exports" / "archive.sqlite").open("wb") as handle:
        handle.truncate(export_size)  # sparse: the size without the disk space
    return output


def test_exports_are_counted_and_named(tmp_path: Path) -> None:
    found = budget.measure(_site(tmp_path, 2_500_000), [dt.datetime(2026, 1, 1)])
    assert found.total == 2_501_000 and found.exports == 2_500_000
    assert "of which exports 2.5 MB" in found.line(dt.date(2026, 1, 2))
    assert "100 MB" not in found.line(dt.date(2026, 1, 2))


def test_a_file_over_githubs_limit_is_named(tmp_path: Path) -> None:
    found = budget.measure(_site(tmp_path, 101_000_000), [dt.datetime(2026, 1, 1)])
    line = found.line(dt.date(2026, 1, 2))
    assert "exports/archive.sqlite is over GitHub's 100 MB file limit" in line
