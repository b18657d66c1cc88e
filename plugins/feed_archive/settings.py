"""Settings: FEED_ARCHIVE_* defaults in one place, merged with the user's values and validated."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import sources as source_files
from .post import fold, slugify

logger = logging.getLogger(__name__)

PREFIX = "FEED_ARCHIVE_"

#: Every setting of the plugin with its default; the README documents the same table.
DEFAULTS: dict[str, Any] = {
    "FEED_ARCHIVE_SOURCES": [],
    "FEED_ARCHIVE_DIR": "archive",
    "FEED_ARCHIVE_TIMEZONE": "Europe/Paris",
    "FEED_ARCHIVE_PAYWALL_MARKERS": [
        r"Il reste \d+\s*% de l['’]article",
        r"Vous devez être abonné",
        r"réservée? (?:à nos|aux) abonné",
        r"article réservé aux abonnés",
    ],
    "FEED_ARCHIVE_TIMEOUT": 15.0,
    "FEED_ARCHIVE_TOTAL_TIMEOUT": 60.0,
    "FEED_ARCHIVE_MAX_BYTES": 20 * 1024 * 1024,
    "FEED_ARCHIVE_MAX_REDIRECTS": 5,
    "FEED_ARCHIVE_USER_AGENT": "feed-archive/1.0 (+https://github.com/; Pelican plugin)",
    "FEED_ARCHIVE_STATE_FILE": ".feed-archive-state.json",
    # issue 8: statistics page, sources file (OPML import), keyword tags, preserved images
    "FEED_ARCHIVE_STATS": True,
    "FEED_ARCHIVE_SOURCES_FILE": "sources.json",
    "FEED_ARCHIVE_TAG_RULES": {},
    "FEED_ARCHIVE_IMAGES_DIR": "images/archive",
    "FEED_ARCHIVE_IMAGE_MAX_BYTES": 5 * 1024 * 1024,
    "FEED_ARCHIVE_IMAGES_FEED_MAX_BYTES": 50 * 1024 * 1024,
    "FEED_ARCHIVE_IMAGE_TIMEOUT": 10.0,
    "FEED_ARCHIVE_SUMMARY_LENGTH": 280,
    "FEED_ARCHIVE_LOCK_TIMEOUT": 0.0,
    # build speed (speed.py): reading processes (0 = one per core), fewest new files to use them
    "FEED_ARCHIVE_BUILD_WORKERS": 0,
    "FEED_ARCHIVE_PARALLEL_MIN": 200,
    # render memo (memo.py): skip pages whose traced inputs did not change
    "FEED_ARCHIVE_RENDER_MEMO": True,
    # theme (site.py): briefs, home page, listings, related items, per-source Atom feeds
    "FEED_ARCHIVE_BRIEF_CATEGORIES": ["Brève", "Brèves"],
    "FEED_ARCHIVE_HOME_DAYS": 7,
    "FEED_ARCHIVE_LIST_PAGE_SIZE": 50,
    "FEED_ARCHIVE_LISTING_FEED_ITEMS": 20,
    "FEED_ARCHIVE_RELATED_COUNT": 3,
    "FEED_ARCHIVE_SOURCE_FEED_ATOM": "feeds/source/{slug}.atom.xml",
    # search (search.py): index output/ with Pagefind after each build, by month (see README)
    "FEED_ARCHIVE_SEARCH": True,
    "FEED_ARCHIVE_SEARCH_MAX_PAGES": 2000,
}


class SettingsError(ValueError):
    """A FEED_ARCHIVE_* value that cannot be used; the message names it."""


def feed_id_of(url: str) -> str:
    """A feed's default id: its URL without `{secret}`, scheme, default port, trailing slash."""
    url = url.strip().replace("{secret}", "")
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        host = (parts.hostname or "").lower()
        if parts.port and parts.port != {"http": 80, "https": 443}[parts.scheme]:
            host += f":{parts.port}"
        query = f"?{parts.query}" if parts.query else ""
        return host + parts.path.rstrip("/") + query
    if parts.scheme == "file":
        url = parts.path
    return url.rstrip("/") or url


@dataclass(frozen=True)
class Source:
    """One configured feed; `feed_id` scopes its items' identities (see README, Identities)."""

    name: str
    url: str
    slug: str
    tags: tuple[str, ...] = ()
    category: str | None = None
    secret_env: str | None = None
    images: bool = False
    feed_id: str = ""

    def resolved_url(self) -> str:
        """The URL to request, with the secret from the environment put in place of `{secret}`."""
        if not self.secret_env:
            return self.url
        secret = os.environ.get(self.secret_env)
        if not secret:
            raise SettingsError(
                f"feed {self.name!r}: environment variable {self.secret_env} is not set"
            )
        return self.url.replace("{secret}", secret)

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be written anywhere (the feed's secret, if any)."""
        if self.secret_env and os.environ.get(self.secret_env):
            return (os.environ[self.secret_env],)
        return ()


@dataclass(frozen=True)
class Config:
    """The validated FEED_ARCHIVE_* settings of one site."""

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
    sources_file: Path = Path()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


def freeze_tag_rules(rules: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """FEED_ARCHIVE_TAG_RULES as (tag, folded words) pairs; SettingsError names a bad rule."""
    if rules is None:
        return ()
    if not isinstance(rules, Mapping):
        raise SettingsError("FEED_ARCHIVE_TAG_RULES: expected a dict of tag -> list of words")
    frozen = []
    for tag, words in rules.items():
        if not isinstance(tag, str) or not tag.strip():
            raise SettingsError(f"FEED_ARCHIVE_TAG_RULES: bad tag name {tag!r}")
        if isinstance(words, str):
            words = [words]
        if not isinstance(words, (list, tuple, set, frozenset)) or not all(
            isinstance(w, str) for w in words
        ):
            raise SettingsError(f"FEED_ARCHIVE_TAG_RULES[{tag!r}]: expected a list of words")
        cleaned = tuple(w for w in (fold(w) for w in words) if w)
        if not cleaned:
            raise SettingsError(f"FEED_ARCHIVE_TAG_RULES[{tag!r}]: no word to match")
        frozen.append((tag.strip(), cleaned))
    return tuple(frozen)


def merged(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The plugin's defaults overlaid with the FEED_ARCHIVE_* values found in `settings`."""
    values = dict(DEFAULTS)
    values.update({k: v for k, v in settings.items() if k.startswith(PREFIX)})
    return values


def _source(raw: Any, index: int) -> Source:
    if isinstance(raw, str):
        raw = {"url": raw}
    if not isinstance(raw, Mapping) or not raw.get("url"):
        raise SettingsError(f"FEED_ARCHIVE_SOURCES[{index}]: needs at least a 'url'")
    unknown = set(raw) - {"url", "name", "tags", "category", "secret_env", "images", "id"}
    if unknown:
        raise SettingsError(
            f"FEED_ARCHIVE_SOURCES[{index}]: unknown key(s) {', '.join(sorted(unknown))}"
        )
    url = str(raw["url"])
    name = str(raw.get("name") or url)
    slug = slugify(name, 60)
    if not slug:
        raise SettingsError(f"FEED_ARCHIVE_SOURCES[{index}]: name {name!r} gives an empty slug")
    secret_env = raw.get("secret_env")
    if secret_env and "{secret}" not in url:
        raise SettingsError(f"feed {name!r}: 'secret_env' is set but the url has no {{secret}}")
    feed_id = raw.get("id", feed_id_of(url))
    if not isinstance(feed_id, str) or not feed_id.strip():
        raise SettingsError(f"feed {name!r}: 'id' must be a non-empty string, got {feed_id!r}")
    tags = raw.get("tags") or ()
    if isinstance(tags, str):
        tags = [t for t in re.split(r"[,;]", tags)]
    return Source(
        name=name,
        url=url,
        slug=slug,
        tags=tuple(t.strip() for t in tags if str(t).strip()),
        category=raw.get("category"),
        secret_env=secret_env,
        images=bool(raw.get("images")),
        feed_id=feed_id.strip(),
    )


def load(settings: Mapping[str, Any], base_dir: str | Path | None = None) -> Config:
    """Validate the merged settings into a Config; raise SettingsError naming the bad value."""
    values = merged(settings)
    content = Path(settings.get("PATH") or "content")
    if base_dir is not None and not content.is_absolute():
        content = Path(base_dir) / content
    root = content / values["FEED_ARCHIVE_DIR"]
    try:
        sources_file = source_files.sources_file_path(values["FEED_ARCHIVE_SOURCES_FILE"], content)
        listed = source_files.load_sources_file(sources_file)
    except source_files.SourcesFileError as exc:
        raise SettingsError(str(exc)) from exc
    freeze_tag_rules(values["FEED_ARCHIVE_TAG_RULES"])
    merged_sources = source_files.merge_sources(values["FEED_ARCHIVE_SOURCES"], listed)
    sources = tuple(_source(raw, i) for i, raw in enumerate(merged_sources))
    names = [s.slug for s in sources]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SettingsError(f"FEED_ARCHIVE_SOURCES: duplicate feed name(s) {sorted(duplicates)}")
    try:
        zone = ZoneInfo(values["FEED_ARCHIVE_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"FEED_ARCHIVE_TIMEZONE: unknown time zone {values['FEED_ARCHIVE_TIMEZONE']!r}"
        ) from exc
    try:
        markers = tuple(
            re.compile(p, re.IGNORECASE) for p in values["FEED_ARCHIVE_PAYWALL_MARKERS"]
        )
    except re.error as exc:
        raise SettingsError(f"FEED_ARCHIVE_PAYWALL_MARKERS: bad pattern ({exc})") from exc
    numbers = {}
    for key in (
        "FEED_ARCHIVE_TIMEOUT",
        "FEED_ARCHIVE_TOTAL_TIMEOUT",
        "FEED_ARCHIVE_MAX_BYTES",
        "FEED_ARCHIVE_MAX_REDIRECTS",
        "FEED_ARCHIVE_SUMMARY_LENGTH",
        "FEED_ARCHIVE_LOCK_TIMEOUT",
    ):
        value = values[key]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise SettingsError(f"{key}: expected a number >= 0, got {value!r}")
        numbers[key] = value
    state = Path(values["FEED_ARCHIVE_STATE_FILE"])
    if not state.is_absolute():
        state = root / state
    return Config(
        sources=sources,
        archive_root=root,
        state_file=state,
        timezone=zone,
        paywall_markers=markers,
        timeout=float(numbers["FEED_ARCHIVE_TIMEOUT"]),
        total_timeout=float(numbers["FEED_ARCHIVE_TOTAL_TIMEOUT"]),
        max_bytes=int(numbers["FEED_ARCHIVE_MAX_BYTES"]),
        max_redirects=int(numbers["FEED_ARCHIVE_MAX_REDIRECTS"]),
        user_agent=str(values["FEED_ARCHIVE_USER_AGENT"]),
        summary_length=int(numbers["FEED_ARCHIVE_SUMMARY_LENGTH"]),
        lock_timeout=float(numbers["FEED_ARCHIVE_LOCK_TIMEOUT"]),
        sources_file=sources_file,
        raw=values,
    )


def adhoc_source(url: str, existing: tuple[Source, ...], name: str | None = None) -> Source:
    """A source for `invoke fetch --url`: a configured feed's settings if the URL or name match."""
    from dataclasses import replace

    for source in existing:
        if source.url == url or (name and source.name == name):
            return replace(
                source, url=url, secret_env=None if source.url != url else source.secret_env
            )
    if name:
        return _source({"url": url, "name": name}, 0)
    if "://" in url:
        name = urlsplit(url).hostname or url
    else:
        name = Path(url).stem
    return _source({"url": url, "name": name}, 0)
