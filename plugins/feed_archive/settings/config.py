"""Config: the typed, validated settings of a fetch (Config) and of a build (BuildConfig)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import sources_file
from .errors import SettingsError
from .feeds import Source, freeze_tag_rules, source_of
from .values import check_names, flag, merged, names, networks, number, patterns, text, whole


@dataclass(frozen=True)
class Config:
    """The validated FEED_ARCHIVE_* settings of one site, as a fetch uses them."""

    sources: tuple[Source, ...]
    archive_root: Path
    state_file: Path
    timezone: ZoneInfo
    paywall_markers: tuple[re.Pattern[str], ...]
    timeout: float
    total_timeout: float
    max_bytes: int
    max_redirects: int
    user_agent: str
    summary_length: int
    lock_timeout: float
    workers: int
    parallel_min: int
    link_checks: int
    link_check_seconds: float
    max_tags: int = 20
    max_new_items: int = 2000
    max_text_bytes: int = 512 * 1024
    sources_file: Path = Path()
    #: Networks outside the public internet that fetches may reach (see netguard.Gate).
    allow_private_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class BuildConfig:
    """The validated FEED_ARCHIVE_* settings a build uses (see README, Settings)."""

    archive_dir: str
    paywall_markers: tuple[re.Pattern[str], ...]
    brief_categories: tuple[str, ...]
    home_days: int
    list_page_size: int
    listing_feed_items: int
    related_count: int
    source_feed_atom: str
    stats: bool
    search: bool
    search_max_pages: int
    workers: int
    parallel_min: int
    plan: bool
    plan_check: bool
    provenance: bool
    exports: bool
    max_tags: int = 20


def load_build(settings: Mapping[str, Any]) -> BuildConfig:
    """The build's settings, validated; SettingsError names the first bad key."""
    check_names(settings)
    values = merged(settings)
    return BuildConfig(
        archive_dir=text(values, "FEED_ARCHIVE_DIR", empty=False),
        paywall_markers=patterns(values, "FEED_ARCHIVE_PAYWALL_MARKERS"),
        brief_categories=names(values, "FEED_ARCHIVE_BRIEF_CATEGORIES"),
        home_days=whole(values, "FEED_ARCHIVE_HOME_DAYS", 1),
        list_page_size=whole(values, "FEED_ARCHIVE_LIST_PAGE_SIZE", 1),
        listing_feed_items=whole(values, "FEED_ARCHIVE_LISTING_FEED_ITEMS", 1),
        related_count=whole(values, "FEED_ARCHIVE_RELATED_COUNT", 0),
        source_feed_atom=text(values, "FEED_ARCHIVE_SOURCE_FEED_ATOM"),
        stats=flag(values, "FEED_ARCHIVE_STATS"),
        search=flag(values, "FEED_ARCHIVE_SEARCH"),
        search_max_pages=whole(values, "FEED_ARCHIVE_SEARCH_MAX_PAGES", 0),
        workers=whole(values, "FEED_ARCHIVE_WORKERS", 0),
        parallel_min=whole(values, "FEED_ARCHIVE_PARALLEL_MIN", 1),
        plan=flag(values, "FEED_ARCHIVE_PLAN"),
        plan_check=flag(values, "FEED_ARCHIVE_PLAN_CHECK"),
        provenance=flag(values, "FEED_ARCHIVE_PROVENANCE"),
        exports=flag(values, "FEED_ARCHIVE_EXPORTS"),
        max_tags=whole(values, "FEED_ARCHIVE_MAX_TAGS", 1),
    )


def load(settings: Mapping[str, Any], base_dir: str | Path | None = None) -> Config:
    """Validate every FEED_ARCHIVE_* setting into a Config; SettingsError names the bad value."""
    load_build(settings)  # a typo in a build setting is reported by `invoke fetch` too
    values = merged(settings)
    content = Path(settings.get("PATH") or "content")
    if base_dir is not None and not content.is_absolute():
        content = Path(base_dir) / content
    root = content / values["FEED_ARCHIVE_DIR"]
    try:
        listed_in = sources_file.sources_file_path(values["FEED_ARCHIVE_SOURCES_FILE"], content)
        listed = sources_file.load_sources_file(listed_in)
    except sources_file.SourcesFileError as exc:
        raise SettingsError(str(exc)) from exc
    freeze_tag_rules(values["FEED_ARCHIVE_TAG_RULES"])
    configured = sources_file.merge_sources(values["FEED_ARCHIVE_SOURCES"], listed)
    sources = tuple(source_of(raw, i) for i, raw in enumerate(configured))
    slugs = [s.slug for s in sources]
    duplicates = {n for n in slugs if slugs.count(n) > 1}
    if duplicates:
        raise SettingsError(f"FEED_ARCHIVE_SOURCES: duplicate feed name(s) {sorted(duplicates)}")
    try:
        zone = ZoneInfo(values["FEED_ARCHIVE_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"FEED_ARCHIVE_TIMEZONE: unknown time zone {values['FEED_ARCHIVE_TIMEZONE']!r}"
        ) from exc
    state = Path(values["FEED_ARCHIVE_STATE_FILE"])
    if not state.is_absolute():
        state = root / state
    return Config(
        sources=sources,
        archive_root=root,
        state_file=state,
        timezone=zone,
        paywall_markers=patterns(values, "FEED_ARCHIVE_PAYWALL_MARKERS"),
        timeout=number(values, "FEED_ARCHIVE_TIMEOUT"),
        total_timeout=number(values, "FEED_ARCHIVE_TOTAL_TIMEOUT"),
        max_bytes=int(number(values, "FEED_ARCHIVE_MAX_BYTES")),
        max_redirects=int(number(values, "FEED_ARCHIVE_MAX_REDIRECTS")),
        user_agent=text(values, "FEED_ARCHIVE_USER_AGENT", empty=False),
        summary_length=int(number(values, "FEED_ARCHIVE_SUMMARY_LENGTH")),
        lock_timeout=number(values, "FEED_ARCHIVE_LOCK_TIMEOUT"),
        workers=whole(values, "FEED_ARCHIVE_WORKERS"),
        parallel_min=whole(values, "FEED_ARCHIVE_PARALLEL_MIN", 1),
        link_checks=whole(values, "FEED_ARCHIVE_LINK_CHECKS"),
        link_check_seconds=number(values, "FEED_ARCHIVE_LINK_CHECK_SECONDS"),
        max_tags=whole(values, "FEED_ARCHIVE_MAX_TAGS", 1),
        max_new_items=whole(values, "FEED_ARCHIVE_MAX_NEW_ITEMS", 1),
        max_text_bytes=whole(values, "FEED_ARCHIVE_MAX_TEXT_BYTES", 1024),
        sources_file=listed_in,
        allow_private_networks=networks(values, "FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS"),
        raw=values,
    )
