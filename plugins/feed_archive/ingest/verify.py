"""Verify: every post and kept version digested again and compared with its provenance record.

A file whose digest is not the one last recorded for it (a hand edit, a bad merge), or a
recorded file that is gone, is named; a file without any record (an archive older than the
records, a fetch that stopped before writing them) is digested and recorded then, as `later`
(its fetch date is not known and never made up).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..post import posts
from ..post.provenance import LATER, Ledger, Record, append_records, file_digest, item_files
from ..post.provenance import root_digest as digest_of_lines

logger = logging.getLogger(__name__)


@dataclass
class Verdict:
    """What `verify` found: files checked, changed or missing, recorded now, the root digest."""

    checked: int = 0
    changed: list[tuple[Path, str, str]] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    recorded_later: list[Path] = field(default_factory=list)
    #: sidecar lines that are not records (`<sidecar> line N`): a bad merge, a hand edit
    bad_records: list[str] = field(default_factory=list)
    root_digest: str = ""

    @property
    def ok(self) -> bool:
        """True when every recorded file has its recorded digest and every record is readable."""
        return not self.changed and not self.missing and not self.bad_records


def _folders(root: Path) -> dict[Path, list[Path]]:
    """The archive's posts by month folder (the folder of their sidecar)."""
    found: dict[Path, list[Path]] = {}
    for post in posts(root):
        found.setdefault(post.parent, []).append(post)
    return found


def verify(root: Path, record: bool = True) -> Verdict:
    """Check every file under the archive `root`; record unrecorded ones when `record`."""
    root = Path(root)
    verdict = Verdict()
    lines: list[tuple[str, str]] = []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    folders = _folders(root) if root.is_dir() else {}
    for sidecar in sorted(root.rglob("provenance.jsonl")) if root.is_dir() else ():
        folders.setdefault(sidecar.parent, [])
    for folder, folder_posts in sorted(folders.items()):
        ledger = Ledger.of(folder, verdict.bad_records)
        seen: set[str] = set()
        later: list[Record] = []
        for post in folder_posts:
            for name, path in item_files(post):
                seen.add(name)
                try:
                    actual = file_digest(path)
                except OSError as exc:
                    logger.error("verify: cannot read %s (%s)", path, exc.strerror or exc)
                    verdict.missing.append(path)
                    continue
                verdict.checked += 1
                lines.append(((folder / name).relative_to(root).as_posix(), actual))
                expected = ledger.recorded(name)
                if expected is None:
                    verdict.recorded_later.append(path)
                    later.append(Record(name, actual, LATER, now))
                elif expected != actual:
                    verdict.changed.append((path, expected, actual))
        verdict.missing += [folder / name for name in sorted(set(ledger.last) - seen)]
        if record and later:
            append_records(folder, later)
    verdict.root_digest = digest_of_lines(lines)
    return verdict
