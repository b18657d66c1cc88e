"""Archive: one fetch run over many sources; one failing feed never stops the others."""

from __future__ import annotations

import functools
import hashlib
import logging
from datetime import UTC, datetime
from typing import Callable, Iterable
from urllib.parse import urlsplit, urlunsplit

from ..pool import parallel_map
from ..post import Post, format_date
from ..settings import Config, SettingsError, Source
from . import bounds, disappear, images, linkcheck, tagging
from . import fetch as fetching
from .convert import build_post
from .entry import Entry
from .netguard import Gate
from .parse import ParseError, parse
from .proof import Fetch, Journal
from .record import Recorder
from .redact import Redactor, redacted_fields, redacted_logs
from .report import DUPLICATE, INCOMPLETE, OUTCOMES, SKIPPED, UPDATED, FeedReport
from .store import State, Store, StoreError

__all__ = ["FeedReport", "Post", "StoreError", "archive_feed", "build_posts", "run", "totals"]

logger = logging.getLogger(__name__)
#: Progress of a long feed ("Next: 3000 of 12000 items archived"), shown by `invoke fetch`.
progress = logging.getLogger("feed_archive.progress")
PROGRESS_EVERY = 1000


def _state_key(source: Source) -> str:
    return f"{source.slug}@{hashlib.sha256(source.url.encode()).hexdigest()[:10]}"


def _base_url(url: str | None) -> str | None:
    """The feed URL without query or fragment (they may hold a key), for resolving links."""
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


Built = tuple[Post, list[str]] | str


def _build_one(entry: Entry, source: Source, config: Config, now: datetime) -> Built:
    """build_post for one entry and its notes; an error comes back as its message (it crosses
    processes, and so do the notes, logged by the caller)."""
    notes: list[str] = []
    try:
        post = build_post(
            entry,
            source,
            config.timezone,
            config.paywall_markers,
            now,
            config.summary_length,
            tag_rules=config.raw.get("FEED_ARCHIVE_TAG_RULES"),
            max_tags=config.max_tags,
            max_text_bytes=config.max_text_bytes,
            notes=notes,
        )
    except Exception as exc:  # reported per item by the caller
        return f"{type(exc).__name__}: {exc}"
    return post, notes


def build_posts(entries: list[Entry], source: Source, config: Config, now: datetime) -> list[Built]:
    """Sanitize and convert entries, on every core for a large feed; order is kept."""
    work = functools.partial(_build_one, source=source, config=config, now=now)
    return parallel_map(work, entries, config.workers, config.parallel_min)


def _archive_entries(
    entries: tuple[Entry, ...],
    source: Source,
    config: Config,
    recorder: Recorder,
    report: FeedReport,
    now: datetime,
    redact: Redactor,
) -> None:
    """Build and record each entry of a document once, redacted; an entry that fails is named."""
    localizer = images.Localizer.for_source(config, source) if source.images else None
    seen: set[str] = set()
    unique: list[Entry] = []
    for entry in (redacted_fields(e, redact) for e in entries):
        if entry.identity in seen:
            report.counts[DUPLICATE] += 1
        else:
            seen.add(entry.identity)
            unique.append(entry)
    unique, report.held = bounds.within_new_cap(
        unique, lambda e: recorder.known(e.identity, e.legacy_identity), config.max_new_items
    )
    built_posts = build_posts(unique, source, config, now)
    for number, (entry, built) in enumerate(zip(unique, built_posts, strict=True), 1):
        if number % PROGRESS_EVERY == 0:
            progress.info("%s: %s of %s items archived", source.name, number, len(unique))
        try:
            if isinstance(built, str):
                raise ValueError(built)
            for note in built[1]:
                logger.warning("%s: %s", source.name, redact(note))
            post = images.localize_post(built[0], localizer)
            post = redacted_fields(post, redact, keep=("identity", "slug"))
            report.counts[recorder.record(post, entry.legacy_identity)] += 1
        except StoreError:
            raise
        except Exception as exc:  # one broken item must not stop the feed
            cause = redact(str(exc)).split("\n")[0][:160]
            if not isinstance(built, str):
                cause = f"{type(exc).__name__}: {cause}"
            name = (entry.title or entry.identity)[:80]
            logger.warning("%s: skipped item %r: %s", source.name, name, cause)
            report.miss(SKIPPED, name, cause)
    if localizer is not None:
        localizer.save()


def _record_listing(
    recorder: Recorder, report: FeedReport, state: State, key: str, gone: disappear.Sidecar
) -> None:
    """Remember what this document listed; mark what it withdrew (not after a skipped item)."""
    root = recorder.store.root
    listed = {path.relative_to(root).as_posix(): d for path, d in recorder.listed.items()}
    previous = state.listed(key) if not report.problem else {}
    report.withdrawn, _ = disappear.record_listing(gone.gone, previous, listed, recorder.fetched)
    state.set_listed(key, listed)


def archive_feed(
    source: Source,
    config: Config,
    store: Store,
    state: State,
    now: datetime | None = None,
    gone: disappear.Sidecar | None = None,
) -> FeedReport:
    """Fetch, parse and store one feed; every failure becomes the report's one-line error."""
    report = FeedReport(source.name)
    redact = Redactor(source.secrets())
    now = now or datetime.now(UTC)
    key = _state_key(source)
    journal: Journal | None = None
    try:
        url = source.resolved_url()
        remembered = state.get(key)
        limits = fetching.Limits(
            timeout=config.timeout,
            total_timeout=config.total_timeout,
            max_bytes=config.max_bytes,
            max_redirects=config.max_redirects,
            user_agent=config.user_agent,
        )
        result = fetching.fetch(
            url,
            limits,
            etag=redact.reveal(remembered.get("etag")),
            last_modified=redact.reveal(remembered.get("last_modified")),
            gate=Gate.for_feed(url, config.allow_private_networks),
        )
        report.status = None if fetching.is_local(url) else result.status
        fetched = format_date(now, config.timezone)
        journal = Journal(
            Fetch.of(
                fetched,
                source.url,  # as configured: "{secret}" stands for the key
                report.status,
                (result.etag, result.last_modified),
                redact,  # the Redactor: the key in any form becomes ***
            )
        )
        recorder = Recorder(
            store,
            source,
            config.paywall_markers,
            fetched,
            pending=state.pending(key),
            journal=journal,
        )
        if result.not_modified:  # the same document again: its pending versions were served twice
            report.counts[UPDATED] += recorder.promote()
            state.set_pending(key, {})
            state.set(key, redact.hide(result.etag), redact.hide(result.last_modified))
            return report
        # Relative ids and links resolve against the configured URL, never a redirect's target.
        feed = parse(result.content, result.content_type, _base_url(url))
        report.warning = redact(feed.warning) if feed.warning else None
        for title in feed.incomplete:
            report.miss(INCOMPLETE, redact(title), "the document ends inside it")
        _archive_entries(feed.entries, source, config, recorder, report, now, redact)
        state.set_pending(key, recorder.served)
        if gone is not None and gone.writable and not feed.cut:  # else compared once fixed
            _record_listing(recorder, report, state, key, gone)
        if report.held:  # the held items are in this document: it must not be "not modified"
            state.set(key, None, None)
        elif not feed.cut:  # a cut document must not be answered "not modified" next time
            state.set(key, redact.hide(result.etag), redact.hide(result.last_modified))
    except (fetching.FetchError, ParseError, SettingsError, StoreError) as exc:
        report.error = redact(str(exc))
    except Exception as exc:  # a bug must not stop the other feeds either
        logger.debug("unexpected error on feed %s", source.name, exc_info=True)
        report.error = redact(f"internal error: {type(exc).__name__}: {exc}")
    finally:
        if journal is not None:  # what was written is recorded, even when the feed failed
            journal.flush()
    return report


def totals(reports: Iterable[FeedReport]) -> dict[str, int]:
    """Counts summed over feeds, plus failed feeds, feeds with problems and items held back."""
    summed = dict.fromkeys((*OUTCOMES, "failed", "problems", "held"), 0)
    for report in reports:
        summed["failed"] += report.failed
        summed["held"] += report.held
        summed["problems"] += report.problem
        for key, value in report.counts.items():
            summed[key] += value
    return summed


def check_links(
    config: Config, state: State, gone: disappear.Sidecar, now: datetime
) -> linkcheck.LinkReport:
    """This run's sample of source links checked (never raises: a bug is logged and skipped)."""
    asker = linkcheck.Asker(
        user_agent=config.user_agent,
        timeout=config.timeout,
        max_redirects=config.max_redirects,
        gate=Gate(allowed=config.allow_private_networks),
    )
    redact = Redactor(s for source in config.sources for s in source.secrets())
    try:
        report, following = linkcheck.check_links(
            config.archive_root,
            gone.gone,
            asker,
            config.link_checks,
            config.link_check_seconds,
            state.link_cursor(),
            format_date(now, config.timezone),
            redact,
        )
    except Exception as exc:  # a link check never makes a run fail
        logger.warning("link checks stopped: %s: %s", type(exc).__name__, redact(str(exc)))
        return linkcheck.LinkReport(unanswered=1)
    state.set_link_cursor(following)
    return report


def run(
    config: Config,
    sources: Iterable[Source] | None = None,
    on_report: Callable[[int, int, FeedReport], None] | None = None,
    now: datetime | None = None,
    on_links: Callable[[linkcheck.LinkReport], None] | None = None,
) -> list[FeedReport]:
    """Fetch every source under the archive lock, then check a sample of source links.

    Reports come back in order, one per feed; `on_links` gets the link checks' report.
    """
    chosen = list(config.sources if sources is None else sources)
    store = Store(config.archive_root)
    reports: list[FeedReport] = []
    every_secret = Redactor(secret for source in chosen for secret in source.secrets())
    with redacted_logs(every_secret), store.locked(config.lock_timeout):
        state = State(config.state_file)
        gone = disappear.Sidecar(config.archive_root)
        for number, source in enumerate(chosen, 1):
            report = archive_feed(source, config, store, state, now, gone)
            reports.append(report)
            level = logging.ERROR if report.failed else logging.INFO
            logger.log(level, "%s", report.line())
            if report.warning and not report.failed:
                logger.debug("%s: feed is not well-formed: %s", source.name, report.warning)
            if on_report:
                on_report(number, len(chosen), report)
        links = check_links(config, state, gone, now or datetime.now(UTC))
        logger.info("%s", links.line())
        if on_links:
            on_links(links)
        try:
            gone.save()
        finally:  # validators, pending versions and listings are kept even then
            state.save()
        tagging.remember(config.archive_root, config.raw.get("FEED_ARCHIVE_TAG_RULES"))
    return reports
