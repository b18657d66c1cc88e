"""Versions: the earlier versions kept beside a post, `<slug>.versions/NNN.md.txt`; reads only.

Every version a feed served is kept once, numbered in the order it was first written; numbers
may have gaps (a bad merge, a hand edit), so the next one is one past the highest.
"""

from __future__ import annotations

from pathlib import Path

VERSIONS_SUFFIX = ".versions"
VERSION_EXTENSION = ".md.txt"


def version_folder(post: Path) -> Path:
    """The folder holding the versions of the post at `post`."""
    return post.with_name(post.stem + VERSIONS_SUFFIX)


def version_files(post: Path) -> list[tuple[int, Path]]:
    """The kept versions of a post, `(number, path)` by number ([] when there is none)."""
    folder = version_folder(post)
    if not folder.is_dir():
        return []
    numbered = []
    for version in folder.iterdir():
        number = version.name.removesuffix(VERSION_EXTENSION)
        if version.name.endswith(VERSION_EXTENSION) and number.isdigit() and version.is_file():
            numbered.append((int(number), version))
    return sorted(numbered)


def next_version_path(post: Path) -> Path:
    """Where the next version of a post goes: numbered one past the highest kept."""
    kept = version_files(post)
    number = kept[-1][0] + 1 if kept else 1
    return version_folder(post) / f"{number:03d}{VERSION_EXTENSION}"
