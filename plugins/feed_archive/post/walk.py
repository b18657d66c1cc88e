"""Walk: every post of an archive folder, in a stable order; reads names only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from .versions import VERSIONS_SUFFIX


def posts(root: Path) -> Iterator[Path]:
    """Every post (`*.md`) under `root`, sorted, without version folders and hidden files."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not (d.endswith(VERSIONS_SUFFIX) or d.startswith(".")))
        for name in sorted(files):
            if name.endswith(".md") and not name.startswith("."):
                yield Path(folder) / name
