"""Defaults: every FEED_ARCHIVE_* setting with its default value, in one place."""

from __future__ import annotations

from typing import Any

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
    # issue 16: source links checked per fetch run (a rotating sample; 0: none) and the most
    # seconds those checks may take in one run (0: none)
    "FEED_ARCHIVE_LINK_CHECKS": 20,
    "FEED_ARCHIVE_LINK_CHECK_SECONDS": 30.0,
    # issue 13: addresses (CIDR) outside the public internet that fetches may reach anyway
    "FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS": [],
    "FEED_ARCHIVE_SUMMARY_LENGTH": 280,
    "FEED_ARCHIVE_LOCK_TIMEOUT": 0.0,
    # issue 13: bounded output (ingest/bounds.py; the build caps tags of older posts too)
    "FEED_ARCHIVE_MAX_TAGS": 20,
    "FEED_ARCHIVE_MAX_NEW_ITEMS": 2000,
    "FEED_ARCHIVE_MAX_TEXT_BYTES": 512 * 1024,
    # one pool of worker processes for fetch and build (0 = one per core), and the fewest
    # items (posts to convert or read) worth sending to it
    "FEED_ARCHIVE_WORKERS": 0,
    "FEED_ARCHIVE_PARALLEL_MIN": 200,
    # incremental builds (build/plan.py): pages whose inputs did not change are not rendered;
    # PLAN_CHECK renders them anyway and reports any that would differ (a test of the plan)
    "FEED_ARCHIVE_PLAN": True,
    "FEED_ARCHIVE_PLAN_CHECK": False,
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
    # issue 16: provenance (digests on article pages, /provenance.json) and the open exports
    # (/exports/archive.sqlite and archive.jsonl.gz: publishconf.py turns them on)
    "FEED_ARCHIVE_PROVENANCE": True,
    "FEED_ARCHIVE_EXPORTS": False,
}


#: Settings that were renamed, and their new name (a helpful error instead of "unknown").
RENAMED = {
    "FEED_ARCHIVE_BUILD_WORKERS": "FEED_ARCHIVE_WORKERS",
    "FEED_ARCHIVE_RENDER_MEMO": "FEED_ARCHIVE_PLAN",
}
