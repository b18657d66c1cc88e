"""Fails when a module of the plugin is over the size limit (300 lines that are not blank).

Usage: python scripts/module_sizes.py [FOLDER] [LIMIT]   (default: plugins/feed_archive 300)
"""

from __future__ import annotations

import sys
from pathlib import Path


def oversized(folder: Path, limit: int) -> list[tuple[Path, int]]:
    """Every module under `folder` with more than `limit` non-blank lines, with its count."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        if lines > limit:
            found.append((path, lines))
    return found


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "plugins/feed_archive")
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    too_big = oversized(folder, limit)
    for path, lines in too_big:
        print(f"{path}: {lines} non-blank lines (limit {limit}): split it by job")
    sys.exit(1 if too_big else 0)
