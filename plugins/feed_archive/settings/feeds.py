"""Feeds: the configured sources (FEED_ARCHIVE_SOURCES and the sources file), validated."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

from ..post import fold, slugify
from .errors import SettingsError


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
        """The URL to request: `{secret}` replaced by the environment's key, percent-encoded."""
        if not self.secret_env:
            return self.url
        secret = os.environ.get(self.secret_env)
        if not secret:
            raise SettingsError(
                f"feed {self.name!r}: environment variable {self.secret_env} is not set"
            )
        return self.url.replace("{secret}", quote(secret, safe=""))

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be written anywhere (the feed's secret, if any)."""
        if self.secret_env and os.environ.get(self.secret_env):
            return (os.environ[self.secret_env],)
        return ()


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


def source_of(raw: Any, index: int) -> Source:
    """One entry of FEED_ARCHIVE_SOURCES (a URL or a dict) as a Source; SettingsError if bad."""
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


def adhoc_source(url: str, existing: tuple[Source, ...], name: str | None = None) -> Source:
    """A source for `invoke fetch --url`: a configured feed's settings if the URL or name match."""
    for source in existing:
        if source.url == url or (name and source.name == name):
            return replace(
                source, url=url, secret_env=None if source.url != url else source.secret_env
            )
    if name:
        return source_of({"url": url, "name": name}, 0)
    if "://" in url:
        name = urlsplit(url).hostname or url
    else:
        name = Path(url).stem
    return source_of({"url": url, "name": name}, 0)
