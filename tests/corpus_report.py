"""Figures gathered by the corpus, security and fault tests, for pytest's terminal summary."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_DETAIL = re.compile(r"\s*\(.*\)\s*$")


@dataclass
class CorpusFile:
    """The outcome of archiving one corpus file: posts written, or the error line."""

    path: str
    posts: int = 0
    error: str | None = None


@dataclass
class Figures:
    """Everything the summary prints; tests fill it in as they run."""

    files: dict[str, CorpusFile] = field(default_factory=dict)
    site_pages: int | None = None
    counters: Counter[str] = field(default_factory=Counter)


FIGURES = Figures()


def record_file(path: str, posts: int, error: str | None) -> None:
    """Remember what one corpus file gave."""
    FIGURES.files[path] = CorpusFile(path, posts, error)


def count(name: str, amount: int = 1) -> None:
    """Add to a named figure (attack payloads tried, kills survived, ...)."""
    FIGURES.counters[name] += amount


def cause_of(error: str) -> str:
    """The cause of an error line without its variable detail in parentheses."""
    return _DETAIL.sub("", error).strip() or error


def summary_lines() -> list[str]:
    """The summary table, or nothing when no test of ours ran."""
    lines: list[str] = []
    files = list(FIGURES.files.values())
    if files:
        lines.append("feed corpus (../shared/corpus/feeds):")
        lines.append(f"  {'group':<8} {'files':>6} {'archived':>9} {'posts':>7} {'errors':>7}")
        for group in ("real", "broken"):
            chosen = [f for f in files if f.path.startswith(group + "/")]
            if not chosen:
                continue
            ok = [f for f in chosen if f.error is None]
            posts = sum(f.posts for f in ok)
            failed = len(chosen) - len(ok)
            lines.append(f"  {group:<8} {len(chosen):>6} {len(ok):>9} {posts:>7} {failed:>7}")
        ok = [f for f in files if f.error is None]
        total_posts = sum(f.posts for f in ok)
        failed = len(files) - len(ok)
        lines.append(f"  {'total':<8} {len(files):>6} {len(ok):>9} {total_posts:>7} {failed:>7}")
        causes = Counter(cause_of(f.error) for f in files if f.error)
        if causes:
            lines.append("  errors by cause:")
            for cause, number in causes.most_common():
                lines.append(f"    {number:>4}  {cause}")
        if FIGURES.site_pages is not None:
            lines.append(f"  one site built from the corpus: {FIGURES.site_pages} article pages")
    if FIGURES.counters:
        lines.append("hostile-input figures:")
        for name, number in sorted(FIGURES.counters.items()):
            lines.append(f"  {name}: {number}")
    return lines
