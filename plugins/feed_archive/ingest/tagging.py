"""Tagging: keyword rules (FEED_ARCHIVE_TAG_RULES) -> tags for a title and text; retag the archive.

Matching is pure (accent- and case-insensitive, whole words); `retag` rewrites only the `Tags:`
line of archived posts, atomically, and never creates a version or touches anything else.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..post import fold, posts
from ..settings import freeze_tag_rules

logger = logging.getLogger(__name__)

#: Tags that rules have put on posts, remembered so that `retag` can take back a retired rule's.
RULES_RECORD = ".feed-archive-tag-rules.json"
_SPACE = re.compile(r"\s+")
#: Markdown syntax characters: removed before the fast check so "**intelligence** artificielle"
#: still reads as the phrase (the check may only say "maybe"; the rendered text decides).
_MARKUP = re.compile(r"[\\*_`\[\]]+")

Compiled = tuple[tuple[str, "re.Pattern[str]"], ...]


@functools.lru_cache(maxsize=32)
def _compile(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> Compiled:
    compiled = []
    for tag, words in frozen:
        alternatives = "|".join(
            r"\s+".join(re.escape(part) for part in word.split(" "))
            for word in sorted(words, key=len, reverse=True)
        )
        compiled.append((tag, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")))
    return tuple(compiled)


def compile_rules(rules: Any) -> Compiled:
    """Validated, compiled rules (cached); SettingsError names the bad rule."""
    return _compile(freeze_tag_rules(rules))


def tags_for(title: str, text: str, rules: Any) -> tuple[str, ...]:
    """The tags whose words occur (as whole words) in the title or the text, in rule order."""
    compiled = compile_rules(rules)
    if not compiled:
        return ()
    haystack = fold(f"{title}\n{text}")
    return tuple(tag for tag, pattern in compiled if pattern.search(haystack))


def rule_tags(rules: Any) -> tuple[str, ...]:
    """The tag names the rules can give."""
    return tuple(tag for tag, _ in freeze_tag_rules(rules))


def _record_path(archive_root: Path) -> Path:
    return Path(archive_root) / RULES_RECORD


def recorded_tags(archive_root: Path) -> set[str]:
    """The rule tags remembered for this archive (empty when nothing was recorded)."""
    try:
        data = json.loads(_record_path(archive_root).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError) as exc:
        logger.warning("tagging: ignoring unreadable %s (%s)", _record_path(archive_root), exc)
        return set()
    tags = data.get("tags") if isinstance(data, dict) else None
    return {t for t in tags or () if isinstance(t, str)}


def _write_record(archive_root: Path, tags: Iterable[str]) -> None:
    from .store import write_atomic

    text = json.dumps({"tags": sorted(set(tags))}, ensure_ascii=False, indent=2) + "\n"
    write_atomic(_record_path(archive_root), text)


def remember(archive_root: Path, rules: Any) -> None:
    """After a fetch: add the current rules' tags to the record (only when it grows)."""
    current = set(rule_tags(rules))
    known = recorded_tags(archive_root)
    if current and not current <= known:
        _write_record(archive_root, known | current)


@dataclass
class RetagReport:
    """What `retag` did: files looked at, files whose Tags line changed, and unreadable files."""

    scanned: int = 0
    changed: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _split_tags(value: str) -> list[str]:
    return [t.strip() for t in value.split(",") if t.strip()]


def retag_text(
    text: str,
    compiled_rules: Any,
    managed: set[str],
    markdown_config: Mapping[str, Any] | None = None,
) -> str:
    """`text` (one post) with its Tags line recomputed; every other byte stays as it was."""

    from ..post import plain_title, text_blocks, unique_names

    header, sep, body = text.partition("\n\n")
    lines = header.split("\n")
    meta = {}
    tags_at = None
    for index, line in enumerate(lines):
        key, colon, value = line.partition(":")
        if colon:
            meta[key.strip().lower()] = value.strip()
            if key.strip().lower() == "tags":
                tags_at = index
    current = _split_tags(meta.get("tags", ""))
    title = plain_title(meta.get("title", ""), True)
    managed_keys = {t.casefold() for t in managed}
    if not any(t.casefold() in managed_keys for t in current) and not tags_for(
        title, _MARKUP.sub("", body), compiled_rules
    ):
        return text  # fast path: no rule word even in the raw Markdown, no rule tag to take back
    body_text = " ".join(text_blocks(body, markdown_config))
    matched = tags_for(title, body_text, compiled_rules)
    matched_keys = {t.casefold() for t in matched}
    kept = [t for t in current if t.casefold() not in managed_keys or t.casefold() in matched_keys]
    tags = list(unique_names(tuple(kept) + matched))
    if tags == current:
        return text
    new_line = "Tags: " + ", ".join(tags)
    if tags_at is not None:
        if tags:
            lines[tags_at] = new_line
        else:
            del lines[tags_at]
    elif tags:
        after = 0
        for index, line in enumerate(lines):
            if line.startswith(("Title:", "Date:", "Modified:")):
                after = index + 1
        lines.insert(after, new_line)
    return "\n".join(lines) + sep + body


def retag(
    archive_root: Path,
    rules: Any,
    markdown_config: Mapping[str, Any] | None = None,
    dry_run: bool = False,
) -> RetagReport:
    """Re-apply the rules to every archived post; only changed Tags lines are rewritten."""
    from .store import write_atomic

    compiled = compile_rules(rules)
    current = set(rule_tags(rules))
    managed = recorded_tags(archive_root) | current
    report = RetagReport()
    for path in posts(Path(archive_root)):
        report.scanned += 1
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.errors.append(f"{path}: {exc}")
            continue
        updated = retag_text(text, rules if compiled else {}, managed, markdown_config)
        if updated != text:
            report.changed.append(path)
            if not dry_run:
                write_atomic(path, updated)
    if not dry_run and Path(archive_root).is_dir() and recorded_tags(archive_root) != current:
        _write_record(archive_root, current)
    return report
