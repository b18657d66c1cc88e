"""Archive: one fetch run over many sources; one failing feed never stops the others."""

from __future__ import annotations

import functools
import hashlib
import logging
import multiprocessing as mp
import os
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from . import fetch as fetching
from . import images, tagging
from .entry import Entry
from .parse import ParseError, parse
from .render import (
    Post,
    build_post,
    format_date,
    metadata_name,
    read_header,
    render,
    with_history,
)
from .settings import Config, SettingsError, Source
from .store import State, Store, StoreError

logger = logging.getLogger(__name__)

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
DUPLICATE, STALE, SKIPPED = "duplicate", "stale", "skipped"
OUTCOMES = (NEW, UPDATED, UNCHANGED, DUPLICATE, STALE, SKIPPED)


@dataclass
class FeedReport:
    """What one feed's fetch did: counts per outcome, the HTTP status, or the error."""

    name: str
    status: int | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    error: str | None = None
    warning: str | None = None

    @property
    def failed(self) -> bool:
        """True when the feed could not be archived at all."""
        return self.error is not None

    def line(self) -> str:
        """One human line: counts and HTTP status, or the error."""
        if self.error:
            return f"{self.name}: FAILED: {self.error}"
        if self.status == 304:
            return f"{self.name}: not modified (HTTP 304)"
        parts = [f"{self.counts[k]} {k}" for k in (NEW, UPDATED, UNCHANGED)]
        parts += [f"{self.counts[k]} {k}" for k in (DUPLICATE, STALE, SKIPPED) if self.counts[k]]
        where = f" (HTTP {self.status})" if self.status and self.status != 200 else ""
        if self.status == 200:
            where = " (HTTP 200)"
        return f"{self.name}: " + ", ".join(parts) + where


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _without_secrets(entry: Entry, secrets: tuple[str, ...]) -> Entry:
    """The entry with its feed's secrets redacted (private feeds often repeat the key in links)."""
    if not secrets:
        return entry
    changes: dict[str, object] = {}
    for name in (f.name for f in fields(entry)):
        value = getattr(entry, name)
        if isinstance(value, str):
            changes[name] = redact(value, secrets)
        elif isinstance(value, tuple):
            changes[name] = tuple(redact(v, secrets) for v in value)
    return replace(entry, **changes)


def _state_key(source: Source) -> str:
    return f"{source.slug}@{hashlib.sha256(source.url.encode()).hexdigest()[:10]}"


def _base_url(url: str | None) -> str | None:
    """The fetch URL without query or fragment (they may hold a key), for resolving links."""
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _later(first: str, second: str) -> str:
    """The later of two dates written by render.format_date (compared as instants)."""
    try:
        return max(first, second, key=datetime.fromisoformat)
    except ValueError:
        return first


def _same_version(text: str, old: str) -> bool:
    """True when two post texts differ at most by their Modified line."""

    def strip(value: str) -> str:
        return "\n".join(line for line in value.split("\n") if not line.startswith("Modified: "))

    return strip(text) == strip(old)


def archive_entry(post: Post, store: Store, source: Source, modified_at: str) -> str:
    """Store one post: new, updated in place (old version kept), unchanged, stale or duplicate.

    Stale: the feed served an older version of an item we already updated (a cache flip-flop).
    """
    key, path, existing = store.lookup(post.identity)
    if path is None or existing is None:
        target = store.path_for(source.slug, post.date, post.slug)
        store.write(target, render(post))
        return NEW
    previous = read_header(existing)
    if previous.get("feed") != metadata_name(post.feed):
        return DUPLICATE
    candidate = with_history(post, previous)
    text = render(candidate)
    if text == existing:
        return UNCHANGED
    if any(_same_version(text, old) for old in store.versions(path)):
        return STALE
    updated = render(replace(candidate, modified=_later(modified_at, candidate.date)))
    store.write(path, updated, previous=existing)
    return UPDATED


def _build_one(entry: Entry, source: Source, config: Config, now: datetime) -> Post | str:
    """build_post for one entry; an error comes back as its message (it crosses processes)."""
    try:
        return build_post(
            entry,
            source,
            config.timezone,
            config.paywall_markers,
            now,
            config.summary_length,
            tag_rules=config.raw.get("FEED_ARCHIVE_TAG_RULES"),
        )
    except Exception as exc:  # reported per item by the caller
        return f"{type(exc).__name__}: {exc}"


def build_posts(
    entries: list[Entry], source: Source, config: Config, now: datetime
) -> list[Post | str]:
    """Sanitize and convert entries, on every core for a large feed; order is kept."""
    work = functools.partial(_build_one, source=source, config=config, now=now)
    wanted = int(config.raw.get("FEED_ARCHIVE_BUILD_WORKERS") or 0) or os.cpu_count() or 1
    least = int(config.raw.get("FEED_ARCHIVE_PARALLEL_MIN") or 200)
    if wanted < 2 or len(entries) < least or "fork" not in mp.get_all_start_methods():
        return [work(entry) for entry in entries]
    with mp.get_context("fork").Pool(min(wanted, os.cpu_count() or 1)) as pool:
        return pool.map(work, entries, chunksize=max(1, len(entries) // (wanted * 4)))


def archive_feed(
    source: Source,
    config: Config,
    store: Store,
    state: State,
    now: datetime | None = None,
) -> FeedReport:
    """Fetch, parse and store one feed; every failure becomes the report's one-line error."""
    report = FeedReport(source.name)
    secrets = source.secrets()
    now = now or datetime.now(UTC)
    try:
        url = source.resolved_url()
        remembered = state.get(_state_key(source))
        limits = fetching.Limits(
            timeout=config.timeout,
            total_timeout=config.total_timeout,
            max_bytes=config.max_bytes,
            max_redirects=config.max_redirects,
            user_agent=config.user_agent,
        )
        result = fetching.fetch(
            url, limits, etag=remembered.get("etag"), last_modified=remembered.get("last_modified")
        )
        report.status = None if fetching.is_local(url) else result.status
        if result.not_modified:
            return report
        feed = parse(result.content, result.content_type, _base_url(result.final_url))
        report.warning = feed.warning
        localizer = images.Localizer.for_source(config, source) if source.images else None
        modified_at = format_date(now, config.timezone)
        seen: set[str] = set()
        unique: list[Entry] = []
        for entry in (_without_secrets(e, secrets) for e in feed.entries):
            if entry.identity in seen:
                report.counts[DUPLICATE] += 1
            else:
                seen.add(entry.identity)
                unique.append(entry)
        for entry, built in zip(unique, build_posts(unique, source, config, now), strict=True):
            try:
                if isinstance(built, str):
                    raise ValueError(built)
                post = images.localize_post(built, localizer)
                outcome = archive_entry(post, store, source, modified_at)
            except StoreError:
                raise
            except Exception as exc:  # one broken item must not stop the feed
                logger.warning(
                    "%s: skipped item %r: %s",
                    source.name,
                    redact(entry.identity, secrets)[:120],
                    redact(str(exc), secrets),
                )
                outcome = SKIPPED
            report.counts[outcome] += 1
        if localizer is not None:
            localizer.save()
        state.set(_state_key(source), result.etag, result.last_modified)
    except (fetching.FetchError, ParseError, SettingsError, StoreError) as exc:
        report.error = redact(str(exc), secrets)
    except Exception as exc:  # a bug must not stop the other feeds either
        logger.debug("unexpected error on feed %s", source.name, exc_info=True)
        report.error = redact(f"internal error: {type(exc).__name__}: {exc}", secrets)
    return report


def totals(reports: Iterable[FeedReport]) -> dict[str, int]:
    """Counts summed over feeds, plus the number of failed feeds."""
    summed = dict.fromkeys((*OUTCOMES, "failed"), 0)
    for report in reports:
        summed["failed"] += report.failed
        for key, value in report.counts.items():
            summed[key] += value
    return summed


def run(
    config: Config,
    sources: Iterable[Source] | None = None,
    on_report: Callable[[int, int, FeedReport], None] | None = None,
    now: datetime | None = None,
) -> list[FeedReport]:
    """Fetch every source under the archive lock; reports come back in order, one per feed."""
    chosen = list(config.sources if sources is None else sources)
    store = Store(config.archive_root)
    reports: list[FeedReport] = []
    with store.locked(config.lock_timeout):
        state = State(config.state_file)
        for number, source in enumerate(chosen, 1):
            report = archive_feed(source, config, store, state, now)
            reports.append(report)
            level = logging.ERROR if report.failed else logging.INFO
            logger.log(level, "%s", report.line())
            if report.warning and not report.failed:
                logger.debug("%s: feed is not well-formed: %s", source.name, report.warning)
            if on_report:
                on_report(number, len(chosen), report)
        state.save()
        tagging.remember(config.archive_root, config.raw.get("FEED_ARCHIVE_TAG_RULES"))
    return reports
