"""Revisions: a post's earlier versions -> dated list and word diffs; reads, never writes."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

import nh3
from babel.dates import format_date, format_time

from ..post import content_key, plain_title, split_file, text_blocks, version_files
from ..post.changes import PARAGRAPH, Facts, diff_tokens, kinds_between, tokens
from .state import BuildState

logger = logging.getLogger(__name__)

_DIFF_TAGS = {"p", "ins", "del"}


@dataclass(frozen=True)
class Version:
    """One version of a post: its number (1 = first seen), date, title and body text.

    `date` is the publisher's: the publication date of the first version, the feed's update
    date of a later one (None when the feed gave none); `seen` is when the archive first saw
    it. `current` marks the version the page shows (not always the last one seen: a teaser or
    a stale answer is kept in the history but never shown, see current.py).
    """

    number: int
    date: datetime | None
    title: str
    blocks: tuple[str, ...]
    date_text: str = ""
    current: bool = False
    seen: datetime | None = None
    paywalled: bool = False
    link: str = ""

    @property
    def when(self) -> datetime | None:
        """When the archive saw this version (else the publisher's date for it)."""
        return self.seen or self.date

    def facts(self, words: Sequence[str] | None = None) -> Facts:
        """What change kinds compare of this version (post.changes.Facts)."""
        found = tokens(self.blocks) if words is None else words
        return Facts(self.title, tuple(found), self.paywalled, self.link)


@dataclass(frozen=True)
class Change:
    """What changed from one version to the next, as safe HTML with <ins>/<del>."""

    old: int
    new: int
    title_html: str
    body_html: str
    title_changed: bool
    added: int
    removed: int
    #: the kinds of this change (post.changes.KINDS), in their order
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Revisions:
    """An updated post's history: every version, oldest first, and the diff of each pair."""

    versions: tuple[Version, ...]
    changes: tuple[Change, ...] = field(default=())

    @property
    def count(self) -> int:
        """How many versions exist, the current one included."""
        return len(self.versions)

    @property
    def latest(self) -> Version:
        """The current version (the one the page shows)."""
        return next((v for v in self.versions if v.current), self.versions[-1])


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def format_moment(moment: datetime | None, lang: str = "fr") -> str:
    """`7 novembre 2025 à 09:02` (`November 7, 2025 at 9:02 AM`): a version's date for readers."""
    if moment is None:
        return ""
    try:
        day = format_date(moment, "long", locale=lang or "fr")
        hour = format_time(moment, "short", locale=lang or "fr")
    except (ValueError, LookupError):
        return moment.isoformat(sep=" ", timespec="minutes")
    joiner = " à " if (lang or "fr").startswith("fr") else " at "
    return f"{day}{joiner}{hour}"


def _seen(text: str) -> datetime | None:
    """When the archive first saw a version: Fetched, else (older files) Modified, else Date."""
    meta, _ = split_file(text)
    return next(
        (d for d in (_parse_date(meta.get(k)) for k in ("fetched", "modified", "date")) if d),
        None,
    )


def _version(
    number: int,
    text: str,
    markdown_config: Mapping[str, Any] | None,
    lang: str,
    current: bool = False,
) -> Version:
    meta, body = split_file(text)
    # the publisher's date: publication for the first version, the feed's update date after
    stated = _parse_date(meta.get("date" if number == 1 else "updated"))
    # when the archive saw it: Fetched; files written before it had Modified (the fetch time)
    seen = _parse_date(meta.get("fetched"))
    if seen is None and number > 1:
        seen = _parse_date(meta.get("modified"))
    return Version(
        number=number,
        date=stated,
        title=plain_title(meta.get("title", ""), True),
        blocks=text_blocks(body, markdown_config),
        date_text=format_moment(stated or seen, lang),
        current=current,
        seen=seen if seen != stated else None,
        paywalled=meta.get("paywalled", "").strip().lower() == "true",
        link=meta.get("source", "").strip(),
    )


def _render_tokens(parts: list[tuple[str, str]], paragraphs: bool) -> str:
    """(kind, token) pairs -> safe HTML; kind is "", "ins" or "del"; PARAGRAPH starts a <p>."""
    lines: list[list[tuple[str, str]]] = [[]]
    for kind, token in parts:
        if token == PARAGRAPH:
            lines.append([])
        else:
            lines[-1].append((kind, token))
    rendered = []
    for line in lines:
        chunks: list[str] = []
        open_kind = ""
        for index, (kind, token) in enumerate(line):
            if kind != open_kind:
                if open_kind:
                    chunks.append(f"</{open_kind}>")
                if index:
                    chunks.append(" ")
                if kind:
                    chunks.append(f"<{kind}>")
                open_kind = kind
            elif index:
                chunks.append(" ")
            chunks.append(html.escape(token, quote=False))
        if open_kind:
            chunks.append(f"</{open_kind}>")
        if chunks:
            rendered.append("".join(chunks))
    if paragraphs:
        text = "".join(f"<p>{line}</p>" for line in rendered)
    else:
        text = " ".join(rendered)
    return nh3.clean(text, tags=_DIFF_TAGS, attributes={}, strip_comments=True)


def compare(old: Version, new: Version) -> Change:
    """The diff between two versions: title and body, words added and removed highlighted."""
    title_parts, title_added, title_removed = diff_tokens(old.title.split(), new.title.split())
    old_words, new_words = tokens(old.blocks), tokens(new.blocks)
    body_parts, added, removed = diff_tokens(old_words, new_words)
    return Change(
        old=old.number,
        new=new.number,
        title_html=_render_tokens(title_parts, paragraphs=False),
        body_html=_render_tokens(_changed_paragraphs(body_parts), paragraphs=True),
        title_changed=old.title != new.title,
        added=added + title_added,
        removed=removed + title_removed,
        kinds=kinds_between(old.facts(old_words), new.facts(new_words), body_parts),
    )


def _changed_paragraphs(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Keep only the paragraphs holding a change; each run of unchanged ones becomes '…'."""
    paragraphs: list[list[tuple[str, str]]] = [[]]
    for part in parts:
        if part[1] == PARAGRAPH:
            paragraphs.append([])
        else:
            paragraphs[-1].append(part)
    kept: list[list[tuple[str, str]]] = []
    for paragraph in paragraphs:
        if any(kind for kind, _ in paragraph):
            kept.append(paragraph)
        elif not kept or kept[-1] != [("", "…")]:
            kept.append([("", "…")])
    out: list[tuple[str, str]] = []
    for index, paragraph in enumerate(kept):
        if index:
            out.append(("", PARAGRAPH))
        out.extend(paragraph)
    return out


def history(
    post_path: Path,
    current_text: str | None = None,
    markdown_config: Mapping[str, Any] | None = None,
    lang: str = "fr",
    files: list[Path] | None = None,
) -> Revisions | None:
    """The history of the post at `post_path` (its version `files` if known), or None."""
    if files is None:
        files = [path for _, path in version_files(Path(post_path))]
    if not files:
        return None  # also the common case: one stat, no read
    texts = []
    for path in files:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            logger.warning("revisions: cannot read %s (%s)", path, exc)
    if current_text is None:
        current_text = Path(post_path).read_text(encoding="utf-8")
    texts.append(current_text)
    distinct = {content_key(text): text for text in reversed(texts)}  # first file kept
    shown = content_key(current_text)
    order = sorted(
        distinct.items(),
        key=lambda pair: (_seen(pair[1]) or datetime.min.replace(tzinfo=UTC), texts.index(pair[1])),
    )
    versions = [
        _version(n, text, markdown_config, lang, current=key == shown)
        for n, (key, text) in enumerate(order, 1)
    ]
    changes = tuple(compare(a, b) for a, b in zip(versions, versions[1:], strict=False))
    return Revisions(versions=tuple(versions), changes=changes)


def _version_files(source_path: str) -> list[tuple[int, Path]]:
    return version_files(Path(source_path))


def attach_revisions(generator: Any) -> None:
    """article_generator_finalized hook: give each archived post its `revisions` (else None).

    Done at every build, not when a post is read: Pelican's content cache keeps a post as long
    as its own file is unchanged, while a kept version (a teaser, a stale answer) may be added
    beside it.
    """
    settings = generator.settings
    state = BuildState.of(settings)
    found = state.posts.version_files if state and state.posts else _version_files
    for group in ("articles", "translations", "hidden_articles", "drafts"):
        for content in getattr(generator, group, None) or ():
            metadata = getattr(content, "metadata", {}) or {}
            if "feed" not in metadata:
                continue
            content.revisions = None
            source_path = str(getattr(content, "source_path", None) or "")
            files = [path for _, path in found(source_path)] if source_path else []
            if not files:
                continue
            lang = getattr(content, "lang", None) or settings.get("DEFAULT_LANG") or "fr"
            try:
                content.revisions = history(
                    Path(source_path), None, settings.get("MARKDOWN"), lang, files
                )
            except Exception:  # a broken history must not break the build
                logger.exception("revisions: cannot read the history of %s", source_path)
