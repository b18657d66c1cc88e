"""Exports: the whole archive as `/exports/archive.sqlite` and `/exports/archive.jsonl.gz`.

Written by production builds (FEED_ARCHIVE_EXPORTS, on in publishconf.py) and `invoke export`,
at article_writer_finalized, from the build's proofs (build/proof.py): every item's rows are
kept in a database in the cache folder and only the items whose files or records changed are
read again (rows.py, database.py); both files are made again only when an item changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Any

from ..published import emit
from ..state import BuildState
from . import database
from .jsonl import write_jsonl
from .rows import ItemRows, item_digest, read_item

logger = logging.getLogger(__name__)

SQLITE = "exports/archive.sqlite"
JSONL = "exports/archive.jsonl.gz"
CACHE_NAME = "feed_archive-export.sqlite"
MEMBERS_NAME = "feed_archive-export-jsonl"


def write_exports(generator: Any, writer: Any = None) -> None:
    """article_writer_finalized hook: both export files, when FEED_ARCHIVE_EXPORTS is on."""
    settings = generator.settings
    state = BuildState.of(settings)
    if state is None or not state.config.exports or getattr(state, "proof", None) is None:
        return
    started = time.monotonic()
    root = Path(state.posts.root)
    urls = {os.path.abspath(str(a.source_path)): a.fa.url for a in generator.articles}
    files = {post: proofs for post, proofs in state.proof.items.items() if proofs}
    wanted = {
        proofs[-1].path: item_digest(proofs, urls.get(post, "")) for post, proofs in files.items()
    }
    by_path = {proofs[-1].path: (post, proofs) for post, proofs in files.items()}
    summary = "\n".join(f"{p} {d}" for p, d in sorted(wanted.items()))
    key = hashlib.sha256(f"{database.SCHEMA_VERSION}\n{summary}".encode()).digest()
    log = state.output
    if log is not None and all(log.unchanged(rel, key) for rel in (SQLITE, JSONL)):
        log.keep(SQLITE)
        log.keep(JSONL)
        return

    def read(path: str) -> ItemRows | None:
        post, proofs = by_path[path]
        try:
            return read_item(proofs, root, urls.get(post, ""))
        except (OSError, ValueError) as exc:
            logger.error("feed_archive: export: item %s left out: cannot read %s", path, exc)
            return None

    cache = Path(settings.get("CACHE_PATH") or "cache") / CACHE_NAME
    db = database.open_cache(cache)
    try:
        count = state.exported = database.update(db, wanted, read)
        output = generator.output_path
        emit(state, output, SQLITE, lambda target: database.publish(db, target), key)
        members = cache.with_name(MEMBERS_NAME)
        emit(state, output, JSONL, lambda target: write_jsonl(db, target, wanted, members), key)
    finally:
        db.close()
    logger.info(
        "feed_archive: exports written (%s items, %s read again) in %.1f s",
        len(wanted),
        count,
        time.monotonic() - started,
    )
