"""Tree: every file below a folder with its stat, links not followed; reads names and stats only."""

from __future__ import annotations

import os


def walk(folder: str, folders: list[str] | None = None) -> dict[str, os.stat_result]:
    """Every file and symbolic link below `folder` (links are not followed), by relative path;
    the relative paths of its subfolders are added to `folders` when given."""
    found: dict[str, os.stat_result] = {}
    pending = [("", folder)]
    while pending:
        prefix, path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((prefix + entry.name + "/", entry.path))
                if folders is not None:
                    folders.append(prefix + entry.name)
            else:
                try:
                    found[prefix + entry.name] = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
    return found
